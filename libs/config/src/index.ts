export { ConfigError, loadConfig, REQUIRED_BY, requiredVariables, SERVICES, type HooklineConfig, type ServiceName } from './config.js';
export { ConfigModule, HOOKLINE_CONFIG } from './config.module.js';
export { duration, environmentSchema } from './env.js';
