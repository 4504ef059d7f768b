import { MAX_MESSAGE_BYTES, topicCatalog } from '@hookline/contracts';
import { AbandonedError, type CommittedOffset, type ConsumedMessage, createKafkaClient, DueTimeConsumerServer, ensureTopics, KafkaConsumerServer, KafkaProducer, type KafkaServerBase, type ProgressListener, UnreadableRecord } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import { ServiceExceptionFilter, startService } from '@hookline/service';
import { Controller, type INestApplication, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { ConsumerConfig, Kafka } from 'kafkajs';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, pino } from 'pino';
import { ApiExceptionFilter } from '../../apps/ingest/src/http/errors.js';
import { eventually, migrateTestDatabase, requireStack, uniquePrefix } from '../support/env.js';
import { publish } from '../support/kafka.js';
import { pipelineEnv } from '../support/pipeline.js';

/** What the handler under test does with each record, set per test. */
let behaviour: (message: ConsumedMessage) => Promise<void> = async () => {};
const handled: string[] = [];

/** A module whose one handler, on `pattern`, does what the test sets and then notes the record. */
function recordingModule(pattern: string) {
  @Controller()
  class RecordingHandler {
    @EventPattern<Record<string, ConsumedMessage>>(pattern)
    async handle(@Payload() message: ConsumedMessage): Promise<void> {
      await behaviour(message);
      handled.push(message.value!.toString());
    }
  }
  @Module({ controllers: [RecordingHandler] })
  class RecordingModule {}
  return RecordingModule;
}

const RecordingModule = recordingModule('events');
/** A handler on the ingest topic, as a service's own. */
const IngestTopicStandInModule = recordingModule('ingest');

const logger = createLogger('test', 'warn');

