import { ConfigModule, type HooklineConfig } from '@hookline/config';
import { DatabaseModule } from '@hookline/database';
import { KafkaLifecycle, KafkaModule } from '@hookline/kafka';
import { LoggingModule } from '@hookline/logging';
import { currentTelemetry } from '@hookline/telemetry';
import { type DynamicModule, Module, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { HealthController, HealthRegistry } from './health.js';
import { MetricsController } from './metrics.controller.js';

/** Registers the checks every service shares: PostgreSQL and Kafka must answer. */
class SharedHealthChecks implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaLifecycle,
  ) {}

  onModuleInit(): void {
    this.registry.register('postgres', async () => void (await this.dataSource.query('SELECT 1')));
    this.registry.register('kafka', () => this.kafka.check());
  }
}

/** Spans still buffered leave with the service. */
class TelemetryFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await currentTelemetry()?.flush();
  }
}

/**
 * The root module of every Hookline service: configuration, logging, database, Kafka and the
 * health endpoints, around the service's own feature module.
 */
@Module({})
export class ServiceModule {
  static forRoot(options: { config: HooklineConfig; logger: Logger; feature: Type | DynamicModule; topics?: string[] }): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggingModule.forRoot(options.logger),
        DatabaseModule.forRoot(),
        KafkaModule.forRoot({ topics: options.topics }),
        options.feature,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        HealthRegistry,
        TelemetryFlush,
        {
          provide: SharedHealthChecks,
          inject: [HealthRegistry, DataSource, KafkaLifecycle],
          useFactory: (registry: HealthRegistry, dataSource: DataSource, kafka: KafkaLifecycle) =>
            new SharedHealthChecks(registry, dataSource, kafka),
        },
      ],
      exports: [HealthRegistry],
    };
  }
}
