import { type EventValue, REPEAT_HEADER, MAX_JSON_DEPTH, NUL_MESSAGE, TOO_DEEP_MESSAGE, topicsFor, UNPAIRED_SURROGATE_MESSAGE } from '@hookline/contracts';
import { type ConsumedMessage, type OutgoingMessage, UnreadableRecord } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import { EventsHandler } from '../src/events.handler.js';
import { FanoutService } from '../src/routing/fanout.service.js';
import type { PendingRoute } from '../src/routing/route.repository.js';
import type { EndpointRow } from '../src/routing/subscriptions.js';

// Fanout's handling of the events topic over an in-memory endpoints table and a producer that
// remembers what it sent, without Kafka or PostgreSQL.

const APP_1 = '00000000-0000-4000-8000-0000000000a1';
const APP_2 = '00000000-0000-4000-8000-0000000000a2';
const route = (id: string, applicationId: string, fields: Partial<EndpointRow> = {}): EndpointRow => ({ id, applicationId, eventTypes: null, channels: null, filter: null, ordering: 'none', updatedAt: new Date(0), ...fields });

function fanout(endpoints: EndpointRow[]) {
  /** What happened, in order: lookups, pending inserts and sends. */
  const log: Array<{ lookup: string[] } | { pending: PendingRoute[] } | { sent: string; messages: OutgoingMessage[] }> = [];
  const repository = {
    routableEndpoints: async (applicationIds: readonly string[]) => {
      log.push({ lookup: [...applicationIds] });
      return endpoints.filter((endpoint) => applicationIds.includes(endpoint.applicationId));
    },
    insertPending: async (routes: readonly PendingRoute[]) => void log.push({ pending: [...routes] }),
  };
  const producer = { send: async (topic: string, messages: OutgoingMessage[]) => void log.push({ sent: topic, messages }) };
  const logger = createLogger('test', 'silent');
  const handler = new EventsHandler(new FanoutService(topicsFor('t'), repository, producer, logger));
  return { handler, log };
}

let offset = 0;
function recordOf(value: string): ConsumedMessage {
  return { topic: 't.events', partition: 0, offset: String(offset++), key: null, value: Buffer.from(value), headers: {}, timestamp: String(Date.now()), redelivered: false } as ConsumedMessage;
}

const event = (messageId: string, applicationId: string, fields: Partial<EventValue> = {}): EventValue => ({
  messageId,
  applicationId,
  eventType: 'invoice.paid',
  eventId: null,
  channels: [],
  payload: { invoice: messageId },
  createdAt: '2026-03-01T12:00:00.000Z',
  ...fields,
});

const sends = (log: ReturnType<typeof fanout>['log']) => log.filter((entry) => 'sent' in entry);

