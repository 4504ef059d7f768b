// Entry point for the TypeORM CLI (npm run migration:run / migration:revert, the Helm migration
// Job): the same options as the services, from DATABASE_URL and the HOOKLINE_DATABASE_* settings.
import { loadDatabaseConfig } from '@hookline/config';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

export default new DataSource(dataSourceOptions(loadDatabaseConfig(), { applicationName: 'hookline-migrations' }));
