import { topicName } from '@hookline/contracts';
import { startService } from '@hookline/service';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionTypes } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { Svix } from 'svix';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { eventually, migrateTestDatabase, requireStack } from '../support/env.js';
import { pipelineEnv, startPipeline } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';
import { killServiceProcesses, readiness, startServiceProcess } from '../support/service-process.js';
import { type SecureKafka, startSecureKafka } from '../support/secure-kafka.js';

/**
 * Hookline on a broker that asks for what managed clusters ask for: one broker of the test's own
 * (scripts/stack/kafka.sh, certificates generated here, SCRAM users created with Kafka's own
 * storage tool) with a SASL_SSL listener and an mTLS one. Each mechanism carries a message
 * through the whole pipeline, produced with a different codec; a wrong password, an untrusted
 * CA and a name the certificate does not carry each leave a service up but not ready, saying why
 * and which setting to check, trying again with back-off in a few log lines.
 */

let kafka: SecureKafka;
let receiver: Receiver;

beforeAll(async () => {
  [kafka, receiver] = await Promise.all([startSecureKafka(), new Receiver().start(), migrateTestDatabase()]);
}, 180_000);

afterAll(async () => {
  await receiver?.stop();
  await kafka?.stop();
});

const tls = (ca = kafka.ca.certFile) => ({ HOOKLINE_KAFKA_TLS: 'true', HOOKLINE_KAFKA_TLS_CA_FILE: ca });

/** The compression codec of every record batch in a topic's log segments, as the broker stored them. */
function storedCompressions(topic: string): Set<number> {
  const data = join(kafka.dir, 'kafka/data');
  const codecs = new Set<number>();
  for (const directory of readdirSync(data).filter((name) => name.startsWith(`${topic}-`))) {
    for (const file of readdirSync(join(data, directory)).filter((name) => name.endsWith('.log'))) {
      const log = readFileSync(join(data, directory, file));
      // A record batch: baseOffset (8), batchLength (4), leader epoch (4), magic (1), crc (4), attributes (2).
      for (let at = 0; at + 23 <= log.length; at += 12 + log.readInt32BE(at + 8)) codecs.add(log.readInt16BE(at + 21) & 0x07);
    }
  }
  return codecs;
}

