import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { ApplicationOwned } from './application-owned.js';

/** An app-portal session: a bearer token reaching one application until it expires or is revoked. Only its SHA-256 hash is stored. */
@Entity({ name: 'app_portal_tokens' })
export class AppPortalToken extends ApplicationOwned {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

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
