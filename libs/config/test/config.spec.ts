import { ConfigError, loadConfig, loadDatabaseConfig, type ReadFile, requiredVariables, SERVICES } from '@hookline/config';

const minimal = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

function problemsOf(env: NodeJS.ProcessEnv, readFile?: ReadFile): string[] {
  try {
    loadConfig('fanout', env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig('delivery', { ...minimal, HOOKLINE_SECRETS_KEYS: 'k1:AAAA' });
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      tls: null,
      sasl: null,
      topicPrefix: 'hookline',
      partitions: 6,
      sessionTimeoutMs: 10_000,
      recoveryDeadlineMs: 300_000,
      stuckAfterMs: 60_000,
      maxPendingBytes: 64 * 1024 * 1024,
      manageTopics: true,
      compression: 'none',
      outcomesRetentionMs: 7 * 86_400_000,
    });
    expect(config.database).toEqual({ url: minimal.DATABASE_URL, tls: null, poolSize: 10, preparedStatements: true });
    expect(config.retry.scheduleMs).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6, 36e6, 36e6]);
    expect(config.retry.deadLetterAfterMs).toBe(48 * 3600 * 1000);
    expect(config.retry.jitter).toBe(0.2);
    expect(config.retention).toEqual({ messagesMs: 90 * 86_400_000 });
    expect(config.delivery).toEqual({
      timeoutMs: 15_000,
      allowHttp: false,
      allowedSubnets: [],
      disableEndpointAfterMs: 5 * 86_400_000,
      circuitBreaker: { threshold: 5, cooldownMs: 30_000 },
    });
    expect(config.http).toEqual({ apiPort: 8080, healthPort: 8082, publicUrl: null, listenHost: '0.0.0.0' });
    expect(config.api).toEqual({
      rateLimitPerSecond: 100,
      invalidTokenRateLimitPerSecond: 10,
      trustedProxies: [],
      idempotencyKeyTtlMs: 86_400_000,
      maxEndpointsPerApplication: 50,
      endpointVerification: false,
      secretRotationGraceMs: 86_400_000,
    });
    expect(config.console).toEqual({ dir: null, portalFrameAncestors: ["'self'"], portalTokenTtlMs: 3_600_000, traceLink: null, traceQueryUrl: null });
  });

  it('reads the public address and how long portal tokens last, refusing an address with a query or another scheme', () => {
    const config = loadConfig('ingest', { ...minimal, HOOKLINE_ADMIN_TOKEN: 'an-admin-token-of-length', HOOKLINE_SECRETS_KEYS: 'k1:AAAA', HOOKLINE_PUBLIC_URL: 'https://hooks.example.com/hookline/', HOOKLINE_PORTAL_TOKEN_TTL: '15m' });
    expect(config.http.publicUrl).toBe('https://hooks.example.com/hookline');
    expect(config.console.portalTokenTtlMs).toBe(900_000);
    for (const bad of ['hooks.example.com', 'ftp://hooks.example.com', 'https://hooks.example.com/?a=1', 'https://hooks.example.com/#x']) {
      expect([bad, problemsOf({ ...minimal, HOOKLINE_PUBLIC_URL: bad })[0]]).toEqual([bad, expect.stringMatching(/^HOOKLINE_PUBLIC_URL/)]);
    }
    expect(problemsOf({ ...minimal, HOOKLINE_PORTAL_TOKEN_TTL: '8d' })[0]).toBe('HOOKLINE_PORTAL_TOKEN_TTL: between 1s and 7d');
  });

  it('reads the trace viewer link and the trace store, refusing a link without {traceId} and a store URL with a query', () => {
    const config = loadConfig('fanout', { ...minimal, HOOKLINE_TRACE_LINK: 'https://jaeger.example.com/trace/{traceId}', HOOKLINE_TRACE_QUERY_URL: 'http://jaeger-query:16686/' });
    expect(config.console).toMatchObject({ traceLink: 'https://jaeger.example.com/trace/{traceId}', traceQueryUrl: 'http://jaeger-query:16686' });
    for (const bad of ['https://jaeger.example.com/trace/', 'javascript:alert({traceId})', 'jaeger/{traceId}']) {
      expect([bad, problemsOf({ ...minimal, HOOKLINE_TRACE_LINK: bad })[0]]).toEqual([bad, expect.stringMatching(/^HOOKLINE_TRACE_LINK: expected an http/)]);
    }
    expect(problemsOf({ ...minimal, HOOKLINE_TRACE_QUERY_URL: 'http://jaeger:16686/?x=1' })[0]).toMatch(/^HOOKLINE_TRACE_QUERY_URL/);
  });

  it('reads who may frame the portal, refusing anything that is not a frame-ancestors source', () => {
    const config = loadConfig('fanout', { ...minimal, HOOKLINE_PORTAL_FRAME_ANCESTORS: "'self', https://*.example.com, https://shop.example.org:8443", HOOKLINE_CONSOLE_DIR: '/srv/console' });
    expect(config.console).toMatchObject({ dir: '/srv/console', portalFrameAncestors: ["'self'", 'https://*.example.com', 'https://shop.example.org:8443'] });
    expect(loadConfig('fanout', { ...minimal, HOOKLINE_PORTAL_FRAME_ANCESTORS: "'none'", HOOKLINE_CONSOLE_DIR: '' }).console).toMatchObject({ dir: null, portalFrameAncestors: ["'none'"] });
    for (const bad of ["https://a.example; script-src *", "'unsafe-inline'", 'https://a.example/"x', "'none',https://a.example", ' , ']) {
      expect([bad, problemsOf({ ...minimal, HOOKLINE_PORTAL_FRAME_ANCESTORS: bad })[0]]).toEqual([bad, expect.stringMatching(/^HOOKLINE_PORTAL_FRAME_ANCESTORS/)]);
    }
  });

  it('reads the API limits and endpoint lifecycle settings', () => {
    const config = loadConfig('fanout', {
      ...minimal,
      HOOKLINE_API_RATE_LIMIT: '0',
      HOOKLINE_MAX_ENDPOINTS_PER_APP: '3',
      HOOKLINE_ENDPOINT_VERIFICATION: 'true',
      HOOKLINE_SECRET_ROTATION_GRACE: '2s',
      HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT: '0',
      HOOKLINE_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8, 192.0.2.1',
      HOOKLINE_IDEMPOTENCY_KEY_TTL: '1h',
      HOOKLINE_LISTEN_HOST: '127.0.0.1',
    });
    expect(config.api).toEqual({
      rateLimitPerSecond: 0,
      invalidTokenRateLimitPerSecond: 0,
      trustedProxies: ['loopback', '10.0.0.0/8', '192.0.2.1'],
      idempotencyKeyTtlMs: 3_600_000,
      maxEndpointsPerApplication: 3,
      endpointVerification: true,
      secretRotationGraceMs: 2_000,
    });
    expect(config.http.listenHost).toBe('127.0.0.1');
    expect(loadConfig('fanout', { ...minimal, HOOKLINE_LISTEN_HOST: '::1' }).http.listenHost).toBe('::1');
    for (const [name, bad] of [['HOOKLINE_LISTEN_HOST', 'localhost'], ['HOOKLINE_TRUSTED_PROXIES', 'everyone'], ['HOOKLINE_IDEMPOTENCY_KEY_TTL', 'forever']]) {
      expect(problemsOf({ ...minimal, [name!]: bad })[0]).toMatch(new RegExp(`^${name}`));
    }
    expect(problemsOf({ ...minimal, HOOKLINE_MAX_ENDPOINTS_PER_APP: '0' })[0]).toMatch(/^HOOKLINE_MAX_ENDPOINTS_PER_APP/);
    expect(problemsOf({ ...minimal, HOOKLINE_API_RATE_LIMIT: '-1' })[0]).toMatch(/^HOOKLINE_API_RATE_LIMIT/);
  });

  it('reads the retention, and refuses one that would not outlive the retry window', () => {
    expect(loadConfig('fanout', { ...minimal, HOOKLINE_RETENTION: '2m', HOOKLINE_DEAD_LETTER_AFTER: '1m' }).retention).toEqual({ messagesMs: 120_000 });
    expect(problemsOf({ ...minimal, HOOKLINE_RETENTION: '48h' })).toEqual(['HOOKLINE_RETENTION: must be longer than HOOKLINE_DEAD_LETTER_AFTER (2d), so that a message outlives its retries; got 2d']);
    expect(problemsOf({ ...minimal, HOOKLINE_RETENTION: '1h', HOOKLINE_DEAD_LETTER_AFTER: '2h' })[0]).toMatch(/^HOOKLINE_RETENTION: must be longer than HOOKLINE_DEAD_LETTER_AFTER \(2h\)/);
  });

  it('parses lists, durations and booleans', () => {
    const config = loadConfig('ingest', {
      ...minimal,
      HOOKLINE_ADMIN_TOKEN: 'an-admin-token-of-length',
      HOOKLINE_SECRETS_KEYS: 'k1:AAAA',
      KAFKA_BROKERS: 'a:1, b:2',
      HOOKLINE_RETRY_SCHEDULE: '200ms,1s,1.5s',
      HOOKLINE_DELIVERY_ALLOW_HTTP: 'true',
      HOOKLINE_DELIVERY_ALLOWED_SUBNETS: '127.0.0.0/8,::1/128',
      HOOKLINE_API_PORT: '9000',
    });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.retry.scheduleMs).toEqual([200, 1000, 1500]);
    expect(config.delivery.allowHttp).toBe(true);
    expect(config.delivery.allowedSubnets).toEqual(['127.0.0.0/8', '::1/128']);
    expect(config.http).toEqual({ apiPort: 9000, healthPort: 9000, publicUrl: null, listenHost: '0.0.0.0' });
  });

  it('requires the admin token and secrets keyring where a service needs them', () => {
    expect(() => loadConfig('ingest', minimal)).toThrow(/HOOKLINE_ADMIN_TOKEN: required by the ingest service/);
    expect(() => loadConfig('delivery', minimal)).toThrow(/HOOKLINE_SECRETS_KEYS: required by the delivery service/);
    expect(() => loadConfig('fanout', minimal)).not.toThrow();
  });

  it('names every missing or bad variable', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://x',
      HOOKLINE_RETRY_SCHEDULE: '5s,soon',
      HOOKLINE_DELIVERY_ALLOW_HTTP: 'maybe',
      HOOKLINE_DELIVERY_ALLOWED_SUBNETS: '10.0.0.0/99',
      HOOKLINE_TOPIC_PREFIX: 'bad prefix',
    });
    const named = problems.map((problem) => problem.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'KAFKA_BROKERS',
        'DATABASE_URL',
        'HOOKLINE_RETRY_SCHEDULE.1',
        'HOOKLINE_DELIVERY_ALLOW_HTTP',
        'HOOKLINE_DELIVERY_ALLOWED_SUBNETS.0',
        'HOOKLINE_TOPIC_PREFIX',
      ]),
    );
    expect(problems.find((problem) => problem.startsWith('HOOKLINE_RETRY_SCHEDULE'))).toContain('"soon"');
  });
});

