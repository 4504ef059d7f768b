import { startService } from '@hookline/service';
import { startTelemetry } from '@hookline/telemetry';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Svix } from 'svix';
import { service as delivery } from '../../apps/delivery/src/service.js';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { service as ingest } from '../../apps/ingest/src/service.js';
import { service as retry } from '../../apps/retry/src/service.js';
import { eventually, migrateTestDatabase } from '../support/env.js';
import { pipelineEnv } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';

describe('each service serves Prometheus metrics that move with the traffic', () => {
  const env = pipelineEnv('metrics');
  const apps = new Map<string, INestApplication>();
  let receiver: Receiver;

  beforeAll(async () => {
    startTelemetry('hookline-test');
    await migrateTestDatabase();
    for (const spec of [ingest, fanout, delivery, retry]) apps.set(spec.service, await startService(spec, env));
    receiver = await new Receiver().start();
  });

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.close()));
    await receiver?.stop();
  });

  const urlOf = (service: string) => `http://127.0.0.1:${(apps.get(service)!.getHttpServer().address() as AddressInfo).port}`;
  const scrape = async (service: string) => {
    const response = await fetch(`${urlOf(service)}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const sample = (text: string, name: string, labels: string) =>
    Number(text.split('\n').find((line) => line.startsWith(name) && labels.split(',').every((label) => line.includes(label)))?.split(' ').at(-1) ?? 0);

  it('counts attempts by outcome, delivery latency, API durations and consumer lag', async () => {
    const svix = new Svix(env.HOOKLINE_ADMIN_TOKEN!, { serverUrl: urlOf('ingest') });
    const eventType = `metrics.${randomUUID().slice(0, 8)}`;
    await svix.eventType.create({ name: eventType, description: 'metered' });
    const app = await svix.application.create({ name: 'Metered' });
    await svix.endpoint.create(app.id, { url: receiver.url('/ok') });
    const before = await scrape('delivery');
    const successesBefore = sample(before, 'hookline_delivery_attempts', 'outcome="success",status_class="2xx"');

    await svix.message.create(app.id, { eventType, payload: { n: 1 } });
    await svix.message.create(app.id, { eventType, payload: { n: 2 } });
    await eventually(() => expect(receiver.on('/ok')).toHaveLength(2));

    await eventually(async () => {
      const text = await scrape('delivery');
      expect(sample(text, 'hookline_delivery_attempts', 'outcome="success",status_class="2xx"')).toBe(successesBefore + 2);
      expect(sample(text, 'hookline_delivery_latency_count', '')).toBeGreaterThanOrEqual(2);
    });
    const api = await scrape('ingest');
    expect(sample(api, 'http_server_request_duration_count', 'http_route="/api/v1/app/:appId/msg"')).toBeGreaterThanOrEqual(2);
    // Lag is measured every few seconds by each consumer; every consumer service reports its topics.
    for (const service of ['fanout', 'delivery', 'retry']) {
      await eventually(async () => expect(await scrape(service)).toMatch(/hookline_consumer_lag\{[^}]*messaging_consumer_group_name="[^"]+"/), 15_000);
    }
  });
});
