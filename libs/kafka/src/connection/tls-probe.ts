import { CERTIFICATE_PERIOD_CODES, UNTRUSTED_CERTIFICATE_CODES } from '@hookline/config';
import kafkajs, { type KafkaConfig } from 'kafkajs';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';

/** Handshake failures no retry can fix: the certificates or the listener are wrong. */
const PERMANENT = new Set([
  ...UNTRUSTED_CERTIFICATE_CODES,
  ...CERTIFICATE_PERIOD_CODES,
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
]);

function handshake(broker: string, options: ConnectionOptions, timeoutMs: number): Promise<NodeJS.ErrnoException | null> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  return new Promise((resolve) => {
    let socket: ReturnType<typeof connect>;
    try {
      // The options kafkajs' socket factory passes: SNI only for a host name.
      socket = connect({ host, port: Number(broker.slice(separator + 1)), ...(!isIP(host) && { servername: host }), ...options });
    } catch (error) {
      resolve(error as NodeJS.ErrnoException);
      return;
    }
    const done = (outcome: NodeJS.ErrnoException | null) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('secureConnect', () => done(null));
    socket.once('error', (error) => done(error));
  });
}

/**
 * Shakes hands with the brokers the way kafkajs will, so that a certificate that cannot verify
 * stops the start at once with its cause: kafkajs counts it as a connection error and retries
 * it, for most of a minute, like a broker that is briefly away. Fails only if no broker
 * completes a handshake and one failed permanently; anything else is left to kafkajs.
 */
export async function probeTls(brokers: string[], ssl: KafkaConfig['ssl'], timeoutMs = 5_000): Promise<void> {
  if (!ssl) return;
  const options = ssl === true ? {} : ssl;
  let permanent: kafkajs.KafkaJSConnectionError | null = null;
  for (const broker of brokers) {
    const failure = await handshake(broker, options, timeoutMs);
    if (!failure) return;
    if (PERMANENT.has(failure.code ?? '')) permanent ??= new kafkajs.KafkaJSConnectionError(`Connection error: ${failure.message}`, { broker, code: failure.code });
  }
  if (permanent) throw permanent;
}
