import { generateSecret } from '@hookline/signing';
import { MAX_CONCURRENT_VERIFICATIONS } from '../../apps/ingest/src/endpoints/verification/endpoint-verifier.js';
import { Webhook } from 'standardwebhooks';
import { eventually } from '../support/env.js';
import { settled, usePipeline } from '../support/pipeline.js';
import { type ReceivedRequest, useReceiver } from '../support/receiver.js';

// Endpoint verification (HOOKLINE_ENDPOINT_VERIFICATION=true) through the real stack: a new
// endpoint is sent a signed challenge and receives no events until it has echoed one.

interface EndpointOut {
  id: string;
  url: string;
  verificationRequired: boolean;
  verifiedAt: string | null;
}
interface VerifyOut {
  verificationRequired: boolean;
  verified: boolean;
  verifiedAt: string | null;
  statusCode: number | null;
  error: string | null;
}

const isChallenge = (request: ReceivedRequest) => (JSON.parse(request.body) as { type?: string }).type === 'endpoint.verification';

describe('endpoint verification', () => {
  const ctx = usePipeline('verify', { env: { HOOKLINE_ENDPOINT_VERIFICATION: 'true' }, eventType: { prefix: 'verify', description: 'verification' } });
  const receiver = useReceiver();
  /** Paths whose receiver echoes the challenge; the others answer 200 "ok" (a 2xx alone does not verify). */
  const echoing = new Set<string>();
  /** Paths whose receiver takes 1.5 s to answer. */
  const slow = new Set<string>();
  receiver.respond = (request) => {
    const delayMs = slow.has(request.path) ? 1_500 : 0;
    if (isChallenge(request) && echoing.has(request.path)) {
      const { challenge } = JSON.parse(request.body) as { challenge: string };
      return { status: 200, delayMs, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ challenge }) };
    }
    return { status: 200, delayMs };
  };

  const events = (path: string) => receiver.on(path).filter((request) => !isChallenge(request));
  const challenges = (path: string) => receiver.on(path).filter(isChallenge);

  /** Sends an event to the application and waits until it is the only one `path` has received. */
  async function expectOnlyEventAt(appId: string, path: string, message: { payload: Record<string, unknown>; channels?: string[] }) {
    await ctx.svix.message.create(appId, { eventType: ctx.eventType, ...message });
    await eventually(() => expect(events(path).map((request) => JSON.parse(request.body))).toEqual([message.payload]));
  }

  it('sends a new endpoint a signed challenge, and routes events to it once it echoed it', async () => {
    const { svix, admin, eventType } = ctx;
    const app = await svix.application.create({ name: 'Echoes' });
    const secret = generateSecret();
    echoing.add('/echo');
    const created = await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/echo'), eventTypes: [eventType], secret });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ verificationRequired: true, verifiedAt: expect.any(String) });

    // The challenge is signed with the endpoint's secret, like any delivery.
    const [challenge] = challenges('/echo');
    expect(challenge).toBeDefined();
    const body = new Webhook(secret).verify(challenge!.body, challenge!.headers as Record<string, string>);
    expect(body).toEqual({ type: 'endpoint.verification', challenge: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(challenge!.headers['content-type']).toBe('application/json');
    expect((await admin.get<EndpointOut>(`/api/v1/app/${app.id}/endpoint/${created.body.id}`)).body.verifiedAt).toBe(created.body.verifiedAt);

    await expectOnlyEventAt(app.id, '/echo', { payload: { to: 'echo' } });
  });

  it('routes nothing to an endpoint that does not echo, until it does and /verify is called', async () => {
    const { svix, admin, eventType } = ctx;
    const app = await svix.application.create({ name: 'Silent' });
    const silent = await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/silent'), eventTypes: [eventType] });
    expect(silent.status).toBe(201);
    expect(silent.body).toMatchObject({ verificationRequired: true, verifiedAt: null });
    expect(challenges('/silent')).toHaveLength(1);
    // A verified endpoint of the same application shows when the event has been fanned out.
    echoing.add('/witness');
    const witness = await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/witness'), eventTypes: [eventType] });
    expect(witness.body.verifiedAt).toEqual(expect.any(String));

    const before = await svix.message.create(app.id, { eventType, payload: { n: 'before' } });
    await eventually(() => expect(events('/witness')).toHaveLength(1));
    // None, once the pipeline has handled everything.
    await settled(ctx.pipeline);
    expect(events('/silent')).toEqual([]);
    // Nor can it be sent one by hand.
    expect(await admin.post(`/api/v1/app/${app.id}/msg/${before.id}/endpoint/${silent.body.id}/resend`)).toMatchObject({
      status: 409,
      body: { code: 'endpoint_not_verified' },
    });

    // Still not echoing: /verify says why.
    const failed = await admin.post<VerifyOut>(`/api/v1/app/${app.id}/endpoint/${silent.body.id}/verify`);
    expect(failed).toMatchObject({ status: 200, body: { verificationRequired: true, verified: false, verifiedAt: null, statusCode: 200, error: expect.stringContaining('challenge') } });
    expect(challenges('/silent')).toHaveLength(2);

    echoing.add('/silent');
    const passed = await admin.post<VerifyOut>(`/api/v1/app/${app.id}/endpoint/${silent.body.id}/verify`);
    expect(passed).toMatchObject({ status: 200, body: { verified: true, verifiedAt: expect.any(String), statusCode: 200, error: null } });
    expect((await admin.get<EndpointOut>(`/api/v1/app/${app.id}/endpoint/${silent.body.id}`)).body.verifiedAt).toBe(passed.body.verifiedAt);

    await expectOnlyEventAt(app.id, '/silent', { payload: { n: 'after' } });
  });

  it('holds events back again when the URL changes, until the new URL passes', async () => {
    const { svix, admin, eventType } = ctx;
    const app = await svix.application.create({ name: 'Moving' });
    echoing.add('/moving-a');
    echoing.add('/moving-witness');
    const endpoint = await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/moving-a'), eventTypes: [eventType], channels: ['moving'] });
    await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/moving-witness'), eventTypes: [eventType] });
    expect(endpoint.body.verifiedAt).toEqual(expect.any(String));

    const moved = await admin.patch<EndpointOut>(`/api/v1/app/${app.id}/endpoint/${endpoint.body.id}`, { url: receiver.url('/moving-b') });
    expect(moved).toMatchObject({ status: 200, body: { verifiedAt: null } });
    expect(challenges('/moving-b')).toHaveLength(1);
    await svix.message.create(app.id, { eventType, payload: { n: 1 }, channels: ['moving'] });
    await eventually(() => expect(events('/moving-witness')).toHaveLength(1));
    // None, once the pipeline has handled everything.
    await settled(ctx.pipeline);
    expect(events('/moving-b')).toEqual([]);

    echoing.add('/moving-b');
    expect((await admin.post<VerifyOut>(`/api/v1/app/${app.id}/endpoint/${endpoint.body.id}/verify`)).body.verified).toBe(true);
    // Other changes leave the verification alone.
    const described = await admin.patch<EndpointOut>(`/api/v1/app/${app.id}/endpoint/${endpoint.body.id}`, { description: 'moved' });
    expect(described.body.verifiedAt).toEqual(expect.any(String));
    expect(challenges('/moving-b')).toHaveLength(2);

    await expectOnlyEventAt(app.id, '/moving-b', { payload: { n: 2 }, channels: ['moving'] });
    expect(events('/moving-a')).toEqual([]);
  });

  it('shares one handshake among concurrent requests to verify the same endpoint', async () => {
    const { svix, admin } = ctx;
    const app = await svix.application.create({ name: 'Crowd' });
    const endpoint = await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/crowd') });
    expect(challenges('/crowd')).toHaveLength(1);
    echoing.add('/crowd');
    slow.add('/crowd');
    const replies = await Promise.all(Array.from({ length: 5 }, () => admin.post<VerifyOut>(`/api/v1/app/${app.id}/endpoint/${endpoint.body.id}/verify`)));
    expect(replies.map((reply) => [reply.status, reply.body.verified])).toEqual(replies.map(() => [200, true]));
    expect(new Set(replies.map((reply) => reply.body.verifiedAt)).size).toBe(1);
    expect(challenges('/crowd')).toHaveLength(2);
  });

  it(`holds an instance to ${MAX_CONCURRENT_VERIFICATIONS} handshakes at once, answering 429 verification_busy beyond`, async () => {
    const { svix, admin } = ctx;
    const app = await svix.application.create({ name: 'Throng' });
    const count = MAX_CONCURRENT_VERIFICATIONS + 4;
    const paths = Array.from({ length: count }, (_, n) => `/throng-${n}`);
    const endpoints = [];
    for (const path of paths) endpoints.push((await admin.post<EndpointOut>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url(path) })).body);
    for (const path of paths) {
      echoing.add(path);
      slow.add(path);
    }
    const replies = await Promise.all(endpoints.map((endpoint) => admin.post<VerifyOut & { code?: string }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}/verify`)));
    expect(replies.filter((reply) => reply.status === 200 && reply.body.verified)).toHaveLength(MAX_CONCURRENT_VERIFICATIONS);
    const busy = replies.filter((reply) => reply.status === 429);
    expect(busy.map((reply) => reply.body.code)).toEqual(['verification_busy', 'verification_busy', 'verification_busy', 'verification_busy']);
    // One challenge at creation for each, and one more for each handshake that ran.
    expect(paths.reduce((sum, path) => sum + challenges(path).length, 0)).toBe(count + MAX_CONCURRENT_VERIFICATIONS);
    // Once they are done, the others go through.
    const retried = await admin.post<VerifyOut>(`/api/v1/app/${app.id}/endpoint/${endpoints[replies.indexOf(busy[0]!)]!.id}/verify`);
    expect(retried).toMatchObject({ status: 200, body: { verified: true } });
  });
});
