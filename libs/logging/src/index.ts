export { createLogger, type Logger } from './logger.js';
export { LoggingModule, ROOT_LOGGER } from './logging.module.js';
export { asError, errorMessage } from './errors.js';
