import type { MigrationInterface, QueryRunner } from 'typeorm';

// The claim and settle functions as this migration made them; a later migration changes them
// from these texts (OrderingPromotedOnce1796480000000).
export const ORDERING_CLAIM_FUNCTION = `
      CREATE FUNCTION hookline_ordering_claim(p_messages uuid[], p_endpoints uuid[], p_keys text[], p_events_topic text, p_lease_ms integer)
      RETURNS TABLE (message uuid, endpoint uuid, decision text, token uuid, at_offset bigint, retry_ms integer, promote uuid)
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        c record;
        q record;
        mine record;
        head record;
        fifo boolean;
        progress bigint;
        leased boolean;
      BEGIN
        FOR c IN SELECT * FROM unnest(p_messages, p_endpoints, p_keys) AS v(message_id, endpoint_id, ordering_key) ORDER BY v.endpoint_id, v.ordering_key, v.message_id LOOP
          message := c.message_id; endpoint := c.endpoint_id;
          decision := NULL; token := NULL; at_offset := NULL; retry_ms := NULL; promote := NULL;
          SELECT oq.lease_until INTO q FROM ordering_queues oq WHERE oq.endpoint_id = c.endpoint_id AND oq.ordering_key = c.ordering_key FOR UPDATE;
          IF NOT FOUND THEN
            INSERT INTO ordering_queues (endpoint_id, ordering_key) SELECT c.endpoint_id, c.ordering_key WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id = c.endpoint_id) ON CONFLICT DO NOTHING;
            SELECT oq.lease_until INTO q FROM ordering_queues oq WHERE oq.endpoint_id = c.endpoint_id AND oq.ordering_key = c.ordering_key FOR UPDATE;
          END IF;
          SELECT e.ordering = 'fifo' INTO fifo FROM endpoints e WHERE e.id = c.endpoint_id;
          SELECT me.status, me.order_partition, me.order_offset INTO mine FROM message_endpoints me WHERE me.message_id = c.message_id AND me.endpoint_id = c.endpoint_id;
          IF fifo IS NULL OR mine.status IS NULL OR mine.status IN ('succeeded', 'dead') THEN
            decision := 'done';
          ELSIF NOT fifo OR mine.order_offset IS NULL THEN
            decision := 'unordered';
          END IF;
          IF decision IS DISTINCT FROM 'unordered' AND fifo IS NOT NULL THEN
            SELECT h.message_id, h.parked_at INTO head FROM hookline_ordering_head(c.endpoint_id, c.ordering_key) h;
            leased := q.lease_until IS NOT NULL AND q.lease_until > now();
            IF decision IS NULL AND head.message_id IS DISTINCT FROM c.message_id THEN
              decision := 'park';
              UPDATE message_endpoints me SET parked_at = now() WHERE me.message_id = c.message_id AND me.endpoint_id = c.endpoint_id AND me.parked_at IS NULL;
            ELSIF decision IS NULL THEN
              SELECT fp.next_offset INTO progress FROM fanout_progress fp WHERE fp.topic = p_events_topic AND fp.partition = mine.order_partition;
              IF progress IS NULL OR progress <= mine.order_offset THEN
                decision := 'wait';
              ELSIF leased THEN
                decision := 'busy';
                retry_ms := GREATEST(1, ceil(extract(epoch FROM q.lease_until - now()) * 1000))::integer;
              ELSE
                decision := 'go';
                token := gen_random_uuid();
                at_offset := mine.order_offset;
                UPDATE ordering_queues oq SET lease_token = token, lease_until = now() + p_lease_ms * interval '1 millisecond'
                  WHERE oq.endpoint_id = c.endpoint_id AND oq.ordering_key = c.ordering_key;
                UPDATE message_endpoints me SET parked_at = NULL WHERE me.message_id = c.message_id AND me.endpoint_id = c.endpoint_id AND me.parked_at IS NOT NULL;
              END IF;
            END IF;
            IF decision IN ('done', 'park') AND head.parked_at IS NOT NULL AND NOT leased THEN
              promote := head.message_id;
            END IF;
          END IF;
          RETURN NEXT;
        END LOOP;
      END
      $$`;

export const ORDERING_SETTLE_FUNCTION = `
      CREATE FUNCTION hookline_ordering_settle(p_endpoints uuid[], p_keys text[], p_tokens uuid[])
      RETURNS TABLE (endpoint uuid, ordering_key text, promote uuid)
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      BEGIN
        UPDATE ordering_queues oq SET lease_token = NULL, lease_until = NULL
          FROM unnest(p_endpoints, p_keys, p_tokens) AS v(endpoint_id, ordering_key, token)
          WHERE oq.endpoint_id = v.endpoint_id AND oq.ordering_key = v.ordering_key AND oq.lease_token = v.token;
        RETURN QUERY
          SELECT k.endpoint_id, k.ordering_key::text, h.message_id
          FROM (SELECT DISTINCT * FROM unnest(p_endpoints, p_keys) AS u(endpoint_id, ordering_key)) k
          JOIN ordering_queues oq ON oq.endpoint_id = k.endpoint_id AND oq.ordering_key = k.ordering_key
          CROSS JOIN LATERAL hookline_ordering_head(k.endpoint_id, k.ordering_key) h
          WHERE h.parked_at IS NOT NULL AND (oq.lease_until IS NULL OR oq.lease_until <= now());
        DELETE FROM ordering_queues oq
          USING (SELECT DISTINCT * FROM unnest(p_endpoints, p_keys) AS u(endpoint_id, ordering_key)) k
          WHERE oq.endpoint_id = k.endpoint_id AND oq.ordering_key = k.ordering_key AND (oq.lease_until IS NULL OR oq.lease_until <= now())
            AND NOT EXISTS (SELECT 1 FROM hookline_ordering_head(k.endpoint_id, k.ordering_key));
      END
      $$`;

