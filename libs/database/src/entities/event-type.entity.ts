import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A kind of event endpoints can subscribe to (`invoice.paid`). Shared by all applications, as in Svix. */
@Entity({ name: 'event_types' })
export class EventType {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'boolean', default: false })
  archived!: boolean;

  @Column({ name: 'feature_flag', type: 'varchar', length: 256, nullable: true })
  featureFlag!: string | null;

  /** JSON Schemas of the payload by version, as Svix stores them. */
  @Column({ type: 'jsonb', nullable: true })
  schemas!: object | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
