import { createLogger } from '@hookline/logging';
import type { Kafka } from 'kafkajs';
import type { KafkaConsumerOptions } from '../src/consumer/kafka-consumer.server.js';

/** A consumer transport's options for unit tests: one topic `t` under the pattern `events`, on the Kafka given. */
export const consumerOptions = (kafka: Kafka): KafkaConsumerOptions => ({
  kafka,
  service: 'test',
  groupId: 'g',
  subscriptions: [{ pattern: 'events', topics: ['t'] }],
  maxInFlightPerKey: 1,
  maxPendingPerPartition: 10,
  maxPendingBytes: 1024 * 1024,
  shutdownGraceMs: 10,
  logger: createLogger('test', 'silent'),
});
