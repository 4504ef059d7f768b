import { startService } from '@hookline/service';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { service as delivery } from '../../apps/delivery/src/service.js';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { service as ingest } from '../../apps/ingest/src/service.js';
import { service as retry } from '../../apps/retry/src/service.js';
import { pipelineEnv } from '../support/pipeline.js';
import { freePort } from '../support/service-process.js';

describe('each service boots against the real Kafka and PostgreSQL', () => {
  const env = pipelineEnv('boot');
  const specs = [ingest, fanout, delivery, retry];

  it.each(specs)('$service answers liveness and readiness, then shuts down cleanly', async (spec) => {
    const app: INestApplication = await startService(spec, env);
    const { port } = app.getHttpServer().address() as AddressInfo;
    try {
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);
      // Readiness needs Kafka, PostgreSQL and (for consumers) a joined consumer group.
      let ready: { status: string; checks: Record<string, string> } | undefined;
      for (let i = 0; i < 100 && ready?.status !== 'ok'; i++) {
        ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as typeof ready;
        if (ready?.status !== 'ok') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(ready?.status).toBe('ok');
      expect(ready?.checks).toEqual(
        expect.objectContaining({ postgres: 'ok', kafka: 'ok', ...(spec.consumer ? { consumer: 'ok' } : {}) }),
      );
    } finally {
      await app.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('starts without a broker: health answers at once, not ready and saying why, and alive', async () => {
    // Nothing listens on a port the OS just handed out and took back.
    const [brokerPort, healthPort] = [await freePort(), await freePort()];
    const app = await startService(fanout, { ...env, KAFKA_BROKERS: `127.0.0.1:${brokerPort}`, HOOKLINE_HEALTH_PORT: String(healthPort) });
    try {
      const ready = await fetch(`http://127.0.0.1:${healthPort}/health/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, string> };
      expect(body.checks.kafka).toMatch(/cannot reach Kafka: .*ECONNREFUSED/);
      expect(body.checks.consumer).toBe('not consuming yet: joining the consumer group');
      expect((await fetch(`http://127.0.0.1:${healthPort}/health/live`)).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 30_000);

  it('listens on every address by default, as a container must, and on HOOKLINE_LISTEN_HOST alone when given', async () => {
    const everywhere = await startService(fanout, env);
    const local = await startService(retry, { ...env, HOOKLINE_LISTEN_HOST: '127.0.0.1' });
    try {
      expect((everywhere.getHttpServer().address() as AddressInfo).address).toBe('0.0.0.0');
      expect((local.getHttpServer().address() as AddressInfo).address).toBe('127.0.0.1');
    } finally {
      await Promise.all([everywhere.close(), local.close()]);
    }
  });
});
