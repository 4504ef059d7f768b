import type { Endpoint } from '@hookline/database';
import { generateKeyringEntry } from '@hookline/signing';
import { SecretsReEncryptService } from '../../src/admin/secrets-re-encrypt.service.js';
import type { EndpointSecretsRepository, SecretColumns } from '../../src/endpoints/secrets/endpoint-secrets.repository.js';
import { secretBox } from '../fakes.js';

const HOUR = 3_600_000;

describe('SecretsReEncryptService', () => {
  const old = generateKeyringEntry('old');
  const fresh = generateKeyringEntry('new');
  const before = secretBox(old);
  const after = secretBox(`${fresh},${old}`);
  let endpoints: Endpoint[];
  /** Ids the repository reports as changed by someone else. */
  let changedMeanwhile: Set<string>;
  let pages: Array<{ after: string; limit: number }>;

  /** The repository's selection in memory: endpoints with a secret under another key than the active one, or an expired previous one. */
  const repository = {
    needingReEncryption: async (active: string, afterId: string, limit: number) => {
      pages.push({ after: afterId, limit });
      const needs = (e: Endpoint) =>
        e.secretKeyId !== active ||
        (e.previousSecretCiphertext !== null && (e.previousSecretKeyId !== active || !e.previousSecretExpiresAt || e.previousSecretExpiresAt <= new Date()));
      return endpoints.filter((e) => e.id > afterId && needs(e)).slice(0, limit);
    },
    replaceIfUnchanged: async (endpoint: Endpoint, changes: SecretColumns) => {
      if (changedMeanwhile.has(endpoint.id)) return false;
      Object.assign(endpoints.find((e) => e.id === endpoint.id)!, changes);
      return true;
    },
    remainingByKey: async (active: string) => {
      const counts: Record<string, number> = {};
      for (const e of endpoints) if (e.secretKeyId !== active) counts[e.secretKeyId] = (counts[e.secretKeyId] ?? 0) + 1;
      return counts;
    },
  };

  function endpoint(id: string, secret: string, previous?: { secret: string; expiresAt: Date | null }): Endpoint {
    const current = before.encrypt(secret);
    const earlier = previous ? before.encrypt(previous.secret) : null;
    return {
      id,
      secretKeyId: current.keyId,
      secretCiphertext: current.ciphertext,
      previousSecretKeyId: earlier?.keyId ?? null,
      previousSecretCiphertext: earlier?.ciphertext ?? null,
      previousSecretExpiresAt: previous?.expiresAt ?? null,
    } as Endpoint;
  }

  beforeEach(() => {
    changedMeanwhile = new Set();
    pages = [];
  });

  it('re-encrypts current and still-signing previous secrets under the active key, and drops expired previous ones', async () => {
    endpoints = [
      endpoint('a', 'whsec_a', { secret: 'whsec_a0', expiresAt: new Date(Date.now() + HOUR) }),
      endpoint('b', 'whsec_b', { secret: 'whsec_b0', expiresAt: new Date(Date.now() - HOUR) }),
      endpoint('c', 'whsec_c'),
    ];
    const result = await new SecretsReEncryptService(repository as unknown as EndpointSecretsRepository, after).reEncrypt();
    expect(result).toEqual({ activeKeyId: 'new', reEncrypted: { current: 3, previous: 1 }, expiredPreviousDropped: 1, unreadable: 0, changedConcurrently: 0, remaining: {} });
    const [a, b, c] = endpoints;
    expect([a!.secretKeyId, a!.previousSecretKeyId, b!.secretKeyId, c!.secretKeyId]).toEqual(['new', 'new', 'new', 'new']);
    expect([after.decrypt({ keyId: 'new', ciphertext: a!.secretCiphertext }), after.decrypt({ keyId: 'new', ciphertext: a!.previousSecretCiphertext! })]).toEqual(['whsec_a', 'whsec_a0']);
    expect({ previous: b!.previousSecretCiphertext, expires: b!.previousSecretExpiresAt }).toEqual({ previous: null, expires: null });
  });

  it('counts what the keyring cannot read and what changed meanwhile, leaves both as they were, and says what remains', async () => {
    const stranger = secretBox(generateKeyringEntry('gone')).encrypt('whsec_x');
    endpoints = [endpoint('a', 'whsec_a'), { ...endpoint('b', 'whsec_b'), secretKeyId: stranger.keyId, secretCiphertext: stranger.ciphertext }];
    changedMeanwhile.add('a');
    const result = await new SecretsReEncryptService(repository as unknown as EndpointSecretsRepository, after).reEncrypt();
    expect(result).toEqual({ activeKeyId: 'new', reEncrypted: { current: 0, previous: 0 }, expiredPreviousDropped: 0, unreadable: 1, changedConcurrently: 1, remaining: { gone: 1, old: 1 } });
  });

  it('reads the endpoints in pages of 200, each after the last id of the one before', async () => {
    endpoints = Array.from({ length: 450 }, (_, n) => endpoint(`e${String(n).padStart(4, '0')}`, `whsec_${n}`));
    const result = await new SecretsReEncryptService(repository as unknown as EndpointSecretsRepository, after).reEncrypt();
    expect(result.reEncrypted.current).toBe(450);
    expect(pages).toEqual([
      { after: '00000000-0000-0000-0000-000000000000', limit: 200 },
      { after: 'e0199', limit: 200 },
      { after: 'e0399', limit: 200 },
    ]);
  });
});
