import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { JavaCompatiblePartitioner, murmur2 } from '@hookline/kafka';
import kafkajs from 'kafkajs';

// kafkajs's own murmur2 and default partitioner, which ours replaces: a key must land on the
// same partition as before, and as the Java client puts it.
const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const metadata = (count: number, leaderless: number[] = []) =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, replicas: [0], isr: [0], offlineReplicas: [] }));

describe('murmur2', () => {
  it("gives the Java client's values (Kafka's UtilsTest vectors)", () => {
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    expect(vectors.map(([key]) => murmur2(key))).toEqual(vectors.map(([, hash]) => hash));
  });

  it("agrees with kafkajs's on keys of every length up to 100 bytes, strings and buffers", () => {
    const keys: Array<Buffer | string> = [''];
    for (let length = 1; length <= 100; length++) keys.push(randomBytes(length), randomBytes(length).toString('base64').slice(0, length));
    keys.push('0193a6f2-5c1e-7b4a-9d2e-4f6a8b0c1d2e', 'ünïcödé ключ 鍵 🔑');
    for (let i = 0; i < 2_000; i++) keys.push(randomBytes(36));

    const mismatches = keys.filter((key) => murmur2(key) !== kafkajsMurmur2(key));
    expect(mismatches).toEqual([]);
  });
});

describe('JavaCompatiblePartitioner', () => {
  it("puts every key on kafkajs's DefaultPartitioner's partition", () => {
    const ours = JavaCompatiblePartitioner();
    const theirs = kafkajs.Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 500 }, () => randomBytes(16).toString('hex'));
    for (const partitions of [1, 6, 7, 64]) {
      const partitionMetadata = metadata(partitions);
      const placed = keys.map((key) => ours({ topic: 't', partitionMetadata, message: { key, value: null } }));
      expect(placed).toEqual(keys.map((key) => theirs({ topic: 't', partitionMetadata, message: { key, value: null } })));
    }
  });

  it('keeps an explicit partition, and spreads unkeyed records over the partitions with a leader', () => {
    const partition = JavaCompatiblePartitioner();
    const partitionMetadata = metadata(4, [2]);

    expect(partition({ topic: 't', partitionMetadata, message: { key: 'k', value: null, partition: 2 } })).toBe(2);
    const unkeyed = Array.from({ length: 30 }, () => partition({ topic: 't', partitionMetadata, message: { value: null } }));
    expect(new Set(unkeyed)).toEqual(new Set([0, 1, 3]));
  });
});
