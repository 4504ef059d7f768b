import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../deploy/manifests.js';
import { certificateAuthority, type Issued, issueCertificate } from './certificates.js';
import { freePort } from './service-process.js';

export interface SecureKafka {
  /** The PLAINTEXT listener, for the test's own setup. */
  plaintext: string;
  /** SASL over TLS: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
  saslSsl: string;
  /** TLS with client certificates required. */
  mtls: string;
  dir: string;
  ca: Issued;
  /** A CA that signed nothing the broker shows. */
  otherCa: Issued;
  /** A client certificate signed by `ca`. */
  client: Issued;
  users: Record<'plain' | 'scram-sha-256' | 'scram-sha-512', { username: string; password: string }>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
/** A PEM value on one line of server.properties: java.util.Properties reads `\n` as a line break. */
const property = (pem: string) => pem.trim().replaceAll('\n', '\\n');

/**
 * A broker of its own, from scripts/stack/kafka.sh with its listeners added: PLAINTEXT, SASL_SSL
 * (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and SSL with client authentication required, the
 * certificates PEM in its configuration, the SCRAM users created when its storage is formatted.
 * Ports are free ones, so runs side by side never collide.
 */
export async function startSecureKafka(): Promise<SecureKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-secure-kafka-'));
  const ca = certificateAuthority(dir, 'hookline-test-ca');
  const otherCa = certificateAuthority(dir, 'other-ca');
  const server = issueCertificate(dir, ca, 'broker', { server: { ips: ['127.0.0.1'] } });
  const client = issueCertificate(dir, ca, 'hookline-client', { client: true });
  const users = {
    plain: { username: 'plain-user', password: 'plain-secret' },
    'scram-sha-256': { username: 'scram256-user', password: 'scram256-secret' },
    'scram-sha-512': { username: 'scram512-user', password: 'scram512-secret' },
  };
  const [port, controllerPort, saslPort, mtlsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const properties = [
    'ssl.keystore.type=PEM',
    `ssl.keystore.certificate.chain=${property(server.cert)}`,
    `ssl.keystore.key=${property(server.key)}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.certificates=${property(ca.cert)}`,
    'listener.name.mtls.ssl.client.auth=required',
    'listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.plain.username}="${users.plain.password}";`,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
  ];
  const env = {
    ...process.env,
    HOOKLINE_KAFKA_STATE_DIR: join(dir, 'kafka'),
    HOOKLINE_KAFKA_PORT: String(port),
    HOOKLINE_KAFKA_CONTROLLER_PORT: String(controllerPort),
    HOOKLINE_KAFKA_EXTRA_LISTENERS: `SASL_SSL://127.0.0.1:${saslPort},MTLS://127.0.0.1:${mtlsPort}`,
    HOOKLINE_KAFKA_EXTRA_PROTOCOL_MAP: 'SASL_SSL:SASL_SSL,MTLS:SSL',
    HOOKLINE_KAFKA_SCRAM_USERS: [
      `SCRAM-SHA-256=[name=${users['scram-sha-256'].username},password=${users['scram-sha-256'].password}]`,
      `SCRAM-SHA-512=[name=${users['scram-sha-512'].username},password=${users['scram-sha-512'].password}]`,
    ].join(';'),
    HOOKLINE_KAFKA_EXTRA_PROPERTIES: properties.join('\n'),
  };
  const script = join(ROOT, 'scripts/stack/kafka.sh');
  const stop = async () => {
    await run('bash', [script, 'stop'], { env }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Niced: its JVM starts while other test files run on the same two cores, whose timings matter more.
    await run('nice', ['-n', '10', 'bash', script, 'start'], { env, timeout: 120_000 });
  } catch (error) {
    await stop();
    throw new Error(`the secured broker did not start: ${(error as { stderr?: string }).stderr ?? error}`, { cause: error });
  }
  writeFileSync(join(dir, 'wrong-password'), 'not-the-password\n');
  return {
    plaintext: `127.0.0.1:${port}`,
    saslSsl: `127.0.0.1:${saslPort}`,
    mtls: `127.0.0.1:${mtlsPort}`,
    dir,
    ca,
    otherCa,
    client,
    users,
    stop,
  };
}
