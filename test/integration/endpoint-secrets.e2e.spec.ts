import { generateKeyringEntry, generateSecret } from '@hookline/signing';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Svix } from 'svix';
import { DataSource } from 'typeorm';
import { apiClient } from '../support/api-client.js';
import { eventually, requireStack } from '../support/env.js';
import { type Pipeline, startPipeline, usePipeline } from '../support/pipeline.js';
import { type ReceivedRequest, Receiver, useReceiver } from '../support/receiver.js';

// Secret rotation (the webhook signing secret of an endpoint) and encryption-key rotation (the
// keyring that encrypts those secrets at rest), through the real stack: Kafka, PostgreSQL, HTTP.

const short = () => randomUUID().slice(0, 8);

/** The request, verified with a secret by the standardwebhooks library, as a receiver would. */
function verifies(request: ReceivedRequest, secret: string): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

const signatureEntries = (request: ReceivedRequest) => String(request.headers['webhook-signature']).split(' ');

/** The one request on a path carrying the payload's marker, once it has arrived. */
async function received(receiver: Receiver, path: string, marker: string): Promise<ReceivedRequest> {
  return eventually(() => {
    const requests = receiver.on(path).filter((request) => request.body.includes(marker));
    expect(requests).toHaveLength(1);
    return requests[0]!;
  });
}

