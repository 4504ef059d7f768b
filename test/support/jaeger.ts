import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { eventually } from './env.js';
import { freePort } from './service-process.js';

/** A Jaeger all-in-one of the test's own (in-memory storage, every port its own on 127.0.0.1). */
export interface Jaeger {
  /** Where OTLP/HTTP spans go (OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpUrl: string;
  /** Its query service (HOOKLINE_TRACE_QUERY_URL). */
  queryUrl: string;
  stop(): Promise<void>;
}

/** Starts Jaeger from the binary scripts/stack/jaeger.sh built (HOOKLINE_JAEGER_BIN, which npm test sets). */
export async function startJaeger(): Promise<Jaeger> {
  const bin = process.env.HOOKLINE_JAEGER_BIN;
  if (!bin || !existsSync(bin)) {
    throw new Error('this test runs Jaeger: set HOOKLINE_JAEGER_BIN (`bash scripts/stack/jaeger.sh binary` builds it and prints it; npm test does)');
  }
  const [otlpHttp, otlpGrpc, collectorGrpc, collectorHttp, admin, query, queryGrpc] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const at = (port: number) => `127.0.0.1:${port}`;
  // Jaeger must not read the OTEL_* variables meant for Hookline.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const child: ChildProcess = spawn(
    bin,
    [
      '--memory.max-traces=10000',
      '--collector.otlp.enabled=true',
      `--collector.otlp.http.host-port=${at(otlpHttp)}`,
      `--collector.otlp.grpc.host-port=${at(otlpGrpc)}`,
      `--collector.grpc-server.host-port=${at(collectorGrpc)}`,
      `--collector.http-server.host-port=${at(collectorHttp)}`,
      `--admin.http.host-port=${at(admin)}`,
      `--query.http-server.host-port=${at(query)}`,
      `--query.grpc-server.host-port=${at(queryGrpc)}`,
    ],
    { env: { ...env, SPAN_STORAGE_TYPE: 'memory' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').slice(-20)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`Jaeger exited (${child.exitCode}):\n${output.slice(-20).join('\n')}`);
      const response = await fetch(`http://${at(query)}/api/services`, { signal: AbortSignal.timeout(1_000) });
      expect(response.status).toBe(200);
    }, 30_000, 200);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    otlpUrl: `http://${at(otlpHttp)}`,
    queryUrl: `http://${at(query)}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
