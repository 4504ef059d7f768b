import type { Endpoint } from '@hookline/database';
import { generateKeyringEntry, generateSecret } from '@hookline/signing';
import type { Principal } from '../../src/auth/principal.js';
import type { EndpointLookup } from '../../src/endpoints/endpoint-lookup.js';
import type { EndpointSecretsRepository, SecretColumns } from '../../src/endpoints/secrets/endpoint-secrets.repository.js';
import { EndpointSecretsService } from '../../src/endpoints/secrets/endpoint-secrets.service.js';
import { answerOf, ingestConfig, secretBox } from '../fakes.js';

const admin: Principal = { kind: 'admin' };

describe('EndpointSecretsService', () => {
  const keys = generateKeyringEntry('k1');
  const box = secretBox(keys);
  let endpoint: Endpoint;
  /** Concurrent changes the repository reports before it lets one through. */
  let conflicts: number;
  let writes: number;

  function service(graceSetting = '24h') {
    const endpoints = { find: async () => ({ ...endpoint }) };
    const repository = {
      replaceIfUnchanged: async (read: Endpoint, changes: SecretColumns) => {
        writes++;
        if (conflicts > 0) {
          conflicts--;
          return false;
        }
        if (read.secretCiphertext !== endpoint.secretCiphertext) return false;
        Object.assign(endpoint, changes);
        return true;
      },
    };
    const config = ingestConfig({ HOOKLINE_SECRETS_KEYS: keys, HOOKLINE_SECRET_ROTATION_GRACE: graceSetting });
    return new EndpointSecretsService(config, endpoints as unknown as EndpointLookup, repository as unknown as EndpointSecretsRepository, box);
  }

  const plain = (keyId: string | null, ciphertext: string | null) => (keyId && ciphertext ? box.decrypt({ keyId, ciphertext }) : null);

  beforeEach(() => {
    const sealed = box.encrypt('whsec_' + Buffer.alloc(24, 1).toString('base64'));
    endpoint = { id: 'e1', secretKeyId: sealed.keyId, secretCiphertext: sealed.ciphertext, previousSecretCiphertext: null, previousSecretKeyId: null, previousSecretExpiresAt: null } as Endpoint;
    conflicts = 0;
    writes = 0;
  });

  it('shows the current secret in clear', async () => {
    expect(await service().get(admin, 'acme', 'e1')).toEqual({ key: 'whsec_' + Buffer.alloc(24, 1).toString('base64') });
  });

  it('makes the given secret current and keeps the old one signing for the grace period', async () => {
    const next = generateSecret();
    const before = Date.now();
    await service('1h').rotate(admin, 'acme', 'e1', { key: next });
    expect(plain(endpoint.secretKeyId, endpoint.secretCiphertext)).toBe(next);
    expect(plain(endpoint.previousSecretKeyId, endpoint.previousSecretCiphertext)).toBe('whsec_' + Buffer.alloc(24, 1).toString('base64'));
    expect(endpoint.previousSecretExpiresAt!.getTime() - before).toBeGreaterThanOrEqual(3_600_000);
    expect(endpoint.previousSecretExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  it('retires the old secret at once with a grace of 0 seconds, and generates a new one when none is given', async () => {
    await service().rotate(admin, 'acme', 'e1', { gracePeriodSeconds: 0 });
    expect(plain(endpoint.secretKeyId, endpoint.secretCiphertext)).toMatch(/^whsec_/);
    expect(plain(endpoint.secretKeyId, endpoint.secretCiphertext)).not.toBe('whsec_' + Buffer.alloc(24, 1).toString('base64'));
    expect({ previous: endpoint.previousSecretCiphertext, expires: endpoint.previousSecretExpiresAt }).toEqual({ previous: null, expires: null });
  });

  it('reads the endpoint again when its secret changed meanwhile, and gives up with a 409 after three tries', async () => {
    conflicts = 2;
    await service().rotate(admin, 'acme', 'e1', undefined);
    expect(writes).toBe(3);
    const current = endpoint.secretCiphertext;

    conflicts = 3;
    writes = 0;
    expect(await answerOf(service().rotate(admin, 'acme', 'e1', undefined))).toEqual({
      status: 409,
      body: { code: 'conflict', detail: 'the secret was changed concurrently; rotate again' },
    });
    expect({ writes, unchanged: endpoint.secretCiphertext === current }).toEqual({ writes: 3, unchanged: true });
  });
});
