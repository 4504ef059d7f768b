import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Application } from './application.entity.js';

/** An accepted event, kept until expiresAt. */
@Entity({ name: 'messages' })
@Index(['applicationId', 'eventId'], { unique: true, where: 'event_id IS NOT NULL' })
@Index(['applicationId', 'createdAt'])
export class Message {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId!: string;

  @ManyToOne(() => Application, { onDelete: 'CASCADE' })
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

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Index()
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
