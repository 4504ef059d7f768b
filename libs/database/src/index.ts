export * from './entities/index.js';
export { dataSourceOptions, databaseTlsOptions } from './data-source-options.js';
export { DatabaseModule } from './database.module.js';
export { unnestParameters } from './unnest.js';
