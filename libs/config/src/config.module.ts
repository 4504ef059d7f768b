import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { HooklineConfig } from './config.js';

/** Injection token for the validated HooklineConfig. */
export const HOOKLINE_CONFIG = Symbol('HOOKLINE_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HooklineConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HOOKLINE_CONFIG, useValue: config }],
      exports: [HOOKLINE_CONFIG],
    };
  }
}
