import { generateSecret, parseSecret, signatureHeaders } from '@hookline/signing';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1', amount: 4200, note: 'café ☕' } });

describe('generateSecret / parseSecret', () => {
  it('generates whsec_ secrets of 24 bytes by default and up to 64 on request', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(parseSecret(secret)).toHaveLength(24);
    expect(parseSecret(generateSecret(64))).toHaveLength(64);
    expect(generateSecret()).not.toBe(secret);
  });

  it.each([23, 65, 32.5, Number.NaN])('refuses to generate a %p-byte secret', (bytes) => {
    expect(() => generateSecret(bytes)).toThrow('webhook secret length must be an integer from 24 to 64 bytes');
  });

  it('decodes the key of a valid secret', () => {
    const key = Buffer.alloc(24, 7);
    expect(parseSecret(`whsec_${key.toString('base64')}`)).toEqual(key);
  });

  const bytes = (count: number) => Buffer.alloc(count, 0xfb);
  it.each([
    ['no prefix', '', bytes(24).toString('base64'), 'must start with "whsec_"'],
    ['a wrong prefix', 'whsk_', bytes(24).toString('base64'), 'must start with "whsec_"'],
    ['characters outside base64', 'whsec_', `${bytes(24).toString('base64')}!`, 'standard, padded base64'],
    ['base64url', 'whsec_', bytes(24).toString('base64url'), 'standard, padded base64'],
    ['missing padding', 'whsec_', bytes(25).toString('base64').replace(/=+$/, ''), 'standard, padded base64'],
    ['too few bytes', 'whsec_', bytes(23).toString('base64'), 'must decode to 24 to 64 bytes, got 23'],
    ['too many bytes', 'whsec_', bytes(65).toString('base64'), 'must decode to 24 to 64 bytes, got 65'],
  ])('rejects a secret with %s, without echoing it', (_case, prefix, encodedKey, message) => {
    expect(messageOf(() => parseSecret(prefix + encodedKey))).toContain(message);
    expect(messageOf(() => parseSecret(prefix + encodedKey))).not.toContain(encodedKey);
  });

  it('rejects a prefix with nothing after it', () => {
    expect(() => parseSecret('whsec_')).toThrow('must decode to 24 to 64 bytes, got 0');
  });
});

describe('signatureHeaders', () => {
  it('reproduces the Standard Webhooks reference test vector', () => {
    const headers = signatureHeaders({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: new Date(1614265330_000),
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('sends the timestamp as whole unix seconds, rounded down', () => {
    const headers = signatureHeaders({
      id: 'msg_1',
      timestamp: new Date('2024-05-01T12:00:00.999Z'),
      body,
      secrets: [generateSecret()],
    });
    expect(headers['webhook-timestamp']).toBe('1714564800');
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
  });

  it('signs with one secret in a form the standardwebhooks library verifies', () => {
    const secret = generateSecret();
    const headers = signatureHeaders({ id: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('matches the signature the standardwebhooks library computes itself', () => {
    const secret = generateSecret(48);
    const timestamp = new Date();
    const headers = signatureHeaders({ id: 'msg_1', timestamp, body, secrets: [secret] });
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign('msg_1', timestamp, body));
  });

  it('signs with every secret during a rotation, so either the old or the new one verifies', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret(64)];
    const headers = signatureHeaders({ id: 'msg_1', timestamp: new Date(), body, secrets: [newSecret, oldSecret] });
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('fails verification for a tampered body, id or timestamp', () => {
    const secret = generateSecret();
    const headers = signatureHeaders({ id: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    const webhook = new Webhook(secret);
    expect(() => webhook.verify(body.replace('4200', '4201'), headers)).toThrow(WebhookVerificationError);
    expect(() => webhook.verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow(WebhookVerificationError);
    const otherSecond = String(Number(headers['webhook-timestamp']) - 1);
    expect(() => webhook.verify(body, { ...headers, 'webhook-timestamp': otherSecond })).toThrow(
      WebhookVerificationError,
    );
  });

  it('fails verification with a secret that did not sign', () => {
    const headers = signatureHeaders({
      id: 'msg_1',
      timestamp: new Date(),
      body,
      secrets: [generateSecret(), generateSecret()],
    });
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow('No matching signature found');
  });

  it('rejects input it cannot sign meaningfully', () => {
    const secret = generateSecret();
    const valid = { id: 'msg_1', timestamp: new Date(), body, secrets: [secret] };
    expect(() => signatureHeaders({ ...valid, secrets: [] })).toThrow('at least one webhook secret');
    expect(() => signatureHeaders({ ...valid, secrets: [secret, 'not-a-secret'] })).toThrow('must start with "whsec_"');
    expect(() => signatureHeaders({ ...valid, id: '' })).toThrow('webhook id must not be empty');
    expect(() => signatureHeaders({ ...valid, timestamp: new Date('nonsense') })).toThrow('must be a valid Date');
  });
});
