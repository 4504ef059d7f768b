import { randomBytes } from 'node:crypto';
import { generateSecret, parseSecret, WEBHOOK_SECRET_PATTERN } from '../src/webhook-secret.js';

const accepted = (secret: string): boolean => {
  try {
    parseSecret(secret);
    return true;
  } catch {
    return false;
  }
};

describe('WEBHOOK_SECRET_PATTERN', () => {
  it('is exactly the rule of parseSecret for every length of key, and for every non-canonical tail', () => {
    const candidates: string[] = [];
    for (let bytes = 0; bytes <= 70; bytes++) {
      const base64 = randomBytes(bytes).toString('base64');
      candidates.push(`whsec_${base64}`, `whsec_${base64.replace(/=+$/, '')}`, base64);
      // Every last character before the padding: only those leaving the unused bits zero are canonical.
      const padding = base64.length - base64.replace(/=+$/, '').length;
      if (padding > 0) {
        const at = base64.length - padding - 1;
        for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') candidates.push(`whsec_${base64.slice(0, at)}${c}${base64.slice(at + 1)}`);
      }
    }
    candidates.push('whsec_', 'whsec_====', `whsec_${'A'.repeat(32)}=`, `whsec_${'A'.repeat(31)}-`);
    const disagreements = candidates.filter((secret) => WEBHOOK_SECRET_PATTERN.test(secret) !== accepted(secret));
    expect(disagreements).toEqual([]);
    expect(candidates.filter((secret) => accepted(secret)).length).toBeGreaterThan(41 * 3);
  });

  it('matches every generated secret', () => {
    for (let bytes = 24; bytes <= 64; bytes++) expect(generateSecret(bytes)).toMatch(WEBHOOK_SECRET_PATTERN);
  });
});
