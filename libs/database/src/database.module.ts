import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source-options.js';

/** The service's TypeORM connection, built from the shared DataSource options. */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [HOOKLINE_CONFIG],
          useFactory: (config: HooklineConfig) => ({
            ...dataSourceOptions(config.database, { applicationName: `hookline-${config.service}` }),
            // Fail the boot fast instead of Nest's default of nine silent retries.
            retryAttempts: 2,
            retryDelay: 1_000,
          }),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
