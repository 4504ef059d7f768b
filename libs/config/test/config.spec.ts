import { ConfigError, loadConfig, requiredVariables, SERVICES } from '@hookline/config';

const minimal = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig('fanout', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig('delivery', { ...minimal, HOOKLINE_SECRETS_KEYS: 'k1:AAAA' });
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], topicPrefix: 'hookline', partitions: 6, sessionTimeoutMs: 10_000, recoveryDeadlineMs: 300_000, stuckAfterMs: 60_000 });
    expect(config.retry.scheduleMs).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6, 36e6, 36e6]);
    expect(config.retry.deadLetterAfterMs).toBe(48 * 3600 * 1000);
    expect(config.retry.jitter).toBe(0.2);
    expect(config.delivery).toEqual({
      timeoutMs: 15_000,
      allowHttp: false,
      allowedSubnets: [],
      disableEndpointAfterMs: 5 * 86_400_000,
      circuitBreaker: { threshold: 5, cooldownMs: 30_000 },
    });
    expect(config.http).toEqual({ apiPort: 8080, healthPort: 8082, publicUrl: null });
    expect(config.api).toEqual({ rateLimitPerSecond: 100, maxEndpointsPerApplication: 50, endpointVerification: false, secretRotationGraceMs: 86_400_000 });
    expect(config.console).toEqual({ dir: null, portalFrameAncestors: ["'self'"], portalTokenTtlMs: 3_600_000 });
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
    });
    expect(config.api).toEqual({ rateLimitPerSecond: 0, maxEndpointsPerApplication: 3, endpointVerification: true, secretRotationGraceMs: 2_000 });
    expect(problemsOf({ ...minimal, HOOKLINE_MAX_ENDPOINTS_PER_APP: '0' })[0]).toMatch(/^HOOKLINE_MAX_ENDPOINTS_PER_APP/);
    expect(problemsOf({ ...minimal, HOOKLINE_API_RATE_LIMIT: '-1' })[0]).toMatch(/^HOOKLINE_API_RATE_LIMIT/);
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
    expect(config.http).toEqual({ apiPort: 9000, healthPort: 9000, publicUrl: null });
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
