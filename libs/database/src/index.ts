export * from './entities/index.js';
export { dataSourceOptions, databaseTlsOptions } from './data-source-options.js';
export { describeDatabaseError } from './describe-error.js';
export { DatabaseModule } from './database.module.js';
export { unnestParameters } from './unnest.js';
export { uuidv7 } from './ids.js';
export { isOperationalApplication, OPERATIONAL_APPLICATION_ID } from './operational-application.js';
export { isDataError, sqlState } from './errors.js';
export { idBounds, uuidFloor } from './uuid-time.js';
