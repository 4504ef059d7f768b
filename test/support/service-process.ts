import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { PipelineService } from './pipeline.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;

/** One of the four services as a real process (its built dist/), for a test that signals or kills it. */
export interface ServiceProcess {
  process: ChildProcess;
  healthPort: number;
  /** Its last lines of stdout and stderr. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const running: ServiceProcess[] = [];

/** SIGKILLs every service process still running; resolves once they have all exited. */
export async function killServiceProcesses(): Promise<void> {
  for (const child of running) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all(running.map((child) => child.exited));
}
// Even if the Jest worker goes down without running afterAll, no service process outlives it.
process.once('exit', () => void killServiceProcesses());

export async function startServiceProcess(service: PipelineService, env: Record<string, string>): Promise<ServiceProcess> {
  const main = `${ROOT}apps/${service}/dist/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: this test runs the built service, run \`bash scripts/build.sh\` first (scripts/test.sh does)`);
  const healthPort = await freePort();
  const child = spawn(NODE, [main], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOOKLINE_HEALTH_PORT: String(healthPort), HOOKLINE_API_PORT: String(healthPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 500));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = { process: child, healthPort, output, exited };
  running.push(started);
  return started;
}

/** Its readiness answer now, or the reason there was none. */
export async function readiness(child: ServiceProcess): Promise<{ status?: string; checks?: Record<string, string> } | string> {
  try {
    const response = await fetch(`http://127.0.0.1:${child.healthPort}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    return (await response.json()) as { status?: string; checks?: Record<string, string> };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Polls readiness until it reports ok with a joined consumer group; returns how long it took. */
export async function waitReady(child: ServiceProcess, timeoutMs: number): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`service exited (code ${child.process.exitCode}, signal ${child.process.signalCode}) before ready:\n${child.output.join('\n')}`);
    }
    const body = await readiness(child);
    if (typeof body === 'object' && body.status === 'ok' && body.checks?.consumer === 'ok') return Date.now() - startedAt;
    if (Date.now() - startedAt > timeoutMs) throw new Error(`service not ready within ${timeoutMs} ms (last: ${JSON.stringify(body)}):\n${child.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
