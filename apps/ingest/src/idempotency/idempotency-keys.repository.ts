import { Coalescer, isolateRowFaults, STATEMENT_LINGER_MS } from '@hookline/batching';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { IdempotencyKey, isDataError, unnestParameters } from '@hookline/database';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

/** A request's claim on its key: who asked, the key, the route and the SHA-256 of its body. */
export interface KeyClaim {
  scope: string;
  key: string;
  route: string;
  requestHash: string;
}

/** The response a claimed key's request gave, kept for its repeats. */
export interface KeyResponse {
  scope: string;
  key: string;
  statusCode: number;
  body: unknown;
}

// Claims each key of a batch: a new row, or the row of a key whose first use is older than the
// TTL (HOOKLINE_IDEMPOTENCY_KEY_TTL), which then counts as unused. Returns the keys claimed. The
// keys are taken in one order (byte order), so two batches in flight that share keys wait for
// each other instead of deadlocking.
const CLAIM = `
  INSERT INTO idempotency_keys (scope, key, route, request_hash)
  SELECT v.scope, v.key, v.route, v.request_hash FROM unnest($1::varchar[], $2::varchar[], $3::text[], $4::char(64)[]) AS v(scope, key, route, request_hash)
  ORDER BY v.scope COLLATE "C", v.key COLLATE "C"
  ON CONFLICT (scope, key) DO UPDATE SET route = EXCLUDED.route, request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL, created_at = now()
    WHERE idempotency_keys.created_at < now() - make_interval(secs => $5::double precision / 1000)
  RETURNING scope, key`;

const COMPLETE = `
  UPDATE idempotency_keys k SET status_code = v.status_code, response_body = v.response_body
  FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::jsonb[]) AS v(scope, key, status_code, response_body)
  WHERE k.scope = v.scope AND k.key = v.key`;

const pairOf = (row: { scope: string; key: string }) => `${row.scope}\u0000${row.key}`;

/**
 * The idempotency keys' rows. Claims and stored responses of concurrent requests share their
 * statements, one of each per batch: with the svix SDK, which sends a key with every create, two
 * single-row transactions per request were most of what the key cost (docs/performance.md).
 */
@Injectable()
export class IdempotencyKeysRepository {
  private readonly claims = new Coalescer<KeyClaim, boolean>((claims) => this.claimAll(claims), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });
  private readonly responses = new Coalescer<KeyResponse>((responses) => this.storeAll(responses), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });

  private readonly ttlMs: number;

  constructor(
    @InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>,
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
  ) {
    this.ttlMs = config.api.idempotencyKeyTtlMs;
  }

  /** Whether this request claimed the key (false: another request holds it, or held it within the TTL). */
  claim(claim: KeyClaim): Promise<boolean> {
    return this.claims.add(claim);
  }

  /** Stores the response of the request that claimed the key. */
  storeResponse(response: KeyResponse): Promise<void> {
    return this.responses.add(response);
  }

  /** The key's row; null when its request failed and released it since it was found held. */
  find(scope: string, key: string): Promise<IdempotencyKey | null> {
    return this.keys.findOneBy({ scope, key });
  }

  /** Frees the key of a request that failed, so the caller can fix and retry it. */
  async release(scope: string, key: string): Promise<void> {
    await this.keys.delete({ scope, key });
  }

  /**
   * One statement per batch; a claim PostgreSQL refuses fails its own request alone. The same key
   * twice in a batch is claimed by its first request only (PostgreSQL refuses a statement that
   * would update one row twice); the later ones find it held.
   */
  private async claimAll(claims: readonly KeyClaim[]): Promise<Array<boolean | Error>> {
    const first = new Map<string, KeyClaim>();
    for (const claim of claims) if (!first.has(pairOf(claim))) first.set(pairOf(claim), claim);
    const distinct = [...first.values()];
    const won = await isolateRowFaults(
      distinct,
      async (rows) => {
        const claimed = (await this.keys.query(CLAIM, [...unnestParameters(rows, ['scope', 'key', 'route', 'requestHash']), this.ttlMs])) as Array<{ scope: string; key: string }>;
        const pairs = new Set(claimed.map(pairOf));
        return rows.map((row) => pairs.has(pairOf(row)));
      },
      isDataError,
    );
    const outcome = new Map(distinct.map((claim, index) => [claim, won[index]!]));
    return claims.map((claim) => outcome.get(claim) ?? false);
  }

  /** One statement per batch; a response PostgreSQL refuses (as jsonb) fails its own request alone. */
  private storeAll(responses: readonly KeyResponse[]): Promise<Array<undefined | Error>> {
    return isolateRowFaults(
      responses,
      async (rows) => {
        await this.keys.query(COMPLETE, [
          rows.map((row) => row.scope),
          rows.map((row) => row.key),
          rows.map((row) => row.statusCode),
          rows.map((row) => (row.body === undefined ? null : JSON.stringify(row.body))),
        ]);
        return rows.map(() => undefined);
      },
      isDataError,
    );
  }
}
