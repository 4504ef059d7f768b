import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A tenant: the company's customer whose endpoints receive webhooks. */
@Entity({ name: 'applications' })
export class Application {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The caller's own identifier, usable wherever the id is. */
  @Column({ type: 'varchar', length: 256, nullable: true, unique: true })
  uid!: string | null;

  @Column({ type: 'varchar', length: 256 })
  name!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
