import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ApplicationOwned } from './application-owned.js';

export const ENDPOINT_ORDERINGS = ['none', 'fifo'] as const;
/** `fifo`: messages of one ordering key are delivered one at a time, in order (docs/adr/0012). */
export type EndpointOrdering = (typeof ENDPOINT_ORDERINGS)[number];

/** A customer URL that receives an application's events. */
@Entity({ name: 'endpoints' })
@Index(['applicationId', 'uid'], { unique: true, where: 'uid IS NOT NULL' })
export class Endpoint extends ApplicationOwned {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  uid!: string | null;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** Event types delivered here; null means every type. */
  @Column({ name: 'event_types', type: 'text', array: true, nullable: true })
  eventTypes!: string[] | null;

  /** Only events on one of these channels are delivered here; null means any channel. */
  @Column({ type: 'text', array: true, nullable: true })
  channels!: string[] | null;

  @Column({ type: 'enum', enum: ENDPOINT_ORDERINGS, enumName: 'endpoint_ordering', default: 'none' })
  ordering!: EndpointOrdering;

  /** Optional payload filter, matched by fanout. */
  @Column({ type: 'jsonb', nullable: true })
  filter!: Record<string, unknown> | null;

  /** Extra headers sent with every delivery. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers!: Record<string, string>;

  /** Deliveries per second at most (Svix `throttleRate`); null for no limit. */
  @Column({ name: 'rate_limit', type: 'integer', nullable: true })
  rateLimit!: number | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Why it is disabled (410 Gone, failing for too long, through the API); null while enabled or when not known. */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  /** The signing secret, encrypted; the key that encrypted it is named by secretKeyId. */
  @Column({ name: 'secret_ciphertext', type: 'text' })
  secretCiphertext!: string;

  @Column({ name: 'secret_key_id', type: 'varchar', length: 64 })
  secretKeyId!: string;

  /** The secret before the last rotation, still signing until previousSecretExpiresAt. */
  @Column({ name: 'previous_secret_ciphertext', type: 'text', nullable: true })
  previousSecretCiphertext!: string | null;

  @Column({ name: 'previous_secret_key_id', type: 'varchar', length: 64, nullable: true })
  previousSecretKeyId!: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, string>;

  /** Set at creation when endpoint verification is on: no events until the handshake passes. */
  @Column({ name: 'verification_required', type: 'boolean', default: false })
  verificationRequired!: boolean;

  /** When the endpoint last echoed a verification challenge at its current URL. */
  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt!: Date | null;

  /** Since when every attempt has failed; null while healthy. Drives auto-disable. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
