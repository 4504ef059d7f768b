export * from './webhook-secret.js';
export * from './webhook-signature.js';
export * from './keyring.js';
export * from './secret-box.js';
export { secretBoxProvider } from './secret-box.provider.js';
