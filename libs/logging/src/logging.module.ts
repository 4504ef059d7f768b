import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { requestLogOptions } from './request-log.js';

/** Injection token for the process's root pino logger (use `.child()` for a component). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Nest's logger backed by the process's pino logger; request logs skip health probes. */
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({ pinoHttp: requestLogOptions(logger) }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [ROOT_LOGGER, LoggerModule],
    };
  }
}
