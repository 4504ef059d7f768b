import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ORDERING_CLAIM_FUNCTION, ORDERING_SETTLE_FUNCTION } from './1796411412828-ordered-delivery.js';

/**
 * A parked head is promoted (sent again as a fresh task) once, not by every claim that finds it.
 *
 * Before, every `done` or `park` claim of a key named its parked, unleased head to be sent. A
 * delivered message whose task had N copies in Kafka (a produce retried during a broker outage, a
 * rebalance) thus made N tasks of the next head; those N copies, once that head was delivered,
 * made N of the one after, and so on: duplicates never died out, and every broker fault added
 * some. A CI chaos run ended with about 1,000 tasks per message in the FIFO endpoint's partition
 * (834,622 records), one message per key every 28 s, and an outcome record for every copy.
 *
 * Now the key's queue row remembers the head it last promoted and when: the settle, a claim or
 * the sweeper promotes a head only when no promotion of it is younger than PROMOTION_HOLDS, so
 * copies of a task find it promoted and just drop. A promotion that was lost on its way is made
 * again once it is that old, by the next claim of the key or by the parked-head sweeper.
 */
const PROMOTION_HOLDS = `interval '10 seconds'`;

// The right to promote `p_message`, the key's parked head, taken under the key's lock (which
// every caller holds or takes here): true when the lease is free and no promotion of it is recent.
const PROMOTE_FUNCTION = `
  CREATE FUNCTION hookline_ordering_promote(p_endpoint uuid, p_key text, p_message uuid) RETURNS boolean
  LANGUAGE sql AS $$
    UPDATE ordering_queues SET promoted_message = p_message, promoted_at = now()
    WHERE endpoint_id = p_endpoint AND ordering_key = p_key AND (lease_until IS NULL OR lease_until <= now())
      AND (promoted_message IS DISTINCT FROM p_message OR promoted_at <= now() - ${PROMOTION_HOLDS})
    RETURNING true
  $$`;

/** Replaces the one text in `sql` that this migration changes, and fails loudly if it is not there. */
function changed(sql: string, before: string, after: string): string {
  if (!sql.includes(before)) throw new Error(`migration OrderingPromotedOnce: "${before.trim()}" not found in the function it changes`);
  return sql.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION').replace(before, after);
}

const CLAIM_BEFORE = `IF decision IN ('done', 'park') AND head.parked_at IS NOT NULL AND NOT leased THEN`;
// CASE, not AND: SQL does not promise to evaluate AND left to right, and the promotion must be
// taken only for a done or park claim that found a parked head. (In parentheses, or PL/pgSQL
// would end the IF's condition at the CASE's THEN.)
const CLAIM_AFTER = `IF (CASE WHEN decision IN ('done', 'park') AND head.parked_at IS NOT NULL THEN hookline_ordering_promote(c.endpoint_id, c.ordering_key, head.message_id) END) THEN`;
const SETTLE_BEFORE = `
          JOIN ordering_queues oq ON oq.endpoint_id = k.endpoint_id AND oq.ordering_key = k.ordering_key
          CROSS JOIN LATERAL hookline_ordering_head(k.endpoint_id, k.ordering_key) h
          WHERE h.parked_at IS NOT NULL AND (oq.lease_until IS NULL OR oq.lease_until <= now());`;
const SETTLE_AFTER = `
          CROSS JOIN LATERAL hookline_ordering_head(k.endpoint_id, k.ordering_key) h
          WHERE CASE WHEN h.parked_at IS NOT NULL THEN hookline_ordering_promote(k.endpoint_id, k.ordering_key, h.message_id) END;`;

export class OrderingPromotedOnce1796480000000 implements MigrationInterface {
  name = 'OrderingPromotedOnce1796480000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ordering_queues" ADD "promoted_message" uuid`);
    await queryRunner.query(`ALTER TABLE "ordering_queues" ADD "promoted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(PROMOTE_FUNCTION);
    await queryRunner.query(changed(ORDERING_CLAIM_FUNCTION, CLAIM_BEFORE, CLAIM_AFTER));
    await queryRunner.query(changed(ORDERING_SETTLE_FUNCTION, SETTLE_BEFORE, SETTLE_AFTER));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ORDERING_CLAIM_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    await queryRunner.query(ORDERING_SETTLE_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    await queryRunner.query(`DROP FUNCTION hookline_ordering_promote(uuid, text, uuid)`);
    await queryRunner.query(`ALTER TABLE "ordering_queues" DROP COLUMN "promoted_at"`);
    await queryRunner.query(`ALTER TABLE "ordering_queues" DROP COLUMN "promoted_message"`);
  }
}
