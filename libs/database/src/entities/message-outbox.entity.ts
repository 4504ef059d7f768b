import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Message } from './message.entity.js';

/**
 * A message stored but not yet on the events topic: inserted with the message in one statement,
 * deleted once Kafka has it. The ingest outbox relay emits what stays here past its grace
 * period, so an accepted message is never lost to a Kafka outage or a crash. A table of its own,
 * rather than a column on messages, so that the large, long-kept messages table is written once
 * per message and never updated.
 */
@Entity({ name: 'message_outbox' })
export class MessageOutbox {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id' })
  message?: Relation<Message>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the relay set it aside as impossible to emit (why: `problem`); null while it waits to be emitted. */
  @Column({ name: 'quarantined_at', type: 'timestamptz', nullable: true })
  quarantinedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  problem!: string | null;
}
