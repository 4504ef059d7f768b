import { dataSourceOptions, Message, MessageEndpoint } from '@hookline/database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AttemptRepository, type AttemptRow, type StatusRow } from '../../apps/delivery/src/attempts/attempt.repository.js';
import { OrderedDelivery } from '../../apps/delivery/src/ordering/ordered-delivery.js';
import { type Claim, OrderingRepository } from '../../apps/delivery/src/ordering/ordering.repository.js';
import { RouteRepository } from '../../apps/fanout/src/routing/route.repository.js';
import { EndpointOrderingRepository } from '../../apps/ingest/src/endpoints/ordering/endpoint-ordering.repository.js';
import { MessagesRepository } from '../../apps/ingest/src/messages/messages.repository.js';
import { migrateTestDatabase, requireStack } from '../support/env.js';

// The decisions of ordered delivery, made in PostgreSQL (docs/adr/0012): the claim function,
// the outcome's settlement, dead letters, replays and endpoint changes, through the repositories
// the services use, against the real database. Rows are written as fanout writes them.

const LEASE_MS = 10_000;

describe('claims of ordered messages in PostgreSQL', () => {
  let dataSource: DataSource;
  let ordering: OrderingRepository;
  let attempts: AttemptRepository;
  let endpointOrdering: EndpointOrderingRepository;
  let messages: MessagesRepository;
  const topic = `test-claims-${randomUUID().slice(0, 8)}.events`;
  const applications: string[] = [];
  let applicationId: string;
  let endpointId: string;

  beforeAll(async () => {
    await migrateTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(requireStack().databaseUrl, { poolSize: 6 })).initialize();
    ordering = new OrderingRepository(dataSource);
    attempts = new AttemptRepository(dataSource);
    endpointOrdering = new EndpointOrderingRepository(dataSource);
    messages = new MessagesRepository(dataSource.getRepository(Message), dataSource.getRepository(MessageEndpoint));
  });

  afterAll(async () => {
    await dataSource.query('DELETE FROM applications WHERE id = ANY($1::uuid[])', [applications]);
    await dataSource.query('DELETE FROM fanout_progress WHERE topic = $1', [topic]);
    await dataSource?.destroy();
  });

  beforeEach(async () => {
    applicationId = (await dataSource.query(`INSERT INTO applications (name) VALUES ('claims') RETURNING id`))[0].id;
    applications.push(applicationId);
    endpointId = (
      await dataSource.query(`INSERT INTO endpoints (application_id, url, secret_ciphertext, secret_key_id, ordering) VALUES ($1, 'https://example.com/hook', 'x', 'k1', 'fifo') RETURNING id`, [applicationId])
    )[0].id;
  });

  /** A message routed to the endpoint at `offset` of partition 0, as fanout leaves it: pending, with its position. */
  async function routed(offset: number, key = 'k'): Promise<string> {
    const id = uuidv7();
    await dataSource.query(`INSERT INTO messages (id, application_id, event_type, payload, ordering_key) VALUES ($1, $2, 'order.changed', '{}', $3)`, [id, applicationId, key]);
    await dataSource.query(`INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, ordering_key, order_partition, order_offset) VALUES ($1, $2, $3, 'pending', $4, 0, $5)`, [
      id,
      endpointId,
      applicationId,
      key,
      offset,
    ]);
    return id;
  }

  /** Fanout has routed every event of partition 0 below `offset`. */
  const progressed = (offset: number) => dataSource.query(`INSERT INTO fanout_progress VALUES ($1, 0, $2) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(fanout_progress.next_offset, EXCLUDED.next_offset)`, [topic, offset]);
  const claim = async (messageId: string, key = 'k'): Promise<Claim> => (await ordering.claim([{ messageId, endpointId, orderingKey: key }], topic, LEASE_MS))[0]!;
  /** The key's last promotion happened long enough ago to count as lost. */
  const promotedLongAgo = () => dataSource.query(`UPDATE ordering_queues SET promoted_at = now() - interval '1 minute' WHERE endpoint_id = $1`, [endpointId]);
  const parkedAt = async (messageId: string) => (await dataSource.query('SELECT parked_at FROM message_endpoints WHERE message_id = $1', [messageId]))[0].parked_at as Date | null;

  /** The outcome of an attempt of `messageId`, written as the recorder writes it, with the lease it held. */
  async function outcome(messageId: string, status: StatusRow['status'], lease: { key: string; token: string | null }) {
    const at = new Date();
    const attempt: AttemptRow = {
      id: uuidv7(),
      messageId,
      endpointId,
      applicationId,
      attemptNumber: 1,
      url: 'https://example.com/hook',
      succeeded: status === 'succeeded',
      responseStatusCode: status === 'succeeded' ? 200 : 500,
      responseDurationMs: 5,
      responseExcerpt: '',
      error: null,
      trigger: 'scheduled',
      createdAt: at,
      traceId: null,
    };
    const { promotions } = await attempts.writeBatch({
      attempts: [attempt],
      statuses: [{ messageId, endpointId, applicationId, status, attemptCount: 1, lastAttemptAt: at, nextAttemptAt: status === 'failed' ? new Date(at.getTime() + 1_000) : null }],
      outcomes: [{ endpointId, succeeded: attempt.succeeded, at }],
      ordered: [{ endpointId, orderingKey: lease.key, leaseToken: lease.token }],
    });
    return promotions;
  }

  it('sends the head once fanout has passed it, one attempt at a time, and parks what comes after it until the head is done', async () => {
    const first = await routed(10);
    const second = await routed(11);
    expect((await claim(first)).decision).toBe('wait');
    await progressed(12);
    expect(await claim(second)).toMatchObject({ decision: 'park', promote: null });
    expect(await parkedAt(second)).toBeInstanceOf(Date);
    const go = await claim(first);
    expect(go).toMatchObject({ decision: 'go', token: expect.any(String), position: '10' });
    // A second attempt of the head (another instance, a duplicate task) waits for the lease.
    const busy = await claim(first);
    expect(busy.decision).toBe('busy');
    expect(busy.retryMs).toBeGreaterThan(LEASE_MS - 2_000);

    // It failed and is retried: the key stays held, the lease is free, nothing is promoted.
    expect(await outcome(first, 'failed', { key: 'k', token: go.token })).toEqual([]);
    expect((await claim(second)).decision).toBe('park');
    const retry = await claim(first);
    expect(retry.decision).toBe('go');
    // Delivered: the parked second message is the new head, named to be sent.
    expect(await outcome(first, 'succeeded', { key: 'k', token: retry.token })).toEqual([{ endpointId, orderingKey: 'k', messageId: second }]);
    expect((await claim(first)).decision).toBe('done');
    const next = await claim(second);
    expect(next).toMatchObject({ decision: 'go', position: '11' });
    expect(await parkedAt(second)).toBeNull();
    await outcome(second, 'succeeded', { key: 'k', token: next.token });
    // A key with no open message leaves no queue row behind.
    expect(await dataSource.query('SELECT * FROM ordering_queues WHERE endpoint_id = $1', [endpointId])).toEqual([]);
  });

  it('never holds one key for another, and lets exactly one of many concurrent claims of a key go', async () => {
    const held = await routed(20, 'held');
    const other = await routed(21, 'other');
    await progressed(22);
    expect((await claim(held, 'held')).decision).toBe('go');
    expect((await claim(other, 'other')).decision).toBe('go');

    const contested = await routed(23, 'contested');
    await progressed(24);
    // As from several delivery instances at once, each its own round trip.
    const claims = await Promise.all(Array.from({ length: 8 }, () => claim(contested, 'contested')));
    expect(claims.map((answer) => answer.decision).sort()).toEqual(['busy', 'busy', 'busy', 'busy', 'busy', 'busy', 'busy', 'go']);
  });

  it('moves the key on when its head is dead-lettered, and a promotion that was lost is made by whoever finds the head parked', async () => {
    const first = await routed(30);
    const second = await routed(31);
    const third = await routed(32);
    await progressed(33);
    expect((await claim(second)).decision).toBe('park');
    expect((await claim(third)).decision).toBe('park');
    // Postponed past its window without an attempt: dead, and the key moves on.
    expect(await attempts.markDead({ messageId: first, endpointId, applicationId, orderingKey: 'k' }, new Date())).toEqual([{ endpointId, orderingKey: 'k', messageId: second }]);
    // Its promotion is on its way: claims that find the head parked leave it be.
    expect(await claim(third)).toMatchObject({ decision: 'park', promote: null });
    expect(await claim(first)).toMatchObject({ decision: 'done', promote: null });
    // Say the promoted task never left (the process died): once the promotion is old, the next claim of the key makes it again, once.
    await promotedLongAgo();
    expect(await claim(third)).toMatchObject({ decision: 'park', promote: second });
    expect(await claim(first)).toMatchObject({ decision: 'done', promote: null });
    expect((await claim(second)).decision).toBe('go');
  });

  it('sends the next head once, however many copies of a delivered task come back', async () => {
    const first = await routed(35);
    const second = await routed(36);
    const third = await routed(37);
    await progressed(38);
    expect((await claim(second)).decision).toBe('park');
    expect((await claim(third)).decision).toBe('park');
    const go = await claim(first);
    expect(await outcome(first, 'succeeded', { key: 'k', token: go.token })).toEqual([{ endpointId, orderingKey: 'k', messageId: second }]);
    // Copies of the first's task (a produce retried in a broker outage, a rebalance): each is
    // done, and none sends the second again. Each used to, and their copies the third, for ever.
    for (let copy = 0; copy < 5; copy++) expect(await claim(first)).toMatchObject({ decision: 'done', promote: null });
    // A second outcome of the first (another instance's attempt) does not send it again either.
    expect(await outcome(first, 'succeeded', { key: 'k', token: null })).toEqual([]);
    const next = await claim(second);
    expect(next.decision).toBe('go');
    expect(await outcome(second, 'succeeded', { key: 'k', token: next.token })).toEqual([{ endpointId, orderingKey: 'k', messageId: third }]);
    for (let copy = 0; copy < 5; copy++) expect(await claim(second)).toMatchObject({ decision: 'done', promote: null });
  });

  it('reopens a replayed message at its own position, ahead of the later ones still open', async () => {
    const first = await routed(40);
    const second = await routed(41);
    const third = await routed(42);
    await progressed(43);
    const go = await claim(first);
    await outcome(first, 'dead', { key: 'k', token: go.token });
    const secondGo = await claim(second);
    expect(secondGo.decision).toBe('go');
    await outcome(second, 'succeeded', { key: 'k', token: secondGo.token });
    expect((await claim(third)).decision).toBe('go');

    // The operator replays the dead first message while the third is in flight.
    expect(await messages.reopenOrdered([{ messageId: first, endpointId }])).toEqual(new Map([[`${first} ${endpointId}`, 'k']]));
    expect((await claim(first)).decision).toBe('busy');
    // The third's outcome names the reopened first, parked, as the head to send.
    const [{ lease_token: thirdLease }] = await dataSource.query(`SELECT lease_token FROM ordering_queues WHERE endpoint_id = $1`, [endpointId]);
    expect(await outcome(third, 'succeeded', { key: 'k', token: thirdLease })).toEqual([{ endpointId, orderingKey: 'k', messageId: first }]);
    expect((await claim(first)).decision).toBe('go');
  });

  it('lets an endpoint that left FIFO send as usual, releasing its parked messages; re-enabled, it parks its open ones and sends each head', async () => {
    const first = await routed(50);
    const second = await routed(51);
    const otherKey = await routed(52, 'b');
    await progressed(53);
    expect((await claim(first)).decision).toBe('go');
    expect((await claim(second)).decision).toBe('park');

    // Disabled while its tasks kept coming (they were dropped), then enabled again.
    await dataSource.query(`UPDATE ordering_queues SET lease_token = NULL, lease_until = NULL WHERE endpoint_id = $1`, [endpointId]);
    await endpointOrdering.parkOpen(endpointId);
    expect((await endpointOrdering.parkedHeads(endpointId)).sort((a, b) => a.orderingKey.localeCompare(b.orderingKey))).toEqual([
      { messageId: otherKey, orderingKey: 'b' },
      { messageId: first, orderingKey: 'k' },
    ]);

    await dataSource.query(`UPDATE endpoints SET ordering = 'none' WHERE id = $1`, [endpointId]);
    expect((await claim(second)).decision).toBe('unordered');
    expect((await endpointOrdering.parkedAfterClaims(endpointId)).map((row) => row.messageId).sort()).toEqual([first, second, otherKey].sort());
    await endpointOrdering.unpark(endpointId, [first, second, otherKey]);
    expect(await endpointOrdering.parkedAfterClaims(endpointId)).toEqual([]);

    await dataSource.query('DELETE FROM endpoints WHERE id = $1', [endpointId]);
    expect((await claim(second)).decision).toBe('done');
  });

  it('lists the keys held by a failed head, with what holds them and how many wait', async () => {
    const head = await routed(60, 'stuck');
    await routed(61, 'stuck');
    await routed(62, 'stuck');
    const fine = await routed(63, 'fine');
    await progressed(64);
    const go = await claim(head, 'stuck');
    await outcome(head, 'failed', { key: 'stuck', token: go.token });
    expect((await claim(fine, 'fine')).decision).toBe('go');
    const held = await endpointOrdering.heldKeys(endpointId, null, 10);
    expect(held).toEqual([{ orderingKey: 'stuck', messageId: head, attemptCount: 1, nextAttemptAt: expect.any(Date), blockedSince: expect.any(Date), waiting: 2 }]);
    expect(await endpointOrdering.heldKeys(endpointId, 'stuck', 10)).toEqual([]);
  });

  it("writes one pending row per route when an event's two copies reach fanout in one batch, at the lower position", async () => {
    const id = uuidv7();
    await dataSource.query(`INSERT INTO messages (id, application_id, event_type, payload, ordering_key) VALUES ($1, $2, 'order.changed', '{}', 'k')`, [id, applicationId]);
    const copy = (offset: string) => ({ messageId: id, endpointId, applicationId, orderingKey: 'k', orderPartition: 0, orderOffset: offset });
    // The relay emitted the event again and a broker restart put both copies in one batch.
    await new RouteRepository(dataSource).insertPending([copy('71'), copy('70')]);
    expect(await dataSource.query('SELECT status, order_offset FROM message_endpoints WHERE message_id = $1', [id])).toEqual([{ status: 'pending', order_offset: '70' }]);
  });

  it('finds the parked heads nobody is sending: parked for a while, their lease free, none with a lease held or parked just now', async () => {
    const first = await routed(80);
    const second = await routed(81);
    await progressed(82);
    expect((await claim(second)).decision).toBe('park');
    const go = await claim(first);
    // The first is in flight: its key's lease is held, so the parked second is not stranded.
    const mine = async (parkedForMs: number) => (await ordering.strandedHeads(parkedForMs, 1_000)).filter((head) => head.endpointId === endpointId);
    expect(await mine(0)).toEqual([]);
    // Delivered, and the promotion of the second lost on its way.
    expect(await outcome(first, 'succeeded', { key: 'k', token: go.token })).toEqual([{ endpointId, orderingKey: 'k', messageId: second }]);
    await dataSource.query(`UPDATE message_endpoints SET parked_at = now() - interval '1 minute' WHERE message_id = $1`, [second]);
    // Promoted just now: that promotion may still be on its way.
    expect(await mine(30_000)).toEqual([]);
    await promotedLongAgo();
    // Parked less long than asked: a promotion may still be on its way.
    expect(await mine(120_000)).toEqual([]);
    expect(await mine(30_000)).toEqual([{ endpointId, orderingKey: 'k', messageId: second }]);
    // The sweep promoted it: the next sweep (another instance's) leaves it be.
    expect(await mine(30_000)).toEqual([]);
  });

  it('tells how a message claimed done ended, from its last recorded attempt, for the outcome record a crash or a refused produce left unwritten', async () => {
    const delivered = await routed(90);
    const dead = await routed(91);
    const open = await routed(92);
    await progressed(93);
    await outcome(delivered, 'succeeded', { key: 'k', token: (await claim(delivered)).token });
    await outcome(dead, 'dead', { key: 'k', token: (await claim(dead)).token });
    expect((await claim(delivered)).decision).toBe('done');
    const config = { delivery: { timeoutMs: 1_000 } } as ConstructorParameters<typeof OrderedDelivery>[0];
    const delivery = new OrderedDelivery(config, { events: topic } as ConstructorParameters<typeof OrderedDelivery>[1], ordering, { send: async () => undefined });
    const task = (messageId: string) => ({ messageId, endpointId }) as Parameters<OrderedDelivery['settledOutcome']>[0];
    expect(await delivery.settledOutcome(task(delivered))).toEqual({ outcome: 'delivered', attempts: 1, statusCode: 200, deliveredAt: expect.any(Date) });
    expect(await delivery.settledOutcome(task(dead))).toEqual({ outcome: 'dead', attempts: 1, lastError: 'HTTP 500: ' });
    expect(await delivery.settledOutcome(task(open))).toBeNull();
  });
});
