import type { EachBatchPayload, Kafka } from 'kafkajs';
import { KafkaConsumerServer } from '../src/consumer/kafka-consumer.server.js';
import { consumerOptions } from './consumer-options.js';

const MiB = 1024 * 1024;

/** The transport given fetched batches by hand; every record stays held (its wait never ends), as a retry tier's do for hours. */
class Holding extends KafkaConsumerServer {
  readonly paused = new Set<number>();
  private readonly nextOffset = new Map<number, number>();

  constructor(assignedPartitions: number) {
    super({ ...consumerOptions({} as Kafka), maxPendingPerPartition: 1_000, maxPendingBytes: 4 * MiB });
    this.assignedPartitions = assignedPartitions;
  }

  protected override beforeHandling(): Promise<void> {
    return new Promise(() => undefined);
  }

  /** A batch of records of these sizes on the partition, after the ones it had. */
  async fetch(partition: number, ...sizes: number[]): Promise<void> {
    const first = this.nextOffset.get(partition) ?? 0;
    this.nextOffset.set(partition, first + sizes.length);
    const messages = sizes.map((size, index) => ({ offset: String(first + index), key: null, value: Buffer.alloc(size), headers: {}, timestamp: '0', attributes: 0 }));
    await this.onBatch({
      batch: { topic: 't', partition, highWatermark: '0', messages },
      resolveOffset: () => undefined,
      heartbeat: async () => undefined,
      pause: () => {
        this.paused.add(partition);
        return () => this.paused.delete(partition);
      },
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  }
}

describe('KafkaConsumerServer bounding the bytes it holds', () => {
  it('gives each assigned partition an equal share, fetched from or not, and pauses one at its share', async () => {
    const server = new Holding(4); // 4 MiB among 4 partitions: 1 MiB each.
    await server.fetch(0, 600 * 1024, 300 * 1024);
    expect([...server.paused]).toEqual([]);
    // The three other partitions have fetched nothing, and their room is still theirs.
    await server.fetch(0, 200 * 1024);
    expect([...server.paused]).toEqual([0]);
    await server.fetch(1, 900 * 1024);
    expect([...server.paused]).toEqual([0]);
    await server.fetch(1, 124 * 1024);
    expect([...server.paused].sort()).toEqual([0, 1]);
  });

  it('counts a record whatever its count: one record past the share is enough', async () => {
    const server = new Holding(1);
    await server.fetch(0, 4 * MiB);
    expect([...server.paused]).toEqual([0]);
  });
});
