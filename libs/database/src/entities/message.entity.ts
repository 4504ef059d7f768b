import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Application } from './application.entity.js';

/**
 * An accepted event. The table is partitioned by range of id (UUIDv7, so by time) and kept for
 * HOOKLINE_RETENTION: the retention sweep drops whole partitions (ADR 15). Each partition has its
 * own unique index on (application_id, event_id) for non-null event ids (a unique index on the
 * partitioned table would have to contain the id). No foreign key to applications: a deleted
 * application's messages are removed by the sweep.
 */
@Entity({ name: 'messages' })
@Index(['applicationId', 'createdAt'])
export class Message {
  /** A UUIDv7, given by ingest. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId!: string;

  @ManyToOne(() => Application, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<Application>;

  @Column({ name: 'event_type', type: 'varchar', length: 256 })
  eventType!: string;

  /** The producer's id for de-duplication (Svix `eventId`). */
  @Column({ name: 'event_id', type: 'varchar', length: 256, nullable: true })
  eventId!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  channels!: string[];

  /** The producer's ordering key (`orderingKey`): FIFO endpoints deliver one key's messages in order. */
  @Column({ name: 'ordering_key', type: 'varchar', length: 256, nullable: true })
  orderingKey!: string | null;

  /** The trace of the request or record that brought the message in (OpenTelemetry, 32 hex digits); null when none was recorded. */
  @Column({ name: 'trace_id', type: 'char', length: 32, nullable: true })
  traceId!: string | null;

  /** Null once expunged (Svix's expunge content). */
  @Column({ type: 'jsonb', nullable: true })
  payload!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A message whose payload is still there (not expunged): one that may be sent. */
export type SendableMessage = Message & { payload: Record<string, unknown> };
export const isSendable = (message: Message): message is SendableMessage => message.payload !== null;