describe('fanout handling the events topic', () => {
  it('routes each event to the subscribed endpoints of its own application, looked up together', async () => {
    const { handler, log } = fanout([
      route('00000000-0000-4000-8000-0000000000e1', APP_1, { eventTypes: ['invoice.paid'] }),
      route('00000000-0000-4000-8000-0000000000e2', APP_1, { eventTypes: ['invoice.voided'] }),
      route('00000000-0000-4000-8000-0000000000e3', APP_2),
    ]);
    const first = event('00000000-0000-4000-8000-0000000000b1', APP_1);
    const second = event('00000000-0000-4000-8000-0000000000b2', APP_2);
    await Promise.all([handler.handle(recordOf(JSON.stringify(first))), handler.handle(recordOf(JSON.stringify(second)))]);

    expect(log.filter((entry) => 'lookup' in entry)).toEqual([{ lookup: [APP_1, APP_2] }]);
    const tasks = sends(log).flatMap((entry) => entry.messages.map((message) => ({ topic: entry.sent, key: message.key, task: JSON.parse(String(message.value)) })));
    expect(tasks).toEqual([
      { topic: 't.deliveries', key: '00000000-0000-4000-8000-0000000000e1', task: expect.objectContaining({ messageId: first.messageId, endpointId: '00000000-0000-4000-8000-0000000000e1', attempt: 1, firstAttemptAt: null, acceptedAt: first.createdAt, trigger: 'scheduled' }) },
      { topic: 't.deliveries', key: '00000000-0000-4000-8000-0000000000e3', task: expect.objectContaining({ messageId: second.messageId, endpointId: '00000000-0000-4000-8000-0000000000e3' }) },
    ]);
  });

  it('marks the tasks of an event read again after a rebalance as possible repeats, and no others', async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1)]);
    await handler.handle(recordOf(JSON.stringify(event('00000000-0000-4000-8000-0000000000b1', APP_1))));
    await handler.handle({ ...recordOf(JSON.stringify(event('00000000-0000-4000-8000-0000000000b2', APP_1))), redelivered: true });

    expect(sends(log).map((entry) => entry.messages.map((message) => message.headers))).toEqual([[undefined], [{ [REPEAT_HEADER]: '1' }]]);
  });

  it('writes the pending status rows before it sends the tasks', async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1), route('00000000-0000-4000-8000-0000000000e2', APP_1)]);
    const message = event('00000000-0000-4000-8000-0000000000b1', APP_1);
    await handler.handle(recordOf(JSON.stringify(message)));

    expect(log.map((entry) => Object.keys(entry)[0])).toEqual(['lookup', 'pending', 'sent']);
    expect(log[1]).toEqual({
      pending: [
        { messageId: message.messageId, endpointId: '00000000-0000-4000-8000-0000000000e1', applicationId: APP_1, orderingKey: null, orderPartition: null, orderOffset: null },
        { messageId: message.messageId, endpointId: '00000000-0000-4000-8000-0000000000e2', applicationId: APP_1, orderingKey: null, orderPartition: null, orderOffset: null },
      ],
    });
  });

  it('writes and sends nothing for an event no endpoint subscribes to', async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1, { channels: ['eu'] })]);
    await handler.handle(recordOf(JSON.stringify(event('00000000-0000-4000-8000-0000000000b1', APP_1, { channels: ['us'] }))));
    expect(log).toEqual([{ lookup: [APP_1] }]);
  });

  it('refuses an unreadable event without a query or a send, naming the problem for the transport to log before it skips the record', async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1)]);
    await expect(handler.handle(recordOf('not json'))).rejects.toMatchObject({ name: 'UnreadableRecord', what: 'event', problem: expect.stringMatching(/^value: not JSON/) });
    await expect(handler.handle(recordOf(JSON.stringify({ ...event('00000000-0000-4000-8000-0000000000b1', APP_1), messageId: 'not-a-uuid' })))).rejects.toBeInstanceOf(UnreadableRecord);
    expect(log).toEqual([]);
  });

  it('refuses an event ingest would have refused (written straight onto the topic), naming the problem, and routes the one after it', async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1)]);
    const valid = JSON.stringify(event('00000000-0000-4000-8000-0000000000b1', APP_1));
    // Deep enough that serializing the delivery task would overflow the stack on every try.
    const deep = valid.replace('{"invoice":"00000000-0000-4000-8000-0000000000b1"}', `{"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    const surrogate = valid.replace('"invoice":', '"s":"\\ud800","invoice":');
    await expect(handler.handle(recordOf(deep))).rejects.toMatchObject({ what: 'event', problem: `value.payload.deep.${Array.from({ length: MAX_JSON_DEPTH - 2 }, () => 0).join('.')}: ${TOO_DEEP_MESSAGE}` });
    await expect(handler.handle(recordOf(surrogate))).rejects.toMatchObject({ what: 'event', problem: `value.payload.s: ${UNPAIRED_SURROGATE_MESSAGE}` });
    await expect(handler.handle(recordOf(JSON.stringify(event('00000000-0000-4000-8000-0000000000b2', APP_1, { payload: { note: 'a\u0000' } }))))).rejects.toMatchObject({ problem: `value.payload.note: ${NUL_MESSAGE}` });
    expect(log).toEqual([]);
    await handler.handle(recordOf(valid));
    expect(sends(log)).toHaveLength(1);
  });

  it('routes to an endpoint with a filter only the events whose payload passes it, compiling it once per endpoint version', async () => {
    const endpoints = [route('00000000-0000-4000-8000-0000000000e1', APP_1, { filter: { amount: { $gt: 1000 } } }), route('00000000-0000-4000-8000-0000000000e2', APP_1)];
    const { handler, log } = fanout(endpoints);
    const big = event('00000000-0000-4000-8000-0000000000b1', APP_1, { payload: { amount: 1500 } });
    const small = event('00000000-0000-4000-8000-0000000000b2', APP_1, { payload: { amount: 10 } });
    await handler.handle(recordOf(JSON.stringify(big)));
    await handler.handle(recordOf(JSON.stringify(small)));
    // The filter changes, and with it the endpoint's updated_at: the new one applies.
    endpoints[0] = { ...endpoints[0]!, filter: { amount: { $lt: 100 } }, updatedAt: new Date(1) };
    await handler.handle(recordOf(JSON.stringify({ ...small, messageId: '00000000-0000-4000-8000-0000000000b3' })));
    const routed = sends(log).flatMap((entry) => entry.messages.map((message) => JSON.parse(String(message.value)) as { messageId: string; endpointId: string }));
    expect(routed.map(({ messageId, endpointId }) => `${messageId.slice(-2)}->${endpointId.slice(-2)}`)).toEqual(['b1->e1', 'b1->e2', 'b2->e2', 'b3->e1', 'b3->e2']);
  });

  it('lets nothing through an endpoint whose stored filter does not compile', async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1, { filter: { amount: { $bogus: 1 } } })]);
    await handler.handle(recordOf(JSON.stringify(event('00000000-0000-4000-8000-0000000000b1', APP_1))));
    expect(sends(log)).toEqual([]);
  });

  it("gives a FIFO endpoint's route its position (the event's partition and offset) and ordering key, '' when the event has none", async () => {
    const { handler, log } = fanout([route('00000000-0000-4000-8000-0000000000e1', APP_1, { ordering: 'fifo' }), route('00000000-0000-4000-8000-0000000000e2', APP_1)]);
    const keyed = event('00000000-0000-4000-8000-0000000000b1', APP_1, { orderingKey: 'order-7' });
    const record = recordOf(JSON.stringify(keyed));
    await handler.handle(record);
    await handler.handle(recordOf(JSON.stringify(event('00000000-0000-4000-8000-0000000000b2', APP_1))));
    const pending = log.flatMap((entry) => ('pending' in entry ? entry.pending : []));
    expect(pending.map(({ endpointId, orderingKey, orderPartition, orderOffset }) => ({ endpoint: endpointId.slice(-2), orderingKey, orderPartition, orderOffset }))).toEqual([
      { endpoint: 'e1', orderingKey: 'order-7', orderPartition: 0, orderOffset: record.offset },
      { endpoint: 'e2', orderingKey: null, orderPartition: null, orderOffset: null },
      { endpoint: 'e1', orderingKey: '', orderPartition: 0, orderOffset: String(Number(record.offset) + 1) },
      { endpoint: 'e2', orderingKey: null, orderPartition: null, orderOffset: null },
    ]);
    const tasks = sends(log).flatMap((entry) => entry.messages.map((message) => JSON.parse(String(message.value)) as { endpointId: string; orderingKey?: string }));
    expect(tasks.map(({ endpointId, orderingKey }) => [endpointId.slice(-2), orderingKey])).toEqual([
      ['e1', 'order-7'],
      ['e2', undefined],
      ['e1', ''],
      ['e2', undefined],
    ]);
  });
});
