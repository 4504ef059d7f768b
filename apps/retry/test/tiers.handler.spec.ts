import { REPEAT_HEADER, RETRY_HEADERS, topicsFor } from '@hookline/contracts';
import type { ConsumedMessage, KafkaProducer, OutgoingMessage } from '@hookline/kafka';
import { TiersHandler } from '../src/tiers.handler.js';

// The retry service's handler over a producer that remembers what it sent, without Kafka.

function tiersHandler() {
  const sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  const producer = { send: async (topic: string, messages: OutgoingMessage[]) => void sent.push({ topic, messages }) } as unknown as KafkaProducer;
  return { handler: new TiersHandler(topicsFor('t'), producer), sent };
}

const tierRecord = (redelivered: boolean): ConsumedMessage => ({
  topic: 't.retry.1m',
  partition: 0,
  offset: '4',
  key: Buffer.from('endpoint-1'),
  value: Buffer.from('{"attempt":2}'),
  headers: { [RETRY_HEADERS.dueAt]: '2026-03-01T12:01:00.000Z', [RETRY_HEADERS.attempt]: '2' },
  timestamp: String(Date.parse('2026-03-01T12:00:00.000Z')),
  superseded: new AbortController().signal,
  redelivered,
});

describe('retry re-emitting a due task', () => {
  it('sends it to the deliveries topic unchanged, headers included', async () => {
    const { handler, sent } = tiersHandler();
    const record = tierRecord(false);
    await handler.handle(record);

    expect(sent).toEqual([{ topic: 't.deliveries', messages: [{ key: record.key, value: record.value, headers: record.headers }] }]);
  });

  it('marks a task read again after a rebalance as a possible repeat: it may have been re-emitted already', async () => {
    const { handler, sent } = tiersHandler();
    const record = tierRecord(true);
    await handler.handle(record);

    expect(sent[0]!.messages[0]!.headers).toEqual({ ...record.headers, [REPEAT_HEADER]: '1' });
  });
});
