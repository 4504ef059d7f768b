import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Message } from './message.entity.js';
import { Endpoint } from './endpoint.entity.js';

export const ATTEMPT_TRIGGERS = ['scheduled', 'manual'] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

/**
 * One HTTP attempt to deliver a message to an endpoint. Written in batches by delivery.
 * Partitioned with messages by range of message id; each partition references the messages
 * partition of its range (a foreign key per partition, ON DELETE CASCADE). No foreign key to
 * endpoints: a deleted endpoint's attempts are removed by the retention sweep.
 */
@Entity({ name: 'attempts' })
@Index(['endpointId', 'id'])
// The stats routes' covering indexes (INCLUDE, built CONCURRENTLY by StatsIndexes1796414522709),
// which TypeORM cannot describe: declared so that it leaves them alone.
@Index('IDX_attempts_stats_time', { synchronize: false })
@Index('IDX_attempts_stats_application', { synchronize: false })
export class Attempt {
  /** The message first: the partition key, and the listing of a message's attempts. */
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => Message, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'message_id' })
  message?: Relation<Message>;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => Endpoint, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: Relation<Endpoint>;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId!: string;

  /** 1 for the first attempt of a delivery task. */
  @Column({ name: 'attempt_number', type: 'integer' })
  attemptNumber!: number;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'boolean' })
  succeeded!: boolean;

  /** The HTTP status; null when no response came (timeout, refused, blocked). */
  @Column({ name: 'response_status_code', type: 'integer', nullable: true })
  responseStatusCode!: number | null;

  @Column({ name: 'response_duration_ms', type: 'integer' })
  responseDurationMs!: number;

  /** The first bytes of the response body; null once expunged (Svix's attempt expunge content). */
  @Column({ name: 'response_excerpt', type: 'text', nullable: true, default: '' })
  responseExcerpt!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'enum', enum: ATTEMPT_TRIGGERS, enumName: 'attempt_trigger', default: 'scheduled' })
  trigger!: AttemptTrigger;

  /** The trace the attempt was made in: the message's, or a resend's own; null when none was recorded. */
  @Column({ name: 'trace_id', type: 'char', length: 32, nullable: true })
  traceId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