describe('requiredVariables', () => {
  it('lists what every service needs, then what only some do', () => {
    expect(requiredVariables('ingest')).toEqual(['KAFKA_BROKERS', 'DATABASE_URL', 'HOOKLINE_ADMIN_TOKEN', 'HOOKLINE_SECRETS_KEYS']);
    expect(requiredVariables('fanout')).toEqual(['KAFKA_BROKERS', 'DATABASE_URL']);
    expect(requiredVariables('delivery')).toEqual(['KAFKA_BROKERS', 'DATABASE_URL', 'HOOKLINE_SECRETS_KEYS']);
    expect(requiredVariables('retry')).toEqual(['KAFKA_BROKERS', 'DATABASE_URL']);
  });

  it('is exactly what loadConfig refuses to start without', () => {
    for (const service of SERVICES) {
      const required = requiredVariables(service);
      const complete = { ...minimal, HOOKLINE_ADMIN_TOKEN: 'x'.repeat(16), HOOKLINE_SECRETS_KEYS: 'k1:AAAA' };
      const only = Object.fromEntries(Object.entries(complete).filter(([name]) => required.includes(name)));
      expect(() => loadConfig(service, only)).not.toThrow();
      for (const name of required) {
        expect(() => loadConfig(service, { ...only, [name]: undefined })).toThrow(name);
      }
    }
  });
});

