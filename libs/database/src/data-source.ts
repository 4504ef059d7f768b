// Entry point for the TypeORM CLI (npm run migration:run / migration:revert): the same
// options as the services, pointed at DATABASE_URL.
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required: a postgres:// connection URL');

export default new DataSource(dataSourceOptions(url, { applicationName: 'hookline-migrations' }));