describe('rotating an endpoint signing secret', () => {
  // Long enough for a rotation, a send and its delivery on a busy machine.
  const GRACE_MS = 10_000;
  // Delivery caches endpoints (and so their secrets) for 2 s.
  const CACHE_MS = 2_000;
  const ctx = usePipeline('rotate', { env: { HOOKLINE_SECRET_ROTATION_GRACE: `${GRACE_MS / 1000}s` }, eventType: { prefix: 'secret.rotated', description: 'rotation' } });
  const receiver = useReceiver();

  it('signs with the old and the new secret during the grace period, then only with the new one', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Rotating' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/rotating'), eventTypes: [eventType] });
    const { key: oldSecret } = await svix.endpoint.getSecret(app.id, endpoint.id);

    const rotatedAt = Date.now();
    await svix.endpoint.rotateSecret(app.id, endpoint.id, {});
    const { key: newSecret } = await svix.endpoint.getSecret(app.id, endpoint.id);
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    // During the grace period: two v1 entries, and a receiver holding either secret accepts the request.
    const during = `during-${short()}`;
    await svix.message.create(app.id, { eventType, payload: { marker: during } });
    const first = await received(receiver, '/rotating', during);
    expect(first.at - rotatedAt).toBeLessThan(GRACE_MS);
    expect(signatureEntries(first)).toEqual([expect.stringMatching(/^v1,/), expect.stringMatching(/^v1,/)]);
    expect(verifies(first, oldSecret)).toBe(true);
    expect(verifies(first, newSecret)).toBe(true);
    expect(verifies(first, generateSecret())).toBe(false);

    // After the grace period (and delivery's cache): one entry, by the new secret only.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotatedAt + GRACE_MS + CACHE_MS + 500 - Date.now())));
    const after = `after-${short()}`;
    await svix.message.create(app.id, { eventType, payload: { marker: after } });
    const second = await received(receiver, '/rotating', after);
    expect(signatureEntries(second)).toEqual([expect.stringMatching(/^v1,/)]);
    expect(verifies(second, newSecret)).toBe(true);
    expect(verifies(second, oldSecret)).toBe(false);
  });

  it('takes a given key and grace period, refuses a bad key with 422 on body.key, and another tenant gets a 404', async () => {
    const { svix, admin, pipeline, eventType } = ctx;
    const app = await svix.application.create({ name: 'Given key' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/given'), eventTypes: [eventType] });
    const path = `/api/v1/app/${app.id}/endpoint/${endpoint.id}/secret`;
    const { key: before } = await svix.endpoint.getSecret(app.id, endpoint.id);

    for (const key of ['not-a-secret', 'whsec_c2hvcnQ=']) {
      const reply = await admin.post<{ detail: Array<{ loc: string[] }> }>(`${path}/rotate`, { key });
      expect({ key, status: reply.status, locs: reply.body.detail.map((problem) => problem.loc) }).toEqual({ key, status: 422, locs: [['body', 'key']] });
    }
    expect((await admin.post(`${path}/rotate`, { gracePeriodSeconds: -1 })).status).toBe(422);
    expect((await svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(before);

    const other = await svix.application.create({ name: 'Other tenant' });
    const otherKey = await admin.post<{ key: string }>(`/api/v1/app/${other.id}/api-key`, { name: 'other' });
    const stranger = apiClient(pipeline.apiUrl, otherKey.body.key);
    expect((await stranger.post(`${path}/rotate`, {})).status).toBe(404);
    expect((await stranger.post(`/api/v1/app/${other.id}/endpoint/${endpoint.id}/secret/rotate`, {})).status).toBe(404);
    expect((await svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(before);

    // A grace period of 0 drops the old secret at once.
    const given = generateSecret(32);
    const reply = await admin.post(`${path}/rotate`, { key: given, gracePeriodSeconds: 0 });
    expect(reply).toMatchObject({ status: 204, body: null });
    expect((await svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(given);
    const marker = `given-${short()}`;
    await svix.message.create(app.id, { eventType, payload: { marker } });
    const request = await received(receiver, '/given', marker);
    expect(signatureEntries(request)).toHaveLength(1);
    expect(verifies(request, given)).toBe(true);
    expect(verifies(request, before)).toBe(false);
  });
});

describe('rotating the key that encrypts secrets at rest', () => {
  const oldId = `old${short()}`;
  const newId = `new${short()}`;
  const oldKey = generateKeyringEntry(oldId);
  const newKey = generateKeyringEntry(newId);
  let pipeline: Pipeline | undefined;
  let receiver: Receiver;
  let db: DataSource;
  const eventType = `keyring.rotated.${short()}`;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    db = await new DataSource({ type: 'postgres', url: requireStack().databaseUrl }).initialize();
  });

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.stop();
    await db?.destroy();
  });

  interface KeyRow {
    id: string;
    secret_key_id: string;
    previous_secret_key_id: string | null;
  }
  const keyIds = async (ids: string[]) =>
    Object.fromEntries(
      ((await db.query('SELECT id, secret_key_id, previous_secret_key_id FROM endpoints WHERE id = ANY($1)', [ids])) as KeyRow[]).map((row) => [
        row.id,
        [row.secret_key_id, row.previous_secret_key_id],
      ]),
    );

  it('reads old secrets after a new key is added, re-encrypts them all, and works with the old key removed', async () => {
    pipeline = await startPipeline('keyring', { HOOKLINE_SECRETS_KEYS: oldKey });
    const env = pipeline.env;
    let svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    await svix.eventType.create({ name: eventType, description: 'keyring' });
    const app = await svix.application.create({ name: 'Keyring' });
    const plain = await svix.endpoint.create(app.id, { url: receiver.url('/plain'), eventTypes: [eventType] });
    const rotated = await svix.endpoint.create(app.id, { url: receiver.url('/rotated'), eventTypes: [eventType] });
    const secrets: Record<string, string[]> = {
      [plain.id]: [(await svix.endpoint.getSecret(app.id, plain.id)).key],
      [rotated.id]: [(await svix.endpoint.getSecret(app.id, rotated.id)).key],
    };
    // A rotation with an hour's grace: the previous secret, under the old key too, must survive.
    await svix.endpoint.rotateSecret(app.id, rotated.id, { gracePeriodSeconds: 3_600 });
    secrets[rotated.id]!.unshift((await svix.endpoint.getSecret(app.id, rotated.id)).key);
    expect(await keyIds([plain.id, rotated.id])).toEqual({ [plain.id]: [oldId, null], [rotated.id]: [oldId, oldId] });
    await pipeline.stop();
    pipeline = undefined;

    /** Every endpoint's secret reads back, and a message reaches each one signed so that every one of its secrets verifies it. */
    async function checkEverything(ids: string[], paths: Record<string, string>): Promise<void> {
      for (const id of ids) expect((await svix.endpoint.getSecret(app.id, id)).key).toBe(secrets[id]![0]);
      const marker = `m-${short()}`;
      await svix.message.create(app.id, { eventType, payload: { marker } });
      for (const id of ids) {
        const request = await received(receiver, paths[id]!, marker);
        expect(signatureEntries(request)).toHaveLength(secrets[id]!.length);
        for (const secret of secrets[id]!) expect({ id, verified: verifies(request, secret) }).toEqual({ id, verified: true });
      }
    }

    // The new key first (active), the old one after it (still decrypts).
    pipeline = await startPipeline('keyring', { ...env, HOOKLINE_SECRETS_KEYS: `${newKey},${oldKey}` });
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    const fresh = await svix.endpoint.create(app.id, { url: receiver.url('/fresh'), eventTypes: [eventType] });
    secrets[fresh.id] = [(await svix.endpoint.getSecret(app.id, fresh.id)).key];
    const ids = [plain.id, rotated.id, fresh.id];
    const paths = { [plain.id]: '/plain', [rotated.id]: '/rotated', [fresh.id]: '/fresh' };
    expect(await keyIds(ids)).toEqual({ [plain.id]: [oldId, null], [rotated.id]: [oldId, oldId], [fresh.id]: [newId, null] });
    await checkEverything(ids, paths);

    // Only the admin may re-encrypt.
    const admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    const appKey = await admin.post<{ key: string }>(`/api/v1/app/${app.id}/api-key`, { name: 'tenant' });
    expect(await apiClient(pipeline.apiUrl, appKey.body.key).post('/api/v1/admin/secrets/re-encrypt')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await keyIds(ids)).toEqual({ [plain.id]: [oldId, null], [rotated.id]: [oldId, oldId], [fresh.id]: [newId, null] });

    interface ReEncryptOut {
      activeKeyId: string;
      reEncrypted: { current: number; previous: number };
      remaining: Record<string, number>;
    }
    const reply = await admin.post<ReEncryptOut>('/api/v1/admin/secrets/re-encrypt');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ activeKeyId: newId, reEncrypted: { current: 2, previous: 1 } });
    expect(reply.body.remaining[oldId]).toBeUndefined();
    expect(await keyIds(ids)).toEqual({ [plain.id]: [newId, null], [rotated.id]: [newId, newId], [fresh.id]: [newId, null] });
    // Again: nothing left to do.
    expect((await admin.post<ReEncryptOut>('/api/v1/admin/secrets/re-encrypt')).body.reEncrypted).toEqual({ current: 0, previous: 0 });
    await pipeline.stop();
    pipeline = undefined;

    // The old key is gone: every secret still reads and signs.
    pipeline = await startPipeline('keyring', { ...env, HOOKLINE_SECRETS_KEYS: newKey });
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    await checkEverything(ids, paths);
  });
});
