import { CERTIFICATE_PERIOD_CODES, UNTRUSTED_CERTIFICATE_CODES } from '@hookline/config';

/** What a failure's chain (the error, its causes, aggregated errors) tells, flattened. */
interface Clue {
  name: string;
  message: string;
  code: string;
  type: string;
}

function cluesOf(error: unknown, depth = 0): Clue[] {
  if (depth > 8 || error === null || error === undefined) return [];
  if (typeof error !== 'object') return [{ name: '', message: String(error), code: '', type: '' }];
  const { name, message, code, type, cause, errors } = error as Record<string, unknown>;
  const here: Clue = { name: String(name ?? ''), message: String(message ?? ''), code: String(code ?? ''), type: String(type ?? '') };
  const nested = Array.isArray(errors) ? errors : [];
  return [here, ...cluesOf(cause, depth + 1), ...nested.flatMap((inner: unknown) => cluesOf(inner, depth + 1))];
}

interface Diagnosis {
  /** Matches one link of the chain. */
  test: (clue: Clue) => boolean;
  what: string;
  check: string;
}

const codeIn =
  (...codes: string[]) =>
  (clue: Clue) =>
    codes.includes(clue.code);
const messageMatches = (pattern: RegExp) => (clue: Clue) => pattern.test(clue.message);

/** Most specific first: a TLS failure also surfaces as a connection error further up the chain. */
const DIAGNOSES: Diagnosis[] = [
  {
    test: (clue) => clue.name === 'KafkaJSSASLAuthenticationError' && /OAUTHBEARER/i.test(clue.message),
    what: 'SASL authentication with an AWS IAM token failed',
    check: 'the AWS credentials the service runs with, their IAM policy (kafka-cluster:Connect), HOOKLINE_KAFKA_AWS_REGION and HOOKLINE_KAFKA_AWS_ROLE_ARN',
  },
  {
    test: (clue) => /mechanism is not supported|UNSUPPORTED_SASL_MECHANISM/i.test(`${clue.message} ${clue.type}`),
    what: 'the broker does not offer this SASL mechanism on this listener',
    check: 'HOOKLINE_KAFKA_SASL_MECHANISM, and the port in KAFKA_BROKERS',
  },
  {
    test: (clue) => clue.name === 'KafkaJSSASLAuthenticationError' || clue.type === 'SASL_AUTHENTICATION_FAILED',
    what: 'SASL authentication failed',
    check: 'HOOKLINE_KAFKA_SASL_USERNAME and HOOKLINE_KAFKA_SASL_PASSWORD (or their _FILE variants), and HOOKLINE_KAFKA_SASL_MECHANISM',
  },
  {
    test: codeIn(...UNTRUSTED_CERTIFICATE_CODES),
    what: "TLS certificate verify failed: the broker's certificate is not signed by a trusted CA",
    check: 'HOOKLINE_KAFKA_TLS_CA_FILE (the CA bundle that signed the brokers’ certificates)',
  },
  {
    test: codeIn(...CERTIFICATE_PERIOD_CODES),
    what: "TLS certificate verify failed: the broker's certificate is outside its validity period",
    check: "the broker's certificate, and this machine's clock",
  },
  {
    test: codeIn('ERR_TLS_CERT_ALTNAME_INVALID'),
    what: "TLS hostname mismatch: the broker's certificate does not name the address connected to",
    check: 'the host names in KAFKA_BROKERS (they must be names the certificate carries), or HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK',
  },
  {
    test: (clue) => /CERTIFICATE_REQUIRED/.test(clue.code) || /certificate required/i.test(clue.message),
    what: 'the broker requires a client certificate (mTLS)',
    check: 'HOOKLINE_KAFKA_TLS_CERT_FILE and HOOKLINE_KAFKA_TLS_KEY_FILE',
  },
  {
    test: (clue) => /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(clue.code) || /alert (unknown ca|bad certificate)/i.test(clue.message),
    what: 'the broker refused the client certificate',
    check: 'HOOKLINE_KAFKA_TLS_CERT_FILE and HOOKLINE_KAFKA_TLS_KEY_FILE (a certificate signed by a CA the broker trusts)',
  },
  {
    test: (clue) => /KEY_VALUES_MISMATCH/.test(clue.code),
    what: 'the client certificate and key do not belong together',
    check: 'HOOKLINE_KAFKA_TLS_CERT_FILE and HOOKLINE_KAFKA_TLS_KEY_FILE',
  },
  {
    test: (clue) => /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/.test(clue.code) || /wrong version number/i.test(clue.message),
    what: 'TLS handshake failed: the listener does not speak TLS',
    check: 'HOOKLINE_KAFKA_TLS, and the port in KAFKA_BROKERS',
  },
  {
    test: (clue) => /_AUTHORIZATION_FAILED$/.test(clue.type),
    what: 'Kafka refused an operation: the principal lacks an ACL',
    check: 'the ACLs of this service’s principal (README: "ACLs each service needs")',
  },
  {
    test: codeIn('ECONNREFUSED'),
    what: 'connection refused',
    check: 'KAFKA_BROKERS (host and port), and that the brokers are running',
  },
  {
    test: codeIn('ENOTFOUND', 'EAI_AGAIN'),
    what: 'a broker host name does not resolve',
    check: 'KAFKA_BROKERS',
  },
  {
    test: (clue) => clue.name === 'KafkaJSConnectionClosedError' || /Closed connection/.test(clue.message),
    what: 'the broker closed the connection',
    check: 'that HOOKLINE_KAFKA_TLS and HOOKLINE_KAFKA_SASL_MECHANISM match the listener in KAFKA_BROKERS (a TLS or SASL listener drops clients without them)',
  },
  {
    test: messageMatches(/Connection timeout|Request .* timed out|ETIMEDOUT/),
    what: 'no answer from the broker in time',
    check: 'KAFKA_BROKERS, the network path to it, and HOOKLINE_KAFKA_TLS (a TLS listener does not answer a client without TLS)',
  },
];

/** The innermost message of a chain: the broker's or the socket's own words. */
function detailOf(clues: Clue[], matched: Clue | undefined): string {
  const source = matched ?? clues.findLast((clue) => clue.message) ?? clues[0];
  return (source?.message ?? 'unknown error').replace(/^Connection error: /, '');
}

/**
 * One line saying why Kafka failed and which setting to check, for the logs and the readiness
 * reason: kafkajs wraps the cause (a socket's TLS error code, the broker's SASL answer) in
 * connection and retry errors, and its stack traces name none of the settings.
 */
export function describeKafkaError(error: unknown): string {
  const clues = cluesOf(error);
  for (const diagnosis of DIAGNOSES) {
    const matched = clues.find((clue) => diagnosis.test(clue));
    if (matched) return `${diagnosis.what} (${detailOf(clues, matched)}); check ${diagnosis.check}`;
  }
  return detailOf(clues, undefined);
}

/** The broker's error types (kafkajs's `type`, such as UNKNOWN_MEMBER_ID) anywhere in a failure's chain. */
export function kafkaErrorTypes(error: unknown): string[] {
  return cluesOf(error)
    .map((clue) => clue.type)
    .filter((type) => type !== '');
}
