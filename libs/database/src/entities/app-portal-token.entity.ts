import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Application } from './application.entity.js';

/** An app-portal session: a bearer token reaching one application until it expires or is revoked. Only its SHA-256 hash is stored. */
@Entity({ name: 'app_portal_tokens' })
export class AppPortalToken {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index()
  @Column({ name: 'application_id', type: 'uuid' })
  applicationId!: string;

  @ManyToOne(() => Application, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<Application>;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash!: string;

  /** The event types flagged with one of these are shown to the session (Svix's featureFlags). */
  @Column({ name: 'feature_flags', type: 'text', array: true, default: () => "'{}'" })
  featureFlags!: string[];

  /** The caller's session id, by which expire-all may pick the tokens it ends. */
  @Column({ name: 'session_id', type: 'varchar', length: 256, nullable: true })
  sessionId!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
