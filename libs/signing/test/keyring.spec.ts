import { randomBytes } from 'node:crypto';
import { SecretBox, generateKeyringEntry, parseKeyring } from '@hookline/signing';

describe('parseKeyring', () => {
  const b64 = (key: Buffer) => key.toString('base64');
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('makes the first entry the active key and keeps the others for decryption', () => {
    const parsed = parseKeyring(`k2:${b64(k2)},k1:${b64(k1)}`);
    expect(parsed.activeKeyId).toBe('k2');
    expect(parsed.keys).toEqual(new Map([['k2', k2], ['k1', k1]]));
  });

  it('tolerates spaces and empty entries around commas', () => {
    const parsed = parseKeyring(` key_2024-01:${b64(k1)} ,, k0:${b64(k2)} , `);
    expect(parsed.activeKeyId).toBe('key_2024-01');
    expect(parsed.keys).toEqual(new Map([['key_2024-01', k1], ['k0', k2]]));
  });

  it('feeds a SecretBox that survives a rotation configured through the variable', () => {
    const stored = new SecretBox(parseKeyring(`k1:${b64(k1)}`)).encrypt('secret');
    expect(new SecretBox(parseKeyring(`k2:${b64(k2)},k1:${b64(k1)}`)).decrypt(stored)).toBe('secret');
  });

  it.each([
    ['nothing', '', 'HOOKLINE_SECRETS_KEYS has no keys'],
    ['only commas', ' , ,', 'HOOKLINE_SECRETS_KEYS has no keys'],
    ['an entry without an id', `k2:${b64(k2)},${b64(k1)}`, 'HOOKLINE_SECRETS_KEYS entry 2 is not "id:<base64 key>"'],
    ['an empty id', `:${b64(k1)}`, 'HOOKLINE_SECRETS_KEYS entry 1: the key id must match'],
    ['an id with a dot', `k.1:${b64(k1)}`, 'HOOKLINE_SECRETS_KEYS entry 1: the key id must match'],
    ['an id of 33 characters', `${'k'.repeat(33)}:${b64(k1)}`, 'HOOKLINE_SECRETS_KEYS entry 1: the key id must match'],
    ['a repeated id', `k1:${b64(k1)},k1:${b64(k2)}`, 'HOOKLINE_SECRETS_KEYS entry 2 ("k1") repeats a key id'],
    ['a 16-byte key', `k1:${b64(k1.subarray(0, 16))}`, 'entry 1 ("k1"): the key must be standard base64 of exactly 32'],
    ['a 33-byte key', `k1:${b64(randomBytes(33))}`, 'entry 1 ("k1"): the key must be standard base64 of exactly 32'],
    ['a key that is not base64', `k1:${b64(k1).slice(0, -2)}$=`, 'entry 1 ("k1"): the key must be standard base64'],
    ['an empty key', 'k1:', 'entry 1 ("k1"): the key must be standard base64'],
  ])('rejects %s, naming the entry but not its key', (_case, env, message) => {
    let thrown: Error | undefined;
    try {
      parseKeyring(env);
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toContain(message);
    for (const key of [k1, k2]) expect(thrown?.message).not.toContain(b64(key).slice(0, 8));
  });
});

describe('generateKeyringEntry', () => {
  it('produces an entry parseKeyring accepts, with a fresh 32-byte key', () => {
    const entry = generateKeyringEntry('k3');
    expect(entry).toMatch(/^k3:[A-Za-z0-9+/]{43}=$/);
    const parsed = parseKeyring(`${entry},${generateKeyringEntry('k2')}`);
    expect(parsed.activeKeyId).toBe('k3');
    expect(parsed.keys.get('k3')).toHaveLength(32);
    expect(generateKeyringEntry('k3')).not.toBe(entry);
  });

  it('rejects an id parseKeyring would not accept', () => {
    expect(() => generateKeyringEntry('bad id')).toThrow('key id must match');
    expect(() => generateKeyringEntry('')).toThrow('key id must match');
  });
});