describe('KafkaConsumerServer against the real broker', () => {
  const { brokers } = requireStack();
  const prefix = uniquePrefix('consumer');
  let topic = '';
  let kafka: Kafka;
  let producer: KafkaProducer;
  const running: INestMicroservice[] = [];
  /** The transport of each consumer started, in order. */
  const strategies: KafkaServerBase[] = [];

  /** Each test reads a topic of its own, so offsets below are exact. */
  async function freshTopic(name: string): Promise<void> {
    topic = `${prefix}.${name}`;
    expect(await ensureTopics(kafka, [{ name: topic, partitions: 1, retentionMs: 3_600_000 }])).toEqual([topic]);
  }

  async function startConsumer(groupId: string, shutdownGraceMs = 200, extra: { dueHeader?: string; progressListener?: ProgressListener; logger?: Logger; kafka?: Kafka; maxPendingBytes?: number } = {}): Promise<INestMicroservice> {
    const { dueHeader, progressListener } = extra;
    const options = {
      ...(progressListener && { progressListener }),
      kafka: extra.kafka ?? kafka,
      service: 'test',
      groupId,
      subscriptions: [{ pattern: 'events', topics: [topic] }],
      maxInFlightPerKey: 1,
      maxPendingPerPartition: 100,
      maxPendingBytes: extra.maxPendingBytes ?? 64 * 1024 * 1024,
      shutdownGraceMs,
      logger: extra.logger ?? logger,
    };
    const strategy = dueHeader ? new DueTimeConsumerServer({ ...options, dueHeader }) : new KafkaConsumerServer(options);
    strategies.push(strategy);
    const app = await NestFactory.createMicroservice(RecordingModule, { strategy, logger: false });
    // The filter every service has, with the API's HTTP filter behind it, as ingest runs it.
    app.useGlobalFilters(new ServiceExceptionFilter(new ExpressAdapter(), new ApiExceptionFilter()));
    await app.listen();
    running.push(app);
    return app;
  }

  async function committedOffset(groupId: string): Promise<string | undefined> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets?.partitions.find((partition) => partition.partition === 0)?.offset;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    kafka = createKafkaClient({ clientId: 'test', brokers, logger });
    const catalog = topicCatalog({ prefix, partitions: 2, retryScheduleMs: [1_000], deadLetterAfterMs: 60_000, outcomesRetentionMs: 60_000 });
    expect(await ensureTopics(kafka, catalog)).toEqual(catalog.map((spec) => spec.name));
    // A second run creates nothing: provisioning is idempotent.
    expect(await ensureTopics(kafka, catalog)).toEqual([]);
    producer = new KafkaProducer(kafka);
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    behaviour = async () => {};
    handled.length = 0;
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('creates topics with the configured partition count', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [`${prefix}.retry.1s`, `${prefix}.dead`] });
    await admin.disconnect();
    expect(metadata.topics.map((t) => t.partitions.length)).toEqual([2, 2]);
  });

  it('asks the broker about twice a second while idle, yet handles a record sent during a fetch at once', async () => {
    await freshTopic('idle-wait');
    // The real client, with each fetch its consumers finish noted.
    const fetchesDone: number[] = [];
    const observed = Object.assign(Object.create(kafka) as Kafka, {
      consumer: (config: ConsumerConfig) => {
        const consumer = kafka.consumer(config);
        consumer.on(consumer.events.FETCH, () => fetchesDone.push(Date.now()));
        return consumer;
      },
    });
    await startConsumer(`${prefix}.idle-wait`, 200, { kafka: observed });
    await eventually(() => expect(fetchesDone.length).toBeGreaterThan(1));
    const before = fetchesDone.length;
    await sleep(3_000);
    // 500 ms a fetch: 6 in 3 s (kafkajs's 100 ms made 30).
    expect(fetchesDone.length - before).toBeLessThanOrEqual(8);
    const took: number[] = [];
    for (const value of ['v', 'w', 'x', 'y', 'z']) {
      // Just after an empty fetch came back the next one is waiting at the broker, which answers it with the record.
      const done = fetchesDone.length;
      await eventually(() => expect(fetchesDone.length).toBeGreaterThan(done), 2_000, 5);
      const sentAt = Date.now();
      await producer.send(topic, [{ key: value, value }]);
      await eventually(() => expect(handled).toContain(value), 2_000, 5);
      took.push(Date.now() - sentAt);
    }
    // A fetch held for its 500 ms would make every try take about that long; the quickest of five
    // is taken, so that one stall of a busy machine does not decide it.
    expect(Math.min(...took)).toBeLessThan(350);
  });

  it('lets other keys finish while one key is stuck, and commits only below the stuck record', async () => {
    const groupId = `${prefix}.stuck`;
    await freshTopic('stuck');
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    behaviour = async (message) => {
      if (message.key?.toString() === 'slow') await stuck;
    };
    await startConsumer(groupId);
    await producer.send(topic, [
      { key: 'fast-1', value: 'a' },
      { key: 'slow', value: 'b' },
      { key: 'fast-2', value: 'c' },
      { key: 'fast-3', value: 'd' },
    ]);
    await eventually(() => expect(handled).toEqual(['a', 'c', 'd']));
    // Offsets 0..3: record 1 is unfinished, so the group may have committed 1 at most.
    await eventually(async () => expect(await committedOffset(groupId)).toBe('1'));
    release();
    await eventually(() => expect(handled).toEqual(['a', 'c', 'd', 'b']));
    await eventually(async () => expect(await committedOffset(groupId)).toBe('4'));
  });

  it('abandons a record still running at shutdown without committing it, so it is delivered again', async () => {
    const groupId = `${prefix}.abandon`;
    await freshTopic('abandon');
    const firstConsumer = await startConsumer(groupId, 100);
    await producer.send(topic, [{ key: 'k', value: 'warm-up' }]);
    await eventually(() => expect(handled).toContain('warm-up'));
    let started = false;
    behaviour = () => {
      started = true;
      return new Promise(() => {}); // never finishes
    };
    await producer.send(topic, [{ key: 'k', value: 'abandoned' }]);
    await eventually(() => expect(started).toBe(true));
    await eventually(async () => expect(await committedOffset(groupId)).toBe('1'));
    await firstConsumer.close();
    running.splice(running.indexOf(firstConsumer), 1);
    expect(await committedOffset(groupId)).toBe('1');

    behaviour = async () => {};
    await startConsumer(groupId);
    await eventually(() => expect(handled).toContain('abandoned'));
  });

  it('marks a record the next consumer reads again as redelivered, and records that arrive after it took over as not', async () => {
    const groupId = `${prefix}.redelivered`;
    await freshTopic('redelivered');
    const firstConsumer = await startConsumer(groupId, 100);
    await producer.send(topic, [{ key: 'k', value: 'warm-up' }]);
    await eventually(() => expect(handled).toContain('warm-up'));
    const readings: Array<{ value: string; redelivered: boolean }> = [];
    behaviour = async (message) => {
      readings.push({ value: message.value!.toString(), redelivered: message.redelivered });
      if (message.value!.toString() === 'left') await new Promise(() => {}); // its consumer goes before it finishes
    };
    await producer.send(topic, [{ key: 'k', value: 'left' }]);
    await eventually(() => expect(readings).toEqual([{ value: 'left', redelivered: false }]));
    await firstConsumer.close();
    running.splice(running.indexOf(firstConsumer), 1);

    behaviour = async (message) => void readings.push({ value: message.value!.toString(), redelivered: message.redelivered });
    await startConsumer(groupId);
    await eventually(() => expect(readings.at(-1)).toEqual({ value: 'left', redelivered: true }));
    await producer.send(topic, [{ key: 'k', value: 'later' }]);
    await eventually(() => expect(readings.at(-1)).toEqual({ value: 'later', redelivered: false }));
  });

  it("tells a running handler when its record's generation ends: a second member joining the group aborts it", async () => {
    const groupId = `${prefix}.superseded`;
    await freshTopic('superseded');
    let reading: ConsumedMessage | undefined;
    behaviour = (message) => {
      // The first consumer's reading: the second, if it gets the partition, reads it again.
      reading ??= message;
      return new Promise(() => {}); // still running when the group changes
    };
    await startConsumer(groupId, 100);
    await producer.send(topic, [{ key: 'k', value: 'in-flight' }]);
    await eventually(() => expect(reading).toBeDefined());
    expect(reading!.superseded.aborted).toBe(false);

    await startConsumer(groupId, 100);
    await eventually(() => expect(reading!.superseded.aborted).toBe(true), 30_000);
    expect(reading!.superseded.reason).toBeInstanceOf(AbandonedError);
  });

  it("aborts a running record's signal when the consumer stops, once the shutdown's work share is over", async () => {
    const groupId = `${prefix}.superseded-stop`;
    await freshTopic('superseded-stop');
    let reading: ConsumedMessage | undefined;
    behaviour = (message) => {
      reading = message;
      return new Promise(() => {}); // never finishes within the grace
    };
    const consumer = await startConsumer(groupId, 300);
    await producer.send(topic, [{ key: 'k', value: 'at-shutdown' }]);
    await eventually(() => expect(reading).toBeDefined());
    expect(reading!.superseded.aborted).toBe(false);

    await consumer.close();
    running.splice(running.indexOf(consumer), 1);
    expect(reading!.superseded.aborted).toBe(true);
  });

  it('retries a failing handler until it succeeds instead of skipping the record', async () => {
    const groupId = `${prefix}.retry`;
    await freshTopic('retry');
    let failures = 0;
    behaviour = async (message) => {
      if (message.value?.toString() === 'flaky' && failures < 2) {
        failures++;
        throw new Error('database unavailable');
      }
    };
    await startConsumer(groupId);
    await producer.send(topic, [{ key: 'f', value: 'flaky' }]);
    await eventually(() => expect(handled.filter((value) => value === 'flaky')).toEqual(['flaky']), 30_000);
    expect(failures).toBe(2);
  });

  it('skips a record that breaks its contract after one try, logging what it is and why, and commits past it', async () => {
    const groupId = `${prefix}.unreadable`;
    await freshTopic('unreadable');
    const lines: Array<{ msg: string; partition?: number; offset?: string; problem?: string }> = [];
    const captured = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    let tries = 0;
    behaviour = async (message) => {
      if (message.value?.toString() !== 'garbled') return;
      tries++;
      throw new UnreadableRecord('test record', 'value: not JSON');
    };
    await startConsumer(groupId, 200, { logger: captured });
    // The same key: the record behind the unreadable one waits for it, and is not held for ever.
    await producer.send(topic, [
      { key: 'k', value: 'garbled' },
      { key: 'k', value: 'valid' },
    ]);
    await eventually(() => expect(handled).toEqual(['valid']));
    await eventually(async () => expect(await committedOffset(groupId)).toBe('2'));
    expect(tries).toBe(1);
    // Where it is, so an operator can read it from the topic.
    expect(lines.filter((line) => line.msg === 'unreadable test record skipped').map(({ partition, offset, problem }) => ({ partition, offset, problem }))).toEqual([{ partition: 0, offset: '0', problem: 'value: not JSON' }]);
    expect(lines.filter((line) => line.msg === 'handler failed; the partition retries its failing records')).toEqual([]);
  });

  it('holds each record until its due time, without making one due sooner wait for the record ahead of it', async () => {
    const groupId = `${prefix}.due`;
    await freshTopic('due');
    const handledAt = new Map<string, number>();
    behaviour = async (message) => void handledAt.set(message.value!.toString(), Date.now());
    await startConsumer(groupId, 200, { dueHeader: 'due-at' });
    const now = Date.now();
    const dueAt = { late: now + 3_000, soon: now + 500, now: now - 1_000 };
    // One key, one partition: "soon" is produced after "late", as jitter or a postponement makes happen in a tier.
    await producer.send(topic, [
      { key: 'e', value: 'late', headers: { 'due-at': new Date(dueAt.late).toISOString() } },
      { key: 'e', value: 'soon', headers: { 'due-at': new Date(dueAt.soon).toISOString() } },
      { key: 'e', value: 'now', headers: { 'due-at': new Date(dueAt.now).toISOString() } },
    ]);
    await eventually(() => expect(handled).toEqual(['now', 'soon']), 2_500);
    expect(handledAt.get('soon')).toBeGreaterThanOrEqual(dueAt.soon);
    // "late" holds the commit: it is the lowest offset not yet handled.
    await eventually(async () => expect(await committedOffset(groupId)).toBe('0'));
    await eventually(() => expect(handled).toEqual(['now', 'soon', 'late']), 5_000);
    expect(handledAt.get('late')).toBeGreaterThanOrEqual(dueAt.late);
    await eventually(async () => expect(await committedOffset(groupId)).toBe('3'));
  });

  it('pauses a partition whose held records pass its share of the pending bytes, however few, until they are handled', async () => {
    const groupId = `${prefix}.bytes`;
    await freshTopic('bytes');
    const handledAt = new Map<string, number>();
    // A record's name, without the 150 KiB of padding (nor in a failure's message).
    const name = (value: string) => value.split(':')[0]!;
    const names = () => handled.map(name);
    behaviour = async (message) => void handledAt.set(name(message.value!.toString()), Date.now());
    await startConsumer(groupId, 200, { dueHeader: 'due-at', maxPendingBytes: 256 * 1024 });
    const due = (at: number) => ({ 'due-at': new Date(at).toISOString() });
    const bigDueAt = Date.now() + 4_000;
    // Four records of 150 KiB: far under the count bound (100), over the 256 KiB of bytes.
    await producer.send(topic, [
      ...[1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: `big-${n}:${'x'.repeat(150 * 1024)}`, headers: due(bigDueAt) })),
      { key: 'w', value: 'first', headers: due(Date.now() - 1_000) },
    ]);
    // "first", due at once and behind them, shows the partition was read past the four.
    await eventually(() => expect(names()).toEqual(['first']), 3_000);
    await producer.send(topic, [{ key: 'w', value: 'second', headers: due(Date.now() - 1_000) }]);
    await eventually(() => expect(names()).toHaveLength(6), 10_000);
    // Due at once too, "second" is fetched only when the held bytes are down to half the share.
    expect(names().at(-1)).toBe('second');
    expect(handledAt.get('second')).toBeGreaterThanOrEqual(bigDueAt);
    expect(new Set(names())).toEqual(new Set(['first', 'big-1', 'big-2', 'big-3', 'big-4', 'second']));
  });

  it('tells the progress listener how far the partition has finished, and again after it failed, progress or not', async () => {
    const groupId = `${prefix}.progress`;
    await freshTopic('progress');
    const told: CommittedOffset[][] = [];
    let failing = true;
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    behaviour = async (message) => {
      if (message.value?.toString() === 'slow') await stuck;
    };
    await startConsumer(groupId, 200, {
      progressListener: {
        progressed: async (offsets) => {
          told.push(offsets);
          if (failing) throw new Error('database unavailable');
        },
      },
    });
    await producer.send(topic, [
      { key: 'a', value: 'first' },
      { key: 'b', value: 'slow' },
      { key: 'c', value: 'third' },
    ]);
    // Offset 1 is unfinished: the listener hears 1, however often it fails, and never beyond.
    await eventually(() => expect(told.length).toBeGreaterThanOrEqual(2), 10_000);
    failing = false;
    const toldOnce = told.length;
    await eventually(() => expect(told.length).toBeGreaterThan(toldOnce), 5_000);
    expect(new Set(told.flat().map((offset) => `${offset.topic}:${offset.partition}:${offset.offset}`))).toEqual(new Set([`${topic}:0:1`]));
    release();
    await eventually(() => expect(told.at(-1)).toEqual([{ topic, partition: 0, offset: '3' }]));
  });

  it("logs a failing handler's own error, not one of the HTTP filter, and reports the partition stuck on it", async () => {
    const groupId = `${prefix}.cause`;
    await freshTopic('cause');
    const lines: Array<{ msg: string; offset?: string; err?: { message: string } }> = [];
    const captured = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    let fixed = false;
    behaviour = async (message) => {
      if (message.value?.toString() === 'poison' && !fixed) throw new Error('the real cause: relation "nowhere" does not exist');
    };
    await startConsumer(groupId, 200, { logger: captured });
    const consumer = strategies.at(-1)!;
    await producer.send(topic, [
      { key: 'stuck', value: 'poison' },
      { key: 'other', value: 'valid' },
    ]);
    await eventually(() => expect(handled).toEqual(['valid']));
    await eventually(() => expect(lines.filter((line) => line.msg === 'handler failed; the partition retries its failing records').length).toBeGreaterThanOrEqual(2));
    const failures = lines.filter((line) => line.msg === 'handler failed; the partition retries its failing records');
    expect(failures.map((line) => [line.offset, line.err?.message])).toEqual(failures.map(() => ['0', 'the real cause: relation "nowhere" does not exist']));
    expect(JSON.stringify(lines)).not.toContain('response.status is not a function');
    expect(consumer.stuckPartitions()).toEqual([{ topic, partition: 0, since: expect.any(Number), offset: '0', error: expect.objectContaining({ message: 'the real cause: relation "nowhere" does not exist' }) }]);
    // Nothing past the stuck record is committed, though the one after it is done.
    await eventually(async () => expect(await committedOffset(groupId)).toBe('0'));
    fixed = true;
    await eventually(() => expect(handled).toEqual(['valid', 'poison']), 40_000);
    expect(consumer.stuckPartitions()).toEqual([]);
    await eventually(async () => expect(await committedOffset(groupId)).toBe('2'));
  });
});

