import { Check, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const DELETION_KINDS = ['application', 'endpoint'] as const;
export type DeletionKind = (typeof DELETION_KINDS)[number];

/**
 * An application or endpoint deleted through the API whose messages, statuses and attempts the
 * retention sweep still has to remove, in bounded batches, so that the deletion itself never
 * scans the partitioned tables (ADR 15).
 */
@Entity({ name: 'pending_deletions' })
@Check('CHK_pending_deletions_kind', `"kind" IN ('application', 'endpoint')`)
export class PendingDeletion {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind!: DeletionKind;

  @PrimaryColumn({ name: 'target_id', type: 'uuid' })
  targetId!: string;

  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;
}
