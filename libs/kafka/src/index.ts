export { createKafkaClient, kafkaSecurityOptions, kafkaTlsOptions } from './kafka-client.js';
export { probeTls } from './connection/tls-probe.js';
export { COMPRESSION_TYPE, registerCompressionCodecs } from './connection/compression.js';
export { describeKafkaError } from './connection/describe-error.js';
export { mskIamTokenProvider, type MskTokenGenerator, type MskTokenRequest } from './connection/msk-iam.js';
export { KafkaProducer, type OutgoingMessage } from './producer.js';
export { JavaCompatiblePartitioner, murmur2 } from './partitioner.js';
export { checkTopics, ensureTopics, TopicsNotReadyError } from './topic-provisioner.js';
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
export { decodeContract, decodeValue, type Decoded, UnreadableRecord } from './decode.js';
export { KAFKA_CLIENT, KAFKA_SERVICE_TOPICS, KafkaLifecycle, KafkaModule, PLATFORM_TOPICS } from './kafka.module.js';
export { within } from './within.js';
export { gatherFetches } from './consumer/fetch-gathering.js';
export { mayRepeat, REPEAT_HEADERS } from './consumer/repeats.js';
export { groupLag } from './group-lag.js';
