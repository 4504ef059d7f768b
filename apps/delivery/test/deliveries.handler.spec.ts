import type { DeliveryTask } from '@hookline/contracts';
import type { ConsumedMessage } from '@hookline/kafka';
import type { AttemptService } from '../src/attempts/attempt.service.js';
import { DeliveriesHandler } from '../src/deliveries.handler.js';
import { deliveryTaskOf } from './tasks.js';

// DeliveriesHandler with a fake AttemptService: which task object each reading of a record gets,
// and which readings may repeat an attempt made before. AttemptService knows a request it made by
// its task object (attempt.service.spec.ts), so a record read again must get the same object.

/** A reading of the deliveries record at `offset` of partition 0: each call is another object, as each fetch is. */
const reading = (offset: string, fields: Partial<ConsumedMessage> = {}): ConsumedMessage => ({
  topic: 't.deliveries',
  partition: 0,
  offset,
  key: null,
  value: Buffer.from(JSON.stringify(deliveryTaskOf())),
  headers: {},
  timestamp: String(Date.now()),
  superseded: new AbortController().signal,
  redelivered: false,
  ...fields,
});

/** `failures` runs fail, the first `madeFirst` of them after their request was made (not yet recorded). */
function deliveriesHandler(failures = 0, madeFirst = failures) {
  const calls: Array<{ task: DeliveryTask; mayRepeat: boolean }> = [];
  const awaiting = new Set<DeliveryTask>();
  let left = failures;
  let made = madeFirst;
  const attempts = {
    attempt: async (task: DeliveryTask, _superseded: AbortSignal, mayRepeat: boolean) => {
      calls.push({ task, mayRepeat });
      awaiting.delete(task);
      if (left-- > 0) {
        if (made-- > 0) awaiting.add(task);
        throw new Error('Connection terminated unexpectedly');
      }
    },
    awaitsConclusion: (task: DeliveryTask) => awaiting.has(task),
  } as unknown as AttemptService;
  return { handler: new DeliveriesHandler(attempts), calls };
}

describe('DeliveriesHandler', () => {
  it('hands a record read again after its request was made but not recorded (by this generation or the next) the same task object, until it is handled', async () => {
    const { handler, calls } = deliveriesHandler(2);

    await expect(handler.handle(reading('7'))).rejects.toThrow('Connection terminated');
    await expect(handler.handle(reading('7', { redelivered: true }))).rejects.toThrow('Connection terminated');
    await handler.handle(reading('7', { redelivered: true }));
    await handler.handle(reading('7', { redelivered: true }));
    await handler.handle(reading('8'));

    const [first, ...rest] = calls.map((call) => call.task);
    expect(rest.slice(0, 2).every((task) => task === first)).toBe(true);
    // Once handled it is forgotten; another record is another task, even with the same content.
    expect(rest[2]).not.toBe(first);
    expect(rest[3]).not.toBe(first);
    expect(rest[3]).toEqual(first);
  });

  it('forgets a task whose handling failed before any request was made: its next reading decodes it anew', async () => {
    const { handler, calls } = deliveriesHandler(1, 0);

    await expect(handler.handle(reading('7'))).rejects.toThrow('Connection terminated');
    await handler.handle(reading('7', { redelivered: true }));

    expect(calls[1]!.task).not.toBe(calls[0]!.task);
  });

  it('decodes anew a record at a kept position whose bytes differ (its topic made again, numbered from 0 anew)', async () => {
    const { handler, calls } = deliveriesHandler(1);

    await expect(handler.handle(reading('7'))).rejects.toThrow('Connection terminated');
    await handler.handle(reading('7', { value: Buffer.from(JSON.stringify(deliveryTaskOf({ messageId: '00000000-0000-4000-8000-000000000009' }))) }));

    expect(calls[1]!.task).not.toBe(calls[0]!.task);
    expect(calls[1]!.task.messageId).toBe('00000000-0000-4000-8000-000000000009');
  });

  it('has a task looked up when it may repeat one: read again, marked by its producer, or back from a retry tier', async () => {
    const { handler, calls } = deliveriesHandler();

    await handler.handle(reading('1'));
    await handler.handle(reading('2', { redelivered: true }));
    await handler.handle(reading('3', { headers: { 'hookline-repeat': '1' } }));
    await handler.handle(reading('4', { headers: { 'hookline-attempt': '1', 'hookline-due-at': '2026-03-01T12:00:00.000Z', 'hookline-deferred': 'circuit open' } }));

    expect(calls.map((call) => call.mayRepeat)).toEqual([false, true, true, true]);
  });
});
