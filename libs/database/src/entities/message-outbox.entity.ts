import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A message stored but not yet on the events topic: inserted with the message in one statement,
 * deleted once Kafka has it. The ingest outbox relay emits what stays here past its grace period
 * (but for the rows of ingest-topic records, which their records emit), so an accepted message is
 * never lost to a Kafka outage or a crash. A table of its own, rather than a column on messages,
 * so that the large, long-kept messages table is written once per message and never updated. No foreign key to the partitioned messages (ADR 15): a row here
 * keeps its message's partition from being dropped, and the retention sweep deletes those of a
 * deleted application's messages with them.
 */
@Entity({ name: 'message_outbox' })
export class MessageOutbox {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /**
   * The message came from the ingest topic: its record, committed only once the message is
   * emitted and this row deleted, emits it (again, after a failure or a crash), in its turn; the
   * relay leaves the row alone.
   */
  @Column({ name: 'from_ingest_topic', type: 'boolean', default: false })
  fromIngestTopic!: boolean;

  /** When the relay set it aside as impossible to emit (why: `problem`); null while it waits to be emitted. */
  @Column({ name: 'quarantined_at', type: 'timestamptz', nullable: true })
  quarantinedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  problem!: string | null;
}
