import { randomInt } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/**
 * Kafka's murmur2 (the Java client's Utils.murmur2) of a record key, as a signed 32-bit integer:
 * the same value as kafkajs's default partitioner computes, in 32-bit integer arithmetic.
 * kafkajs's own does it with its 64-bit Long emulation, several objects per 4 bytes of key:
 * 4% of delivery's CPU to place one outcome record (docs/performance.md).
 */
export function murmur2(key: Buffer | string): number {
  const data = typeof key === 'string' ? Buffer.from(key) : key;
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (value: number) => value & 0x7fffffff;

/**
 * kafkajs's DefaultPartitioner (the Java client's: a keyed record goes to murmur2(key) modulo the
 * partition count, so any client puts a key on the same partition; an unkeyed one round robin
 * over the partitions with a leader), with the 32-bit murmur2 above.
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return toPositive(murmur2(message.key)) % partitionMetadata.length;
    const counter = (counters.get(topic) ?? randomInt(2 ** 31)) + 1;
    counters.set(topic, counter);
    const available = partitionMetadata.filter((partition) => partition.leader >= 0);
    if (available.length > 0) return available[toPositive(counter) % available.length].partitionId;
    return toPositive(counter) % partitionMetadata.length;
  };
};
