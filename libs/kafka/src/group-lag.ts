import type { Admin } from 'kafkajs';

/**
 * A consumer group's lag on each topic: the records past its committed offset (or past the
 * partition's start, where it committed none), up to the end offset now. On a retry tier topic,
 * the tasks waiting in that tier. Measured from the broker, so it holds whichever process consumes.
 */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    lag.set(
      topic,
      ends.reduce((sum, end) => {
        const done = partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
        return sum + Math.max(0, Number(end.high) - Math.max(Number(done), Number(end.low)));
      }, 0),
    );
  }
  return lag;
}
