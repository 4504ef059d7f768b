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

  /** Marked deprecated by the operator: still usable, shown as such. */
  @Column({ type: 'boolean', default: false })
  deprecated!: boolean;

  /** Shown only to app-portal sessions given one of these flags (Svix's featureFlags); null for everyone. */
  @Column({ name: 'feature_flags', type: 'text', array: true, nullable: true })
  featureFlags!: string[] | null;

  /** The group the portal lists the type under (Svix's groupName). */
  @Column({ name: 'group_name', type: 'varchar', length: 256, nullable: true })
  groupName!: string | null;

  /** JSON Schemas of the payload by version, as Svix stores them. */
  @Column({ type: 'jsonb', nullable: true })
  schemas!: object | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
