import { asError, ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The PostgreSQL channel a revoked API key's hash is announced on (ApiKeysRepository.revoke). */
export const TOKEN_REVOKED_CHANNEL = 'hookline_token_revoked';

/** What this needs of a pg client. */
interface ListeningClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  once(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
}

const RECONNECT_MS = 1_000;

/**
 * Tells this ingest instance at once that an API key was revoked, whichever instance revoked it:
 * the revocation NOTIFYs the key's hash in the same statement, and this LISTENs on a connection of
 * its own (taken from the pool for as long as the instance runs) and hands each hash to
 * `onRevoked`. While that connection is down, `listening` is false and cached keys are not to be
 * trusted; it reconnects every second.
 */
@Injectable()
export class TokenRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listeners: Array<(keyHash: string) => void> = [];
  private release: ((error?: Error) => void) | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  listening = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onRevoked(listener: (keyHash: string) => void): void {
    this.listeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.listening = false;
    this.release?.();
    this.release = null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const [client, release] = (await (this.dataSource.driver as unknown as { obtainMasterConnection(): Promise<[ListeningClient, (error?: Error) => void]> }).obtainMasterConnection());
      this.release = release;
      client.on('notification', (message) => {
        if (message.channel !== TOKEN_REVOKED_CHANNEL || !message.payload) return;
        for (const listener of this.listeners) listener(message.payload);
      });
      client.once('error', (error) => this.lost(error ?? new Error('connection error')));
      client.once('end', () => this.lost(new Error('connection ended')));
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
      this.listening = true;
    } catch (error) {
      this.lost(asError(error));
    }
  }

  private lost(error: Error): void {
    const wasListening = this.listening;
    this.listening = false;
    // A client released with an error is closed by the pool rather than reused.
    this.release?.(error);
    this.release = null;
    if (this.stopped) return;
    if (wasListening) this.logger.warn({ err: error }, 'lost the connection that hears API key revocations; every key is looked up until it is back');
    this.retry ??= setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