describe('a service whose consumer is stuck on one record', () => {
  let service: INestApplication | undefined;

  afterAll(async () => {
    await service?.close();
    behaviour = async () => {};
    handled.length = 0;
  });

  it('answers readiness 200 "degraded" naming the partition, the offset and the cause after HOOKLINE_CONSUMER_STUCK_AFTER, and "ok" once the record goes through', async () => {
    await migrateTestDatabase();
    const env = pipelineEnv('stuck-service', { HOOKLINE_CONSUMER_STUCK_AFTER: '1s', HOOKLINE_TOPIC_PARTITIONS: '1' });
    let fixed = false;
    behaviour = async (message) => {
      if (message.value?.toString() === 'poison' && !fixed) throw new Error('the real cause: value too long for type character varying(256)');
    };
    // The real boot of a service (the ingest's API filter included), around a stand-in handler of the ingest topic.
    service = await startService(
      {
        service: 'ingest',
        feature: IngestTopicStandInModule,
        consumer: { groupId: 'ingest', subscriptions: [{ pattern: 'ingest', source: 'ingest' }] },
        produces: [],
        api: { jsonBodyLimit: `${MAX_MESSAGE_BYTES}b`, filter: new ApiExceptionFilter() },
      },
      env,
    );
    const { port } = service.getHttpServer().address() as AddressInfo;
    const readiness = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
    };
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ingestTopic = `${env.HOOKLINE_TOPIC_PREFIX}.ingest`;
    await publish(ingestTopic, [{ key: 'a', value: 'poison' }]);
    await eventually(async () => {
      const { status, body } = await readiness();
      expect(status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.checks.consumer).toMatch(new RegExp(`^degraded: ${ingestTopic.replaceAll('.', '\\.')}\\[0\\] stuck at offset 0 for \\d+ s: the real cause: value too long for type character varying\\(256\\)$`));
    }, 30_000, 250);
    fixed = true;
    await eventually(async () => expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ok', checks: { consumer: 'ok' } } }), 40_000, 250);
    expect(handled).toEqual(['poison']);
  });
});
