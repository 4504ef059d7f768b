import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { Message } from './message.entity.js';
import { Endpoint } from './endpoint.entity.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Where one message stands with one endpoint; a dead letter is one in status `dead`. Partitioned
 * with messages by range of message id; each partition references the messages partition of its
 * range (ON DELETE CASCADE). No foreign key to endpoints: the retention sweep removes a deleted
 * endpoint's rows.
 */
@Entity({ name: 'message_endpoints' })
@Index(['endpointId', 'status'])
// The open rows of each ordering key, in position order: a key's head is the first (docs/adr/0012).
@Index('IDX_message_endpoints_open_ordered', ['endpointId', 'orderingKey', 'orderOffset'], { where: "status IN ('pending', 'failed') AND ordering_key IS NOT NULL" })
// Dead deliveries by when they died, for the stats routes (StatsIndexes1796414522709, built CONCURRENTLY).
@Index('IDX_message_endpoints_stats_dead', { synchronize: false })
// What is still under way: the sweep keeps a partition holding any of it recently updated.
@Index('message_endpoints_open', ['updatedAt'], { where: "status = 'pending' OR next_attempt_at IS NOT NULL" })
export class MessageEndpoint {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @ManyToOne(() => Message, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'message_id' })
  message?: Relation<Message>;

  @PrimaryColumn({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => Endpoint, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: Relation<Endpoint>;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId!: string;

  @Column({ type: 'enum', enum: DELIVERY_STATUSES, enumName: 'delivery_status', default: 'pending' })
  status!: DeliveryStatus;

  @Column({ name: 'attempt_count', type: 'integer', default: 0 })
  attemptCount!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** Set when the message was routed to a FIFO endpoint: its ordering key ('' when it has none). */
  @Column({ name: 'ordering_key', type: 'varchar', length: 256, nullable: true })
  orderingKey!: string | null;

  /** Its position: the partition and offset of its event on the events topic. */
  @Column({ name: 'order_partition', type: 'integer', nullable: true })
  orderPartition!: number | null;

  @Column({ name: 'order_offset', type: 'bigint', nullable: true })
  orderOffset!: string | null;

  /** Its task was dropped because earlier messages of its key were open: whoever finds it at the head sends it. */
  @Column({ name: 'parked_at', type: 'timestamptz', nullable: true })
  parkedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
