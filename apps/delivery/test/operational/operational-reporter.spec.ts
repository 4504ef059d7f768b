import { type DeliveryTask, operationalEvent, topicsFor } from '@hookline/contracts';
import { OPERATIONAL_APPLICATION_ID } from '@hookline/database';
import type { OutgoingMessage } from '@hookline/kafka';
import { OperationalReporter } from '../../src/operational/operational-reporter.js';
import { deliveryTaskOf } from '../tasks.js';

// OperationalReporter with a producer that remembers what it was asked to send: which operational
// events an attempt leads to, in Svix's shapes, decided without Kafka.

function reporter() {
  const sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  const subject = new OperationalReporter(topicsFor('t'), { send: async (topic, messages) => void sent.push({ topic, messages }) });
  const events = () => sent.flatMap((send) => send.messages.map((message) => operationalEvent.parse(JSON.parse(String(message.value)))));
  return { subject, sent, events };
}

const task = (fields: Partial<DeliveryTask> = {}) => deliveryTaskOf({ firstAttemptAt: '2026-03-01T12:00:00.000Z', ...fields });

const attempt = { id: '00000000-0000-7000-8000-0000000000a1', statusCode: 500, at: new Date('2026-03-01T12:05:00Z') };

describe('OperationalReporter after an attempt', () => {
  it('reports message.attempt.failing on the fourth failure, in Svix shape, keyed by application', async () => {
    const { subject, sent, events } = reporter();
    for (const number of [1, 2, 3, 5]) await subject.attempted(task({ attempt: number }), attempt, false, false);
    expect(sent).toEqual([]);

    await subject.attempted(task({ attempt: 4 }), attempt, false, false);
    expect(sent.map((send) => send.topic)).toEqual(['t.operational']);
    expect(sent[0]!.messages[0]!.key).toBe(task().applicationId);
    expect(events()).toEqual([
      {
        id: expect.any(String),
        type: 'message.attempt.failing',
        data: {
          appId: task().applicationId,
          endpointId: task().endpointId,
          msgId: task().messageId,
          msgEventId: 'evt-1',
          lastAttempt: { id: attempt.id, responseStatusCode: 500, timestamp: '2026-03-01T12:05:00.000Z' },
        },
      },
    ]);
  });

  it('reports message.attempt.recovered on a success after the failing report, and nothing on an earlier one', async () => {
    const { subject, events } = reporter();
    await subject.attempted(task({ attempt: 4 }), { ...attempt, statusCode: 200 }, true, false);
    expect(events()).toEqual([]);
    await subject.attempted(task({ attempt: 5 }), { ...attempt, statusCode: 204 }, true, false);
    expect(events().map((event) => [event.type, 'lastAttempt' in event.data && event.data.lastAttempt.responseStatusCode])).toEqual([['message.attempt.recovered', 204]]);
  });

  it('reports message.attempt.exhausted when the attempt was the last; a response never received is status 0', async () => {
    const { subject, events } = reporter();
    await subject.attempted(task({ attempt: 2, eventId: null }), { ...attempt, statusCode: null }, false, true);
    const [event] = events();
    expect(event).toMatchObject({ type: 'message.attempt.exhausted', data: { lastAttempt: { responseStatusCode: 0 } } });
    expect(event!.data).not.toHaveProperty('msgEventId');
  });

  it('gives a fact reported again (the task run again after a crash) the same id, and another fact another', async () => {
    const { subject, events } = reporter();
    await subject.attempted(task({ attempt: 4 }), attempt, false, false);
    await subject.attempted(task({ attempt: 4 }), { ...attempt, id: '00000000-0000-7000-8000-0000000000a2' }, false, false);
    await subject.attempted(task({ attempt: 4, firstAttemptAt: '2026-03-02T00:00:00.000Z' }), attempt, false, false);
    const [first, again, other] = events();
    expect(again!.id).toBe(first!.id);
    expect(other!.id).not.toBe(first!.id);
  });

  it('reports nothing about the operational application\'s own deliveries', async () => {
    const { subject, sent } = reporter();
    await subject.attempted(task({ applicationId: OPERATIONAL_APPLICATION_ID, attempt: 4 }), attempt, false, true);
    await subject.endpointsDisabled([{ id: task().endpointId, applicationId: OPERATIONAL_APPLICATION_ID, uid: null, failingSince: null, occurrence: 'x' }]);
    expect(sent).toEqual([]);
  });

  it('reports a task dead-lettered without an attempt only with the attempt it made before', async () => {
    const { subject, events } = reporter();
    await subject.exhausted(task(), null);
    expect(events()).toEqual([]);
    await subject.exhausted(task({ attempt: 3 }), attempt);
    expect(events().map((event) => event.type)).toEqual(['message.attempt.exhausted']);
  });
});

describe('OperationalReporter of disabled endpoints', () => {
  it('reports endpoint.disabled, automatic, with when it started failing and its uid', async () => {
    const { subject, events } = reporter();
    const failingSince = new Date('2026-02-24T00:00:00Z');
    await subject.endpointsDisabled([{ id: task().endpointId, applicationId: task().applicationId, uid: 'billing', failingSince, occurrence: 'a' }]);
    expect(events()).toEqual([
      {
        id: expect.any(String),
        type: 'endpoint.disabled',
        data: { appId: task().applicationId, endpointId: task().endpointId, endpointUid: 'billing', failSince: failingSince.toISOString(), trigger: 'automatic' },
      },
    ]);
  });
});
