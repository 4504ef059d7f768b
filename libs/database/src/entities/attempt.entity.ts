import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Message } from './message.entity.js';
import { Endpoint } from './endpoint.entity.js';

export const ATTEMPT_TRIGGERS = ['scheduled', 'manual'] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

/** One HTTP attempt to deliver a message to an endpoint. Written in batches by delivery. */
@Entity({ name: 'attempts' })
@Index(['messageId', 'createdAt'])
@Index(['endpointId', 'createdAt'])
// The stats routes' covering indexes (INCLUDE, built CONCURRENTLY by StatsIndexes1796414522709),
// which TypeORM cannot describe: declared so that it leaves them alone.
@Index('IDX_attempts_stats_time', { synchronize: false })
@Index('IDX_attempts_stats_application', { synchronize: false })
export class Attempt {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id' })
  message?: Relation<Message>;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => Endpoint, { onDelete: 'CASCADE' })
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

  /** The first bytes of the response body. */
  @Column({ name: 'response_excerpt', type: 'text', default: '' })
  responseExcerpt!: string;

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
