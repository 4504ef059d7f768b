export { CERTIFICATE_PERIOD_CODES, type DatabaseTls, type KafkaSasl, type KafkaTls, type ReadFile, UNTRUSTED_CERTIFICATE_CODES } from './connections.js';
export {
  ConfigError,
  type DatabaseConfig,
  type HooklineConfig,
  type KafkaConnection,
  loadConfig,
  loadDatabaseConfig,
  REQUIRED_BY,
  requiredVariables,
  SERVICES,
  type ServiceName,
} from './config.js';
export { ConfigModule, HOOKLINE_CONFIG } from './config.module.js';
export { DATABASE_SSL_MODES, duration, environmentSchema, KAFKA_COMPRESSIONS, KAFKA_SASL_MECHANISMS } from './env.js';
