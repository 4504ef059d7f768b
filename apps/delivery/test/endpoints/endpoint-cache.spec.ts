import type { Endpoint } from '@hookline/database';
import { type EncryptedSecret, generateKeyringEntry, generateSecret, parseKeyring, SecretBox } from '@hookline/signing';
import { ENDPOINT_CACHE_TTL_MS, EndpointCache } from '../../src/endpoints/endpoint-cache.js';

// EndpointCache over an in-memory table and a clock the test moves: when it queries, how loads
// are shared, and that secrets are decrypted once per load, without PostgreSQL.

/** A SecretBox that counts its decryptions. */
class CountingBox extends SecretBox {
  decryptions = 0;

  override decrypt(secret: EncryptedSecret): string {
    this.decryptions++;
    return super.decrypt(secret);
  }
}

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

/** A cache over the rows `make` writes (with the cache's own keyring, so it decrypts them). */
function cache(make: (box: SecretBox) => Endpoint[]) {
  const box = new CountingBox(parseKeyring(generateKeyringEntry('k1')));
  const rows = make(box);
  box.decryptions = 0;
  let now = 1_000_000;
  const queries: string[][] = [];
  let failNext = false;
  const repository = {
    findByIds: async (ids: readonly string[]) => {
      queries.push([...ids]);
      if (failNext) {
        failNext = false;
        throw new Error('connection lost');
      }
      return rows.filter((row) => ids.includes(row.id));
    },
  };
  const subject = new EndpointCache(repository, box, () => now);
  return {
    subject,
    box,
    queries,
    advance: (ms: number) => (now += ms),
    failNextQuery: () => (failNext = true),
  };
}

function endpoint(id: string, box: SecretBox, fields: Partial<Endpoint> = {}): Endpoint {
  const secret = box.encrypt(generateSecret());
  return { id, applicationId: '00000000-0000-4000-8000-000000000001', url: 'https://receiver.example/hook', disabled: false, secretKeyId: secret.keyId, secretCiphertext: secret.ciphertext, previousSecretKeyId: null, previousSecretCiphertext: null, previousSecretExpiresAt: null, ...fields } as Endpoint;
}

describe('EndpointCache', () => {
  it('answers from the cache within its TTL, and queries again after it', async () => {
    const { subject, queries, advance } = cache((box) => [endpoint(A, box)]);
    const first = await subject.get(A);
    advance(ENDPOINT_CACHE_TTL_MS - 1);
    expect(await subject.get(A)).toBe(first);
    expect(queries).toEqual([[A]]);

    advance(1);
    const reloaded = await subject.get(A);
    expect(queries).toEqual([[A], [A]]);
    expect(reloaded).not.toBe(first);
    expect(reloaded?.endpoint.id).toBe(A);
  });

  it('skips the cache when asked for a fresh copy, and keeps that copy for the next task', async () => {
    const { subject, queries } = cache((box) => [endpoint(A, box)]);
    await subject.get(A);
    const fresh = await subject.get(A, { fresh: true });
    expect(queries).toEqual([[A], [A]]);
    expect(await subject.get(A)).toBe(fresh);
    expect(queries).toHaveLength(2);
  });

  it('shares one load among the tasks waiting for an endpoint, and one query among endpoints', async () => {
    const { subject, queries } = cache((box) => [endpoint(A, box), endpoint(B, box)]);
    const [a1, a2, b, missing] = await Promise.all([subject.get(A), subject.get(A), subject.get(B), subject.get('00000000-0000-4000-8000-00000000000c')]);
    expect(queries).toEqual([[A, B, '00000000-0000-4000-8000-00000000000c']]);
    expect(a1).toBe(a2);
    expect(b?.endpoint.id).toBe(B);
    expect(missing).toBeNull();
  });

  it('decrypts an endpoint secrets once per load, the previous one too while it still signs', async () => {
    const { subject, box, advance } = cache((box) => {
      const previous = box.encrypt(generateSecret());
      return [endpoint(A, box, { previousSecretKeyId: previous.keyId, previousSecretCiphertext: previous.ciphertext, previousSecretExpiresAt: new Date(Date.now() + 60_000) })];
    });
    const target = await subject.get(A);
    expect(target?.secrets).toHaveLength(2);
    expect(target?.secrets.every((key) => key.type === 'secret')).toBe(true);
    expect(box.decryptions).toBe(2);

    await Promise.all(Array.from({ length: 10 }, () => subject.get(A)));
    expect(box.decryptions).toBe(2);
    advance(ENDPOINT_CACHE_TTL_MS);
    await subject.get(A);
    expect(box.decryptions).toBe(4);
  });

  it('fails an endpoint whose secret cannot be decrypted alone, not the others loaded with it', async () => {
    const foreign = new SecretBox(parseKeyring(generateKeyringEntry('other')));
    const { subject, queries } = cache((box) => [endpoint(A, foreign), endpoint(B, box)]);
    const [a, b] = await Promise.allSettled([subject.get(A), subject.get(B)]);
    expect(queries).toEqual([[A, B]]);
    expect(a.status).toBe('rejected');
    expect(b).toMatchObject({ status: 'fulfilled', value: { endpoint: { id: B } } });
  });

  it('does not cache a failed load: the next task queries again', async () => {
    const { subject, queries, failNextQuery } = cache((box) => [endpoint(A, box)]);
    failNextQuery();
    await expect(subject.get(A)).rejects.toThrow('connection lost');
    expect((await subject.get(A))?.endpoint.id).toBe(A);
    expect(queries).toHaveLength(2);
  });
});
