import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The first response to a create carrying an `Idempotency-Key`, replayed for repeats. A row
 * without a response marks a request still in progress.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKey {
  /** Who asked: `admin` or the API key's application id, so keys never cross tenants. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  scope!: string;

  @PrimaryColumn({ type: 'varchar', length: 256 })
  key!: string;

  /** Method and path, so one key reused on another route is refused rather than replayed. */
  @Column({ type: 'text' })
  route!: string;

  /** SHA-256 of the request body the key was first used with (null on rows from before it was kept). */
  @Column({ name: 'request_hash', type: 'char', length: 64, nullable: true })
  requestHash!: string | null;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @Index()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
