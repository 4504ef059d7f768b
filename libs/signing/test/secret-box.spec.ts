import { randomBytes } from 'node:crypto';
import { SecretBox, type Keyring } from '@hookline/signing';

const keyring = (activeKeyId: string, keys: Record<string, Buffer>): Keyring => ({
  activeKeyId,
  keys: new Map(Object.entries(keys)),
});

describe('SecretBox', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips secrets, including empty and non-ASCII ones', () => {
    const box = new SecretBox(keyring('k1', { k1 }));
    for (const plaintext of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '', 'clé secrète 🔑']) {
      const encrypted = box.encrypt(plaintext);
      expect(encrypted.keyId).toBe('k1');
      expect(box.decrypt(encrypted)).toBe(plaintext);
    }
  });

  it('stores base64url of a 12-byte IV, a 16-byte tag and the data', () => {
    const box = new SecretBox(keyring('k1', { k1 }));
    const plaintext = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const { ciphertext } = box.encrypt(plaintext);
    expect(ciphertext).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(12 + 16 + Buffer.byteLength(plaintext));
  });

  it('uses a fresh IV each time', () => {
    const box = new SecretBox(keyring('k1', { k1 }));
    const [first, second] = [box.encrypt('same'), box.encrypt('same')];
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(Buffer.from(first.ciphertext, 'base64url').subarray(0, 12)).not.toEqual(
      Buffer.from(second.ciphertext, 'base64url').subarray(0, 12),
    );
  });

  it('keeps decrypting with old keys after a rotation, and encrypts with the new one', () => {
    const before = new SecretBox(keyring('k1', { k1 }));
    const stored = before.encrypt('old secret');

    const after = new SecretBox(keyring('k2', { k2, k1 }));
    expect(after.activeKeyId).toBe('k2');
    expect(after.decrypt(stored)).toBe('old secret');
    const rewritten = after.encrypt(after.decrypt(stored));
    expect(rewritten.keyId).toBe('k2');
    expect(after.decrypt(rewritten)).toBe('old secret');
    expect(() => before.decrypt(rewritten)).toThrow('secrets key "k2" is not in the keyring');
  });

  it('rejects an unknown key id', () => {
    const box = new SecretBox(keyring('k1', { k1 }));
    const { ciphertext } = box.encrypt('secret');
    expect(() => box.decrypt({ keyId: 'k9', ciphertext })).toThrow(
      'cannot decrypt secret: secrets key "k9" is not in the keyring',
    );
  });

  it('rejects a tampered ciphertext wherever the change is', () => {
    const box = new SecretBox(keyring('k1', { k1 }));
    const { keyId, ciphertext } = box.encrypt('secret');
    const sealed = Buffer.from(ciphertext, 'base64url');
    for (const offset of [0, 12, 28, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[offset]! ^= 0x01;
      expect(() => box.decrypt({ keyId, ciphertext: tampered.toString('base64url') })).toThrow(
        'cannot decrypt secret with key "k1": ciphertext was tampered with or belongs to another key',
      );
    }
  });

  it('rejects a truncated ciphertext', () => {
    const box = new SecretBox(keyring('k1', { k1 }));
    const { keyId, ciphertext } = box.encrypt('');
    expect(() => box.decrypt({ keyId, ciphertext: ciphertext.slice(0, 20) })).toThrow('ciphertext is truncated');
  });

  it('binds the key id: a ciphertext relabelled to another id fails even with the same key material', () => {
    const box = new SecretBox(keyring('k1', { k1, alias: k1 }));
    const { ciphertext } = box.encrypt('secret');
    expect(() => box.decrypt({ keyId: 'alias', ciphertext })).toThrow('ciphertext was tampered with');
  });

  it('rejects a keyring without its active key or with a key of the wrong size', () => {
    expect(() => new SecretBox(keyring('k2', { k1 }))).toThrow('the active secrets key "k2" is not in the keyring');
    expect(() => new SecretBox(keyring('k1', { k1: randomBytes(16) }))).toThrow(
      'secrets key "k1" must be 32 bytes, got 16',
    );
  });

  it('is not affected by later changes to the caller’s key buffers', () => {
    const key = randomBytes(32);
    const box = new SecretBox(keyring('k1', { k1: key }));
    const encrypted = box.encrypt('secret');
    key.fill(0);
    expect(box.decrypt(encrypted)).toBe('secret');
  });
});
