import { createServer, type Server } from 'node:net';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { createKafkaClient, describeKafkaError, kafkaSecurityOptions, type MskTokenRequest, mskIamTokenProvider } from '@hookline/kafka';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } = kafkajs;

describe('describeKafkaError', () => {
  it('names the cause and the setting to check through kafkajs’ retry wrapping', () => {
    const refused = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9', { broker: '127.0.0.1:9', code: 'ECONNREFUSED' }), { retryCount: 8, retryTime: 1000 });
    expect(describeKafkaError(refused)).toBe('connection refused (connect ECONNREFUSED 127.0.0.1:9); check KAFKA_BROKERS (host and port), and that the brokers are running');
    const expired = new KafkaJSConnectionError('Connection error: certificate has expired', { code: 'CERT_HAS_EXPIRED' });
    expect(describeKafkaError(expired)).toMatch(/^TLS certificate verify failed: .*validity period/);
    const required = new KafkaJSConnectionError('Connection error: tlsv13 alert certificate required', { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect(describeKafkaError(required)).toMatch(/requires a client certificate .*HOOKLINE_KAFKA_TLS_CERT_FILE and HOOKLINE_KAFKA_TLS_KEY_FILE$/);
    const plaintextPort = new KafkaJSConnectionError('Connection error: wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(describeKafkaError(plaintextPort)).toMatch(/does not speak TLS.*check HOOKLINE_KAFKA_TLS/);
    // kafkajs' typings leave out this constructor's message.
    const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
    const iam = new SaslError('SASL OAUTHBEARER authentication failed: Access denied');
    expect(describeKafkaError(iam)).toMatch(/AWS IAM token failed.*HOOKLINE_KAFKA_AWS_REGION/);
    const acl = new KafkaJSProtocolError(Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 }));
    expect(describeKafkaError(acl)).toMatch(/lacks an ACL.*ACLs each service needs/);
    expect(describeKafkaError(new Error('something else'))).toBe('something else');
  });

  it('classifies a real refused connection from kafkajs itself, whose own repeated logs shrink to one line without stack', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const lines: Array<{ level: number; msg: string; stack?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const admin = createKafkaClient({ clientId: 'refused', brokers: [`127.0.0.1:${port}`], logger }).admin({ retry: { retries: 0 } });
    const failure = await admin.connect().then(() => null, (error: unknown) => error);
    expect(describeKafkaError(failure)).toMatch(/^connection refused .*check KAFKA_BROKERS/);
    // kafkajs logged each of its attempts twice (the socket, the broker pool): one line remains.
    expect(lines.map(({ level, msg, stack }) => ({ level, msg, stack }))).toEqual([{ level: 50, msg: expect.stringContaining('ECONNREFUSED'), stack: undefined }]);
  });
});

describe('AWS IAM for MSK', () => {
  const sasl = { mechanism: 'aws-msk-iam', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/hookline', roleSessionName: 'hookline-delivery' } as const;

  it('hands kafkajs an OAUTHBEARER provider that asks the signer for the configured region and role, and reuses a token until it nears expiry', async () => {
    const requests: MskTokenRequest[] = [];
    let now = Date.now();
    const generator = async (request: MskTokenRequest) => {
      requests.push(request);
      return { token: `token-${requests.length}`, expiryTime: now + 15 * 60_000 };
    };
    const options = kafkaSecurityOptions({ tls: { serverNameCheck: true }, sasl }, { mskTokenGenerator: generator });
    expect(options.ssl).toEqual({ rejectUnauthorized: true });
    expect(options.sasl?.mechanism).toBe('oauthbearer');
    const provider = (options.sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'token-1' });
    expect(await provider()).toEqual({ value: 'token-1' });
    expect(requests).toEqual([{ region: 'eu-west-1', awsRoleArn: sasl.roleArn, awsRoleSessionName: 'hookline-delivery' }]);
    now += 15 * 60_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      expect(await provider()).toEqual({ value: 'token-2' });
    } finally {
      Date.now = realNow;
    }
  });

  it('signs with AWS’s own signer from the default credential chain: a presigned kafka-cluster:Connect URL for the region', async () => {
    // Static credentials in the environment: the chain's first source, read without any network.
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    try {
      const provider = mskIamTokenProvider({ mechanism: 'aws-msk-iam', region: 'eu-west-1' });
      const { value } = await provider();
      const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
      expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
      expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      process.env = saved;
    }
  });
});

describe('kafkaSecurityOptions', () => {
  it('maps TLS files, the name check and SASL credentials onto kafkajs', () => {
    const options = kafkaSecurityOptions({ tls: { ca: 'CA', cert: 'CERT', key: 'KEY', serverNameCheck: false }, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } });
    expect(options.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
    const ssl = options.ssl as { ca: string; cert: string; key: string; rejectUnauthorized: boolean; checkServerIdentity: () => undefined };
    expect(ssl).toMatchObject({ ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: true });
    expect(ssl.checkServerIdentity()).toBeUndefined();
    expect(kafkaSecurityOptions({ tls: null, sasl: null })).toEqual({});
  });
});
