import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process.js';

const run = promisify(execFile);
const KAFKA_SH = new URL('../../scripts/stack/kafka.sh', import.meta.url).pathname;

/**
 * A Kafka broker of a test's own (scripts/stack/kafka.sh with a state directory and ports of its
 * own), for a test that stops, kills or freezes it: the shared broker must not be touched.
 */
export class LocalBroker {
  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly stateDir: string,
    readonly port: number,
  ) {}

  static async start(name: string): Promise<LocalBroker> {
    const stateDir = await mkdtemp(join(tmpdir(), `hookline-${name}-kafka-`));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const env = { ...process.env, HOOKLINE_KAFKA_STATE_DIR: stateDir, HOOKLINE_KAFKA_PORT: String(port), HOOKLINE_KAFKA_CONTROLLER_PORT: String(controllerPort) };
    const broker = new LocalBroker(env, stateDir, port);
    await broker.startAgain();
    return broker;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it after a stop or a kill; it keeps its data, as a restarted broker does. */
  async startAgain(): Promise<void> {
    await run('bash', [KAFKA_SH, 'start'], { env: this.env });
  }

  /** SIGKILL: no controlled shutdown, connections drop at once. */
  async kill(): Promise<void> {
    const pid = Number(await readFile(join(this.stateDir, 'kafka.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills it (its data goes too, so there is nothing to shut down cleanly for) and deletes its state. */
  async remove(): Promise<void> {
    await this.kill().catch(() => undefined);
    await rm(this.stateDir, { recursive: true, force: true });
  }
}