const MECHANISMS = [
  {
    name: 'SASL/PLAIN',
    compression: 'gzip',
    env: () => ({ KAFKA_BROKERS: kafka.saslSsl, ...tls(), HOOKLINE_KAFKA_SASL_MECHANISM: 'plain', HOOKLINE_KAFKA_SASL_USERNAME: kafka.users.plain.username, HOOKLINE_KAFKA_SASL_PASSWORD: kafka.users.plain.password }),
  },
  {
    name: 'SASL/SCRAM-SHA-256',
    compression: 'snappy',
    env: () => ({ KAFKA_BROKERS: kafka.saslSsl, ...tls(), HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-256', HOOKLINE_KAFKA_SASL_USERNAME: kafka.users['scram-sha-256'].username, HOOKLINE_KAFKA_SASL_PASSWORD: kafka.users['scram-sha-256'].password }),
  },
  {
    name: 'SASL/SCRAM-SHA-512',
    compression: 'lz4',
    env: () => ({ KAFKA_BROKERS: kafka.saslSsl, ...tls(), HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512', HOOKLINE_KAFKA_SASL_USERNAME: kafka.users['scram-sha-512'].username, HOOKLINE_KAFKA_SASL_PASSWORD: kafka.users['scram-sha-512'].password }),
  },
  {
    name: 'mTLS',
    compression: 'zstd',
    env: () => ({ KAFKA_BROKERS: kafka.mtls, ...tls(), HOOKLINE_KAFKA_TLS_CERT_FILE: kafka.client.certFile, HOOKLINE_KAFKA_TLS_KEY_FILE: kafka.client.keyFile }),
  },
] as const;

const CODEC = { gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };

it.each(MECHANISMS)('delivers a message through the whole pipeline over $name, batches compressed with $compression', async ({ name, compression, env }) => {
  const pipeline = await startPipeline(`security-${compression}`, { ...env(), HOOKLINE_KAFKA_COMPRESSION: compression });
  try {
    const svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    const eventType = `secured.${compression}.${randomUUID().slice(0, 8)}`;
    await svix.eventType.create({ name: eventType, description: name });
    const app = await svix.application.create({ name });
    const path = `/${compression}`;
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(path), eventTypes: [eventType] });
    const payload = { over: name, id: randomUUID() };
    await svix.message.create(app.id, { eventType, payload });

    const [request] = await eventually(() => {
      const received = receiver.on(path);
      expect(received).toHaveLength(1);
      return received;
    }, 30_000);
    const { key } = await svix.endpoint.getSecret(app.id, endpoint.id);
    expect(new Webhook(key).verify(request!.body, request!.headers as Record<string, string>)).toEqual(payload);
    // The broker stored what ingest and fanout produced in the configured codec, and read it back.
    for (const topic of ['events', 'deliveries'] as const) {
      expect([topic, storedCompressions(topicName(pipeline.env.HOOKLINE_TOPIC_PREFIX!, topic))]).toEqual([topic, new Set([CODEC[compression]])]);
    }
  } finally {
    await pipeline.stop();
  }
}, 120_000);

/**
 * kafkajs 2.2.4 sets a negative timeout when a connection it never used closes; Node 24 warns
 * about it once per process, on stderr. It is not a log line of Hookline's.
 */
const NODE_WARNING = /TimeoutNegativeWarning|^Timeout duration was set to 1\.$|^\(Use `node --trace-warnings/;

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

describe.each([
  ...SASL_MECHANISMS.map((mechanism) => ({
    problem: `a wrong ${mechanism} password`,
    env: () => ({ KAFKA_BROKERS: kafka.saslSsl, ...tls(), HOOKLINE_KAFKA_SASL_MECHANISM: mechanism, HOOKLINE_KAFKA_SASL_USERNAME: kafka.users[mechanism].username, HOOKLINE_KAFKA_SASL_PASSWORD_FILE: join(kafka.dir, 'wrong-password') }),
    cause: 'SASL authentication failed',
    setting: 'HOOKLINE_KAFKA_SASL_PASSWORD',
  })),
  {
    problem: 'a CA that did not sign the SASL_SSL listener’s certificate',
    env: () => ({ KAFKA_BROKERS: kafka.saslSsl, ...tls(kafka.otherCa.certFile), HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512', HOOKLINE_KAFKA_SASL_USERNAME: kafka.users['scram-sha-512'].username, HOOKLINE_KAFKA_SASL_PASSWORD: kafka.users['scram-sha-512'].password }),
    cause: 'TLS certificate verify failed',
    setting: 'HOOKLINE_KAFKA_TLS_CA_FILE',
  },
  {
    problem: 'a CA that did not sign the mTLS listener’s certificate',
    env: () => ({ KAFKA_BROKERS: kafka.mtls, ...tls(kafka.otherCa.certFile), HOOKLINE_KAFKA_TLS_CERT_FILE: kafka.client.certFile, HOOKLINE_KAFKA_TLS_KEY_FILE: kafka.client.keyFile }),
    cause: 'TLS certificate verify failed',
    setting: 'HOOKLINE_KAFKA_TLS_CA_FILE',
  },
  {
    problem: 'an untrusted CA, with the name check off (which never skips the chain)',
    env: () => ({ KAFKA_BROKERS: kafka.mtls, ...tls(kafka.otherCa.certFile), HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK: 'false', HOOKLINE_KAFKA_TLS_CERT_FILE: kafka.client.certFile, HOOKLINE_KAFKA_TLS_KEY_FILE: kafka.client.keyFile }),
    cause: 'TLS certificate verify failed',
    setting: 'HOOKLINE_KAFKA_TLS_CA_FILE',
  },
  {
    problem: 'a broker address its certificate does not name',
    env: () => ({ KAFKA_BROKERS: kafka.saslSsl.replace('127.0.0.1', 'localhost'), ...tls(), HOOKLINE_KAFKA_SASL_MECHANISM: 'plain', HOOKLINE_KAFKA_SASL_USERNAME: kafka.users.plain.username, HOOKLINE_KAFKA_SASL_PASSWORD: kafka.users.plain.password }),
    cause: 'TLS hostname mismatch',
    setting: 'KAFKA_BROKERS',
  },
])('a service given $problem', ({ env, cause, setting }) => {
  it('stays up, not ready with the cause and the setting to check, and tries again with back-off in a few log lines', async () => {
    const child = await startServiceProcess('fanout', pipelineEnv('security-refused', env()));
    try {
      const reason = await eventually(async () => {
        const body = await readiness(child);
        expect(body).toMatchObject({ status: 'unavailable', checks: { kafka: expect.stringContaining(cause) } });
        return (body as { checks: Record<string, string> }).checks.kafka!;
      }, 30_000, 250);
      expect(reason).toMatch(new RegExp(`^cannot reach Kafka: ${cause}.*check .*${setting}`));
      // Retries 1 s, 2 s, 4 s apart: after three attempts it is still up, still saying why.
      await eventually(() => expect(child.output.filter((line) => line.includes('cannot reach Kafka; trying again')).length).toBeGreaterThanOrEqual(3), 30_000, 250);
      expect(child.process.exitCode).toBeNull();
      const lines = child.output.filter((line) => !NODE_WARNING.test(line));
      const attempts = lines.filter((line) => line.includes('cannot reach Kafka; trying again')).map((line) => JSON.parse(line) as { reason: string; retryInMs: number });
      for (const attempt of attempts) expect(attempt.reason).toEqual(reason.replace(/^cannot reach Kafka: /, ''));
      expect(attempts.map((attempt) => attempt.retryInMs).slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
      expect(lines.filter((line) => /^\s+at /.test(line) || line.includes('"stack"'))).toEqual([]);
      // Per attempt the service's line, plus kafkajs' own note of the failure once per 10 s: not a flood.
      const other = lines.filter((line) => !line.includes('cannot reach Kafka; trying again') && !line.includes('"level":30'));
      expect(other.length <= attempts.length ? [] : other).toEqual([]);
    } finally {
      await killServiceProcesses();
    }
  }, 90_000);
});

it('connects to a broker address its certificate does not name when the name check is off', async () => {
  const env = pipelineEnv('security-noname', {
    KAFKA_BROKERS: kafka.saslSsl.replace('127.0.0.1', 'localhost'),
    ...tls(),
    HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK: 'false',
    HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    HOOKLINE_KAFKA_SASL_USERNAME: kafka.users['scram-sha-512'].username,
    HOOKLINE_KAFKA_SASL_PASSWORD: kafka.users['scram-sha-512'].password,
  });
  expect(requireStack().databaseUrl).toBe(env.DATABASE_URL);
  const app = await startService(fanout, env);
  await app.close();
}, 60_000);
