import type { IdempotencyKey } from '@hookline/database';
import { generateKeyringEntry } from '@hookline/signing';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of } from 'rxjs';
import type { Principal } from '../../src/auth/principal.js';
import { ApiError } from '../../src/http/errors.js';
import { IdempotencyInterceptor } from '../../src/idempotency/idempotency.interceptor.js';
import type { IdempotencyKeysRepository, KeyClaim, KeyResponse } from '../../src/idempotency/idempotency-keys.repository.js';
import { secretBox } from '../fakes.js';

/** The keys' table as the interceptor sees it, with the claims answered in the order a test sets. */
class FakeKeys {
  readonly claims: KeyClaim[] = [];
  readonly stored: KeyResponse[] = [];
  constructor(
    private readonly claimAnswers: boolean[],
    private readonly rows: Array<IdempotencyKey | null>,
  ) {}

  async claim(claim: KeyClaim): Promise<boolean> {
    this.claims.push(claim);
    return this.claimAnswers.shift() ?? false;
  }

  async find(): Promise<IdempotencyKey | null> {
    return this.rows.shift() ?? null;
  }

  async storeResponse(response: KeyResponse): Promise<void> {
    this.stored.push(response);
  }

  async release(): Promise<void> {}
}

const principal: Principal = { kind: 'admin' };
const body = { eventType: 'user.created', payload: {} };

function context(response: { statusCode: number; status(code: number): unknown }): ExecutionContext {
  const request = { method: 'POST', path: '/api/v1/app/app_1/msg', headers: { 'idempotency-key': 'k-1' }, body, principal };
  return {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    getHandler: () => () => undefined,
  } as unknown as ExecutionContext;
}

function run(keys: FakeKeys, handled: { count: number }) {
  const response = {
    statusCode: 202,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
  };
  const interceptor = new IdempotencyInterceptor(keys as unknown as IdempotencyKeysRepository, new Reflector(), secretBox(generateKeyringEntry('k1')));
  const next: CallHandler = {
    handle: () => {
      handled.count++;
      return of({ id: 'msg_1' });
    },
  };
  return { response, answer: lastValueFrom(interceptor.intercept(context(response), next)) };
}

const heldRow = (row: Partial<IdempotencyKey>) => ({ scope: 'admin', key: 'k-1', route: 'POST /api/v1/app/app_1/msg', requestHash: null, statusCode: null, responseBody: null, ...row }) as IdempotencyKey;

describe('IdempotencyInterceptor finding its key held', () => {
  it('claims the key again, and runs, when the request that held it failed and released it before it was read', async () => {
    const keys = new FakeKeys([false, true], [null]);
    const handled = { count: 0 };
    await expect(run(keys, handled).answer).resolves.toEqual({ id: 'msg_1' });
    expect(keys.claims).toHaveLength(2);
    expect(handled.count).toBe(1);
    expect(keys.stored).toEqual([{ scope: 'admin', key: 'k-1', statusCode: 202, body: { id: 'msg_1' } }]);
  });

  it('answers 409 idempotency_in_progress, without running, when the key is released under it on every try', async () => {
    const keys = new FakeKeys([false, false, false], [null, null, null]);
    const handled = { count: 0 };
    const error = await run(keys, handled).answer.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).getStatus()).toBe(409);
    expect((error as ApiError).getResponse()).toMatchObject({ code: 'idempotency_in_progress' });
    expect(keys.claims).toHaveLength(3);
    expect(handled.count).toBe(0);
  });

  it('repeats the stored answer with its status when the request that held the key finished', async () => {
    // 200, not the 202 this route answers: the status comes from the stored answer.
    const keys = new FakeKeys([false], [heldRow({ statusCode: 200, responseBody: { id: 'msg_0' } })]);
    const handled = { count: 0 };
    const { response, answer } = run(keys, handled);
    await expect(answer).resolves.toEqual({ id: 'msg_0' });
    expect(response.statusCode).toBe(200);
    expect(handled.count).toBe(0);
  });

  it('answers 409 idempotency_in_progress, without running, while the request that holds the key is still running', async () => {
    const keys = new FakeKeys([false], [heldRow({})]);
    const handled = { count: 0 };
    const error = await run(keys, handled).answer.catch((caught: unknown) => caught);
    expect((error as ApiError).getStatus()).toBe(409);
    expect((error as ApiError).getResponse()).toMatchObject({ code: 'idempotency_in_progress' });
    expect(keys.claims).toHaveLength(1);
    expect(handled.count).toBe(0);
  });
});
