export { createKafkaClient } from './kafka-client.js';
export { KafkaProducer, type OutgoingMessage } from './producer.js';
export { ensureTopics } from './topic-provisioner.js';
export { PartitionProgress } from './consumer/partition-progress.js';
export { KeyedLimiter } from './consumer/keyed-limiter.js';
export {
  AbandonedError,
  KafkaConsumerServer,
  KafkaMessageContext,
  type ConsumedMessage,
  type KafkaConsumerOptions,
} from './consumer/kafka-consumer.server.js';
export { KAFKA_CLIENT, KafkaLifecycle, KafkaModule } from './kafka.module.js';
export { decodeValue, type Decoded } from './decode.js';
