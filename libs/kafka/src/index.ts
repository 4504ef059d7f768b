export { createKafkaClient } from './kafka-client.js';
export { KafkaProducer, type OutgoingMessage } from './producer.js';
export { ensureTopics } from './topic-provisioner.js';
export { PartitionProgress } from './consumer/partition-progress.js';
export { KeyedLimiter } from './consumer/keyed-limiter.js';
export {
  AbandonedError,
  type ConsumedMessage,
  KafkaMessageContext,
  KafkaServerBase,
  type KafkaServerOptions,
} from './consumer/kafka-server.base.js';
export { type CommittedOffset, KafkaConsumerServer, type KafkaConsumerOptions, type ProgressListener } from './consumer/kafka-consumer.server.js';
export { DueTimeConsumerServer, type DueTimeConsumerOptions } from './consumer/due-time-consumer.server.js';
export { decodeOrSkip, decodeValue, type Decoded } from './decode.js';
export { KAFKA_CLIENT, KafkaLifecycle, KafkaModule, PLATFORM_TOPICS } from './kafka.module.js';
export { within } from './within.js';