/**
 * Ordered delivery per endpoint and ordering key (docs/adr/0012): the endpoint's `ordering`, the
 * message's `ordering_key`, each status row's position and parked mark, the queue rows that are
 * each key's lock and lease, fanout's progress per events partition, and the functions that
 * decide in PostgreSQL, under the key's lock, whether a message may be sent now.
 *
 * Only columns are added to messages and message_endpoints (ALTER TABLE ... ADD COLUMN, which
 * partitioned tables take too), so this migration does not depend on how those tables are laid out.
 */
export class OrderedDelivery1796411412828 implements MigrationInterface {
  name = 'OrderedDelivery1796411412828';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "fanout_progress" ("topic" character varying(255) NOT NULL, "partition" integer NOT NULL, "next_offset" bigint NOT NULL, CONSTRAINT "PK_4707d9d90c45c6a3a49ccde8b1f" PRIMARY KEY ("topic", "partition"))`);
    await queryRunner.query(`CREATE TABLE "ordering_queues" ("endpoint_id" uuid NOT NULL, "ordering_key" character varying(256) NOT NULL, "lease_token" uuid, "lease_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_83841b6339cdb447507899aade5" PRIMARY KEY ("endpoint_id", "ordering_key"))`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "ordering_key" character varying(256)`);
    await queryRunner.query(`CREATE TYPE "public"."endpoint_ordering" AS ENUM('none', 'fifo')`);
    await queryRunner.query(`ALTER TABLE "endpoints" ADD "ordering" "public"."endpoint_ordering" NOT NULL DEFAULT 'none'`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD "ordering_key" character varying(256)`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD "order_partition" integer`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD "order_offset" bigint`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD "parked_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_message_endpoints_open_ordered" ON "message_endpoints"  ("endpoint_id", "ordering_key", "order_offset") WHERE status IN ('pending', 'failed') AND ordering_key IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "ordering_queues" ADD CONSTRAINT "FK_7b5744577f5f6bbcff62e3fce6f" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    // The head of a key: its open (pending or failed) message at the lowest position.
    await queryRunner.query(`
      CREATE FUNCTION hookline_ordering_head(p_endpoint uuid, p_key text) RETURNS TABLE (message_id uuid, parked_at timestamptz)
      LANGUAGE sql STABLE AS $$
        SELECT me.message_id, me.parked_at FROM message_endpoints me
        WHERE me.endpoint_id = p_endpoint AND me.ordering_key = p_key AND me.status IN ('pending', 'failed')
        ORDER BY me.order_offset, me.message_id LIMIT 1
      $$`);

    // Whether each task may be sent now (docs/adr/0012, "Delivery"). Each key's queue row is
    // locked first (in key order, so that batches cannot deadlock), and every statement after it
    // reads with a fresh snapshot: an outcome committed while this waited for the lock is seen.
    //   done       the message is delivered or dead already, or its endpoint is gone: drop the task
    //   unordered  the endpoint is no longer FIFO: send it as any other
    //   park       an earlier message of the key is open: drop the task, mark the row parked
    //   wait       fanout has not routed every earlier event yet: ask again shortly
    //   busy       another attempt of the key is in flight: ask again after retry_ms
    //   go         the lease is yours (token) until lease_ms from now
    // With done and park, a parked head nobody is sending (lease free) is named in promote: the
    // caller sends it.
    await queryRunner.query(ORDERING_CLAIM_FUNCTION);

    // After outcomes of a key were written (its lock held by the caller): releases each lease that
    // is still the given token's, names each key's parked head nobody is sending (to be sent
    // now), and deletes the queue rows of keys left with no open message.
    await queryRunner.query(ORDERING_SETTLE_FUNCTION);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION hookline_ordering_settle(uuid[], text[], uuid[])`);
    await queryRunner.query(`DROP FUNCTION hookline_ordering_claim(uuid[], uuid[], text[], text, integer)`);
    await queryRunner.query(`DROP FUNCTION hookline_ordering_head(uuid, text)`);
    await queryRunner.query(`ALTER TABLE "ordering_queues" DROP CONSTRAINT "FK_7b5744577f5f6bbcff62e3fce6f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_message_endpoints_open_ordered"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP COLUMN "parked_at"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP COLUMN "order_offset"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP COLUMN "order_partition"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP COLUMN "ordering_key"`);
    await queryRunner.query(`ALTER TABLE "endpoints" DROP COLUMN "ordering"`);
    await queryRunner.query(`DROP TYPE "public"."endpoint_ordering"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "ordering_key"`);
    await queryRunner.query(`DROP TABLE "ordering_queues"`);
    await queryRunner.query(`DROP TABLE "fanout_progress"`);
  }
}
