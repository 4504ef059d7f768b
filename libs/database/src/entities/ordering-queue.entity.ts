import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Endpoint } from './endpoint.entity.js';

/**
 * One ordering key of a FIFO endpoint: its row is the lock that claims and outcomes of the key
 * take, and it holds the lease of the one attempt in flight (docs/adr/0012). Created by the first
 * claim, deleted once the key has no open message.
 */
@Entity({ name: 'ordering_queues' })
export class OrderingQueue {
  @PrimaryColumn({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => Endpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: Relation<Endpoint>;

  @PrimaryColumn({ name: 'ordering_key', type: 'varchar', length: 256 })
  orderingKey!: string;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** The parked head last sent again, and when: a head is promoted once, not by every copy of a task that finds it. */
  @Column({ name: 'promoted_message', type: 'uuid', nullable: true })
  promotedMessage!: string | null;

  @Column({ name: 'promoted_at', type: 'timestamptz', nullable: true })
  promotedAt!: Date | null;
}
