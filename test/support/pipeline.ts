import { loadConfig } from '@hookline/config';
import { generateKeyringEntry } from '@hookline/signing';
import { consumerGroup, type ServiceSpec, startService } from '@hookline/service';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Svix } from 'svix';
import { service as delivery } from '../../apps/delivery/src/service.js';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { service as ingest } from '../../apps/ingest/src/service.js';
import { service as retry } from '../../apps/retry/src/service.js';
import { type ApiClient, apiClient } from './api-client.js';
import { eventually, migrateTestDatabase, requireStack, uniquePrefix } from './env.js';
import { expectCaughtUp } from './kafka.js';

export interface Pipeline {
  apiUrl: string;
  adminToken: string;
  env: Record<string, string>;
  /** The services running in this process, for a test that calls one of their providers directly. */
  apps: Partial<Record<PipelineService, INestApplication>>;
  stop(): Promise<void>;
}

/** The environment of a test's own Hookline: its own topics, the shared broker and database. */
export function pipelineEnv(name: string, overrides: Record<string, string> = {}): Record<string, string> {
  const { brokers, databaseUrl } = requireStack();
  return {
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_URL: databaseUrl,
    HOOKLINE_TOPIC_PREFIX: uniquePrefix(name),
    HOOKLINE_TOPIC_PARTITIONS: '2',
    HOOKLINE_ADMIN_TOKEN: `admin-${uniquePrefix(name)}`,
    HOOKLINE_SECRETS_KEYS: generateKeyringEntry('test'),
    HOOKLINE_RETRY_SCHEDULE: '1s,2s',
    // Well past any stall of a busy CI machine, so that a request the receiver answers is not retried
    // (tests count requests exactly); the tests of timeouts set their own.
    HOOKLINE_DELIVERY_TIMEOUT: '10s',
    HOOKLINE_DELIVERY_ALLOW_HTTP: 'true',
    HOOKLINE_DELIVERY_ALLOWED_SUBNETS: '127.0.0.0/8',
    HOOKLINE_HEALTH_PORT: '0',
    HOOKLINE_API_PORT: '0',
    HOOKLINE_LOG_LEVEL: 'warn',
    HOOKLINE_SHUTDOWN_GRACE: '1s',
    ...overrides,
  };
}

/** The environment of a retry schedule of `times` equal delays, without jitter. */
export function evenRetries(delay: string, times: number): Record<string, string> {
  return { HOOKLINE_RETRY_SCHEDULE: Array.from({ length: times }, () => delay).join(','), HOOKLINE_RETRY_JITTER: '0' };
}

export type PipelineService = 'ingest' | 'fanout' | 'delivery' | 'retry';

const SERVICES: Record<PipelineService, ServiceSpec> = { ingest, fanout, delivery, retry };

/**
 * The services of a test's Hookline in this process (all four unless `inProcess` names fewer,
 * for a test that runs the others as child processes with `env`), against the real Kafka and
 * PostgreSQL. Ingest is always among them: it answers the API.
 */
export async function startPipeline(
  name: string,
  overrides: Record<string, string> = {},
  inProcess: readonly PipelineService[] = ['ingest', 'fanout', 'delivery', 'retry'],
): Promise<Pipeline> {
  if (!inProcess.includes('ingest')) throw new Error('startPipeline: ingest must run in-process, it answers the API');
  const env = pipelineEnv(name, overrides);
  await migrateTestDatabase();
  const apps: Partial<Record<PipelineService, INestApplication>> = {};
  try {
    // Ingest first: its API address is the pipeline's.
    for (const service of ['ingest', 'fanout', 'delivery', 'retry'] as const) {
      if (inProcess.includes(service)) apps[service] = await startService(SERVICES[service], env);
    }
  } catch (error) {
    await Promise.all(Object.values(apps).map((app) => app.close()));
    throw error;
  }
  const { port } = apps.ingest!.getHttpServer().address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    adminToken: env.HOOKLINE_ADMIN_TOKEN!,
    env,
    apps,
    stop: async () => {
      await Promise.all(Object.values(apps).map((app) => app.close()));
    },
  };
}

/**
 * Resolves once the pipeline has handled every record written to the topics it reads: each of the
 * four services (all must run, in this process or a child process of the test) has committed them
 * all, and a service commits a record only once what it makes of it is written and sent. A check
 * that something did not happen (a webhook not sent, a report not made) waits for this rather than
 * for a while. Tasks waiting in a retry tier hold it back until they are re-emitted and handled.
 * Work a timer starts is not covered: the outbox relay's re-emits, the sweep of parked ordered
 * messages, and the endpoint.* reports an API call emits without waiting.
 */
export async function settled(pipeline: Pipeline, timeoutMs = 30_000): Promise<void> {
  const groups = (Object.keys(SERVICES) as PipelineService[]).flatMap((service) => {
    const { consumer } = SERVICES[service];
    return consumer ? [consumerGroup(consumer, loadConfig(service, pipeline.env))] : [];
  });
  await eventually(() => expectCaughtUp(groups), timeoutMs, 200);
}

/** A test's Hookline for a describe block (or file), and clients of its API with the admin token. */
export interface PipelineContext {
  pipeline: Pipeline;
  svix: Svix;
  admin: ApiClient;
  /** An event type of the test's own, when `usePipeline` was asked for one. */
  eventType: string;
}

/**
 * startPipeline for the tests of a describe block (or file): started before them (with an event
 * type of its own, `<prefix>.<random>`, if `eventType` is given) and stopped after them. The
 * context's fields are set once the tests run.
 */
export function usePipeline(
  name: string,
  options: { env?: Record<string, string>; inProcess?: readonly PipelineService[]; eventType?: { prefix: string; description: string } } = {},
): PipelineContext {
  const context = {} as PipelineContext;
  if (options.eventType) context.eventType = `${options.eventType.prefix}.${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    context.pipeline = await startPipeline(name, options.env, options.inProcess);
    context.svix = new Svix(context.pipeline.adminToken, { serverUrl: context.pipeline.apiUrl });
    context.admin = apiClient(context.pipeline.apiUrl, context.pipeline.adminToken);
    if (options.eventType) await context.svix.eventType.create({ name: context.eventType, description: options.eventType.description });
  });
  afterAll(async () => {
    await context.pipeline?.stop();
  });
  return context;
}
