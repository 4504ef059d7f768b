import { startService } from '@hookline/service';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { service as delivery } from '../../apps/delivery/src/service.js';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { service as ingest } from '../../apps/ingest/src/service.js';
import { service as retry } from '../../apps/retry/src/service.js';
import { pipelineEnv } from '../support/pipeline.js';

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
});
