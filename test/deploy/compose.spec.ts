import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentSchema, loadConfig, requiredVariables, SERVICES, type ServiceName } from '@hookline/config';
import { parse } from 'yaml';
import { ROOT } from './manifests.js';

/**
 * docker-compose.yml kept in step with the code: it parses, names every service of the stack,
 * and gives each Hookline service every variable its config loader requires, with values that
 * loader accepts (compose's ${VAR:-default} taken at its default).
 */

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number>;
  depends_on?: Record<string, { condition?: string }> | string[];
  stop_grace_period?: string;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const CONFIG_VARIABLES = new Set(Object.keys(environmentSchema.shape));
const STACK = ['kafka', 'postgres', 'migrate', 'ingest', 'fanout', 'delivery', 'retry', 'otel-collector', 'jaeger'];

/** A service's environment with compose's `${NAME:-default}` / `${NAME}` interpolation at its default. */
function environmentOf(name: string): Record<string, string> {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
  const raw = Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]))
    : (service.environment ?? {});
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key,
      String(value ?? '').replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, _variable: string, fallback?: string) => fallback ?? ''),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('names every service of the stack', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(STACK));
  });

  it.each(SERVICES)('%s: runs its entry point with every variable its config requires', (service: ServiceName) => {
    const definition = compose.services[service]!;
    expect(definition.command).toEqual(['node', `apps/${service}/dist/main.js`]);
    const env = environmentOf(service);
    for (const variable of requiredVariables(service)) expect([variable, env[variable] ?? '']).toEqual([variable, expect.stringMatching(/./)]);
    for (const variable of Object.keys(env)) expect([variable, CONFIG_VARIABLES.has(variable) || variable.startsWith('OTEL_')]).toEqual([variable, true]);
    // The whole environment passes the service's own config loader.
    const config = loadConfig(service, env);
    expect(env.OTEL_SERVICE_NAME).toBe(`hookline-${service}`);
    // Its health port is the one it publishes (and the one its healthcheck asks).
    const published = (definition.ports ?? []).map((port) => Number(String(port).split(':').pop()));
    expect(published).toContain(config.http.healthPort);
    // It waits for the migrations, and gets longer than its shutdown grace to stop.
    expect(definition.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    const stopGrace = Number(/^(\d+)s$/.exec(definition.stop_grace_period ?? '10s')?.[1]);
    expect(stopGrace * 1000).toBeGreaterThan(config.shutdownGraceMs);
  });

  it('migrates the database with the TypeORM CLI before the services start', () => {
    const migrate = compose.services.migrate!;
    expect(migrate.command).toEqual(['node', 'node_modules/typeorm/cli.js', 'migration:run', '-d', 'libs/database/dist/data-source.js']);
    expect(environmentOf('migrate').DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('points the services at the compose Kafka, PostgreSQL and collector', () => {
    for (const service of SERVICES) {
      const env = environmentOf(service);
      expect(env.KAFKA_BROKERS).toBe('kafka:9092');
      expect(new URL(env.DATABASE_URL!).host).toBe('postgres:5432');
      expect(new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT!).hostname).toBe('otel-collector');
    }
  });
});
