export { ConfigError, loadConfig, SERVICES, type HooklineConfig, type ServiceName } from './config.js';
export { ConfigModule, HOOKLINE_CONFIG } from './config.module.js';
export { duration } from './env.js';