/** Files as a mounted Secret would hold them; any other path does not exist. */
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files: Record<string, string> = {
  '/run/ca.pem': PEM,
  '/run/cert.pem': PEM,
  '/run/key.pem': PEM.replaceAll('CERTIFICATE', 'PRIVATE KEY'),
  '/run/user': 'hookline\n',
  '/run/password': '  s3cret\n',
  '/run/not-pem': 'hello',
  '/run/empty': '\n',
};
const readFile: ReadFile = (path) => {
  if (path in files) return files[path]!;
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
};

describe('Kafka security settings', () => {
  it('reads TLS files and SASL credentials, from variables or files', () => {
    const config = loadConfig(
      'fanout',
      {
        ...minimal,
        HOOKLINE_KAFKA_TLS: 'true',
        HOOKLINE_KAFKA_TLS_CA_FILE: '/run/ca.pem',
        HOOKLINE_KAFKA_TLS_CERT_FILE: '/run/cert.pem',
        HOOKLINE_KAFKA_TLS_KEY_FILE: '/run/key.pem',
        HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        HOOKLINE_KAFKA_SASL_USERNAME_FILE: '/run/user',
        HOOKLINE_KAFKA_SASL_PASSWORD_FILE: '/run/password',
        HOOKLINE_KAFKA_COMPRESSION: 'zstd',
        HOOKLINE_KAFKA_MANAGE_TOPICS: 'false',
      },
      readFile,
    );
    expect(config.kafka.tls).toEqual({ ca: files['/run/ca.pem'], cert: files['/run/cert.pem'], key: files['/run/key.pem'], serverNameCheck: true });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'hookline', password: 's3cret' });
    expect(config.kafka).toMatchObject({ compression: 'zstd', manageTopics: false });

    const plain = loadConfig('fanout', { ...minimal, HOOKLINE_KAFKA_TLS: 'true', HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK: 'false', HOOKLINE_KAFKA_SASL_MECHANISM: 'plain', HOOKLINE_KAFKA_SASL_USERNAME: 'key', HOOKLINE_KAFKA_SASL_PASSWORD: 'secret' });
    expect(plain.kafka.tls).toEqual({ serverNameCheck: false });
    expect(plain.kafka.sasl).toEqual({ mechanism: 'plain', username: 'key', password: 'secret' });
  });

  it('takes AWS IAM for MSK with a region, and a role to assume if given', () => {
    const config = loadConfig('fanout', {
      ...minimal,
      HOOKLINE_KAFKA_TLS: 'true',
      HOOKLINE_KAFKA_SASL_MECHANISM: 'aws-msk-iam',
      HOOKLINE_KAFKA_AWS_REGION: 'eu-west-1',
      HOOKLINE_KAFKA_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/hookline',
      HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME: 'hookline-fanout',
    });
    expect(config.kafka.sasl).toEqual({ mechanism: 'aws-msk-iam', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/hookline', roleSessionName: 'hookline-fanout' });
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['an unknown mechanism', { HOOKLINE_KAFKA_SASL_MECHANISM: 'gssapi' }, 'HOOKLINE_KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512, aws-msk-iam'],
    ['PLAIN without TLS', { HOOKLINE_KAFKA_SASL_MECHANISM: 'plain', HOOKLINE_KAFKA_SASL_USERNAME: 'u', HOOKLINE_KAFKA_SASL_PASSWORD: 'p' }, 'HOOKLINE_KAFKA_SASL_MECHANISM: plain sends the password in clear'],
    ['SCRAM without a password', { HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-256', HOOKLINE_KAFKA_SASL_USERNAME: 'u' }, 'HOOKLINE_KAFKA_SASL_PASSWORD: required by scram-sha-256'],
    ['a password and a password file', { HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-256', HOOKLINE_KAFKA_SASL_USERNAME: 'u', HOOKLINE_KAFKA_SASL_PASSWORD: 'p', HOOKLINE_KAFKA_SASL_PASSWORD_FILE: '/run/password' }, 'HOOKLINE_KAFKA_SASL_PASSWORD: set both'],
    ['an empty password file', { HOOKLINE_KAFKA_SASL_MECHANISM: 'scram-sha-256', HOOKLINE_KAFKA_SASL_USERNAME: 'u', HOOKLINE_KAFKA_SASL_PASSWORD_FILE: '/run/empty' }, 'HOOKLINE_KAFKA_SASL_PASSWORD_FILE: /run/empty is empty'],
    ['credentials without a mechanism', { HOOKLINE_KAFKA_SASL_USERNAME: 'u' }, 'HOOKLINE_KAFKA_SASL_USERNAME: set without HOOKLINE_KAFKA_SASL_MECHANISM'],
    ['a CA file with TLS off', { HOOKLINE_KAFKA_TLS_CA_FILE: '/run/ca.pem' }, 'HOOKLINE_KAFKA_TLS_CA_FILE: set while HOOKLINE_KAFKA_TLS is false'],
    ['a CA file that does not exist', { HOOKLINE_KAFKA_TLS: 'true', HOOKLINE_KAFKA_TLS_CA_FILE: '/run/missing.pem' }, 'HOOKLINE_KAFKA_TLS_CA_FILE: cannot read /run/missing.pem (ENOENT)'],
    ['a CA file that is not PEM', { HOOKLINE_KAFKA_TLS: 'true', HOOKLINE_KAFKA_TLS_CA_FILE: '/run/not-pem' }, 'HOOKLINE_KAFKA_TLS_CA_FILE: /run/not-pem is not PEM'],
    ['a certificate without its key', { HOOKLINE_KAFKA_TLS: 'true', HOOKLINE_KAFKA_TLS_CERT_FILE: '/run/cert.pem' }, 'HOOKLINE_KAFKA_TLS_KEY_FILE: a client certificate needs both'],
    ['AWS IAM without a region', { HOOKLINE_KAFKA_TLS: 'true', HOOKLINE_KAFKA_SASL_MECHANISM: 'aws-msk-iam' }, 'HOOKLINE_KAFKA_AWS_REGION: required by aws-msk-iam'],
    ['AWS IAM without TLS', { HOOKLINE_KAFKA_SASL_MECHANISM: 'aws-msk-iam', HOOKLINE_KAFKA_AWS_REGION: 'us-east-1' }, 'HOOKLINE_KAFKA_SASL_MECHANISM: aws-msk-iam needs HOOKLINE_KAFKA_TLS=true'],
    ['a malformed role ARN', { HOOKLINE_KAFKA_AWS_ROLE_ARN: 'hookline-role' }, 'HOOKLINE_KAFKA_AWS_ROLE_ARN: expected an IAM role ARN'],
    ['an unknown compression', { HOOKLINE_KAFKA_COMPRESSION: 'brotli' }, 'HOOKLINE_KAFKA_COMPRESSION: expected one of none, gzip, snappy, lz4, zstd'],
  ])('refuses %s, naming the setting', (_, env, problem) => {
    expect(problemsOf({ ...minimal, ...env }, readFile)).toContainEqual(expect.stringContaining(problem));
  });
});

describe('PostgreSQL settings', () => {
  const load = (env: NodeJS.ProcessEnv) => loadDatabaseConfig({ DATABASE_URL: 'postgres://u:p@db.example.com:5432/hookline', ...env }, readFile);

  it('reads sslmode, the CA, the pool size and prepared statements, and takes sslmode from DATABASE_URL (libpq meaning), out of the URL', () => {
    expect(load({ HOOKLINE_DATABASE_SSLMODE: 'verify-full', HOOKLINE_DATABASE_SSL_CA_FILE: '/run/ca.pem', HOOKLINE_DATABASE_POOL_SIZE: '25' })).toEqual({
      url: 'postgres://u:p@db.example.com:5432/hookline',
      tls: { mode: 'verify-full', ca: PEM },
      poolSize: 25,
      preparedStatements: true,
    });
    expect(load({ DATABASE_URL: 'postgres://u:p@db:5432/hookline?sslmode=require&application_name=x' })).toEqual({
      url: 'postgres://u:p@db:5432/hookline?application_name=x',
      tls: { mode: 'require' },
      poolSize: 10,
      preparedStatements: true,
    });
    expect(load({ DATABASE_URL: 'postgres://u:p@db/h?sslmode=verify-ca&sslrootcert=/run/ca.pem' }).tls).toEqual({ mode: 'verify-ca', ca: PEM });
    expect(load({ HOOKLINE_DATABASE_PREPARED_STATEMENTS: 'false' }).preparedStatements).toBe(false);
    // The same settings reach the services.
    expect(loadConfig('retry', { ...minimal, HOOKLINE_DATABASE_SSLMODE: 'require', HOOKLINE_DATABASE_POOL_SIZE: '4', HOOKLINE_DATABASE_PREPARED_STATEMENTS: 'false' }).database).toEqual({
      url: minimal.DATABASE_URL,
      tls: { mode: 'require' },
      poolSize: 4,
      preparedStatements: false,
    });
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['an unknown sslmode', { HOOKLINE_DATABASE_SSLMODE: 'always' }, 'HOOKLINE_DATABASE_SSLMODE: expected one of disable, require, verify-ca, verify-full'],
    ['prefer in the URL, which has no fallback here', { DATABASE_URL: 'postgres://u@db/h?sslmode=prefer' }, 'HOOKLINE_DATABASE_SSLMODE: "prefer" (from DATABASE_URL\'s sslmode) is not supported'],
    ['an sslmode that contradicts the URL', { DATABASE_URL: 'postgres://u@db/h?sslmode=require', HOOKLINE_DATABASE_SSLMODE: 'verify-full' }, 'HOOKLINE_DATABASE_SSLMODE: is "verify-full" but DATABASE_URL has sslmode=require'],
    ['a CA file without TLS', { HOOKLINE_DATABASE_SSL_CA_FILE: '/run/ca.pem' }, 'HOOKLINE_DATABASE_SSL_CA_FILE: set while sslmode is disable'],
    ['a missing CA file', { HOOKLINE_DATABASE_SSLMODE: 'verify-full', HOOKLINE_DATABASE_SSL_CA_FILE: '/run/nope.pem' }, 'HOOKLINE_DATABASE_SSL_CA_FILE: cannot read /run/nope.pem (ENOENT)'],
    ['a pool of none', { HOOKLINE_DATABASE_POOL_SIZE: '0' }, 'HOOKLINE_DATABASE_POOL_SIZE'],
    ['prepared statements neither on nor off', { HOOKLINE_DATABASE_PREPARED_STATEMENTS: 'sometimes' }, 'HOOKLINE_DATABASE_PREPARED_STATEMENTS: expected true or false'],
  ])('refuses %s, naming the setting', (_, env, problem) => {
    expect(() => load(env)).toThrow(problem);
  });
});
