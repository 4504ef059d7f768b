import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention by whole partitions (ADR 15). messages, message_endpoints and attempts become tables
 * partitioned by range of message id: ids are UUIDv7, so a range of ids is a range of time, and a
 * message's statuses and attempts live in the partitions of the same range as the message. Each
 * range is one partition of each table (a "triple", suffix p<YYYYMMDD>t<HHMMSS> of its start);
 * the retention sweep drops a triple at once, and creates the ones ahead. Foreign keys from
 * statuses and attempts to their message are declared partition to partition, so that dropping
 * a triple checks nothing beyond it (and a check looks in one partition). A DEFAULT triple holds what falls in no range (ids that are
 * not UUIDv7, written by hand).
 *
 * Also, for the same purpose:
 * - messages.expires_at goes: nothing read it; retention is the sweep's, by partition.
 * - No foreign key from these tables to applications or endpoints any more: deleting one of
 *   those must not scan the partitions synchronously. pending_deletions records it, and the sweep
 *   deletes what belonged to it in bounded batches.
 * - messages.payload and attempts.response_excerpt may be NULL: expunged (Svix's expunge content).
 * - The (application, eventId) uniqueness becomes per partition (a unique index must contain the
 *   partition key); ingest also looks back over the last day, as Svix promises.
 * - attempts' primary key becomes (message_id, id), which the listing by message also uses, and
 *   (endpoint_id, id) replaces (endpoint_id, created_at), the order of the listing by endpoint.
 * - message_outbox no longer references messages: a foreign key check against a partitioned table
 *   costs a lookup planned over every partition per row. An outbox row keeps its partition from
 *   being dropped instead, and the sweep deletes those of a deleted application's messages.
 * - message_endpoints_open indexes what is still under way (pending, or a retry scheduled), so the
 *   sweep sees at once whether an old partition may go.
 *
 * Rows are copied into the new tables; columns and indexes that other migrations added to the
 * three tables are carried over (a unique index without the message id cannot be, and stops the
 * migration with PostgreSQL's error).
 */
export class PartitionedMessages1796410464057 implements MigrationInterface {
  name = 'PartitionedMessages1796410464057';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(UUID_FLOOR);
    await queryRunner.query(CREATE_TRIPLE);
    await queryRunner.query(DROP_TRIPLE);
    await queryRunner.query(MOVE_INDEXES);

    // The old tables step aside, without the constraints and indexes whose names the new ones take.
    await queryRunner.query(`ALTER TABLE "message_outbox" DROP CONSTRAINT "FK_4e1c3dc671998571b6474edbbec"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP CONSTRAINT "FK_e28cad4ed7168ecb9e3a9fc417a", DROP CONSTRAINT "FK_183f21756b00d5f61288a9f0a3f", DROP CONSTRAINT "PK_295ca261e361fd2fd217754dcac"`);
    await queryRunner.query(`DROP INDEX "IDX_2255d3b379f0f6586ec1427860", "IDX_9d1876a0c7dac7facc5d4fcf42"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP CONSTRAINT "FK_97a09ef8b82eddfd6785a7e37dd", DROP CONSTRAINT "FK_b6645fa2d2c7057319f2679521f", DROP CONSTRAINT "PK_cfc99f0f304be346b6bd583c731"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_5d3ec1cb962de6488637fd779d6", DROP CONSTRAINT "PK_18325f38ae6de43878487eff986"`);
    await queryRunner.query(`DROP INDEX "IDX_7eadb61694251daece82d111fa"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "expires_at"`);
    for (const table of TABLES) await queryRunner.query(`ALTER TABLE "${table}" RENAME TO "${table}_unpartitioned"`);

    // The partitioned tables, with every column the old ones have (other migrations' too).
    for (const [table, key] of [['messages', 'id'], ['message_endpoints', 'message_id'], ['attempts', 'message_id']] as const) {
      await queryRunner.query(
        `CREATE TABLE "${table}" (LIKE "${table}_unpartitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ("${key}")`,
      );
    }
    // Message ids are UUIDv7, always given by ingest; a random default would land anywhere.
    await queryRunner.query(`ALTER TABLE "messages" ALTER COLUMN "id" DROP DEFAULT, ALTER COLUMN "payload" DROP NOT NULL, ADD CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id")`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD CONSTRAINT "PK_cfc99f0f304be346b6bd583c731" PRIMARY KEY ("message_id", "endpoint_id")`);
    await queryRunner.query(`ALTER TABLE "attempts" ALTER COLUMN "response_excerpt" DROP NOT NULL, ADD CONSTRAINT "PK_74dd460edd84139c2b052b26bf7" PRIMARY KEY ("message_id", "id")`);

    // One triple per UTC day from the oldest message (the last 120 days at most; one triple before
    // them), the last one up to a minute or two from now; the retention sweep (at ingest's start,
    // then every minute) creates them ahead from there, as wide as HOOKLINE_RETENTION asks.
    const [{ oldest }] = (await queryRunner.query(
      `SELECT greatest(now() - interval '120 days', coalesce(min(hookline_uuid_time(id)), now())) AS oldest FROM "messages_unpartitioned" WHERE substr(id::text, 15, 1) = '7'`,
    )) as Array<{ oldest: Date }>;
    const day = 86_400_000;
    const firstDay = Math.floor(Math.min(new Date(oldest).getTime(), Date.now()) / day) * day;
    await queryRunner.query(`SELECT hookline_create_message_partitions(NULL, NULL)`);
    await queryRunner.query(`SELECT hookline_create_message_partitions($1, $2)`, [new Date(0), new Date(firstDay)]);
    const end = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    for (let start = firstDay; start < end; start += day) {
      await queryRunner.query(`SELECT hookline_create_message_partitions($1, $2)`, [new Date(start), new Date(Math.min(start + day, end))]);
    }

    for (const table of TABLES) await queryRunner.query(`INSERT INTO "${table}" SELECT * FROM "${table}_unpartitioned"`);
    // The indexes left (messages (application_id, created_at), message_endpoints (endpoint_id,
    // status), attempts (endpoint_id, created_at), and any other migration's) move across.
    for (const table of TABLES) await queryRunner.query(`SELECT hookline_move_indexes('${table}_unpartitioned', '${table}')`);
    await queryRunner.query(`CREATE INDEX "message_endpoints_open" ON "message_endpoints" ("updated_at") WHERE status = 'pending' OR next_attempt_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_bda485772adf3d1105ae8769e0" ON "attempts" ("endpoint_id", "id")`);
    await queryRunner.query(`DROP TABLE "attempts_unpartitioned", "message_endpoints_unpartitioned", "messages_unpartitioned"`);

    await queryRunner.query(
      `CREATE TABLE "pending_deletions" ("kind" character varying(16) NOT NULL, "target_id" uuid NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b90ff14e4cba9eff4ca36ec98c6" PRIMARY KEY ("kind", "target_id"), CONSTRAINT "CHK_pending_deletions_kind" CHECK ("kind" IN ('application', 'endpoint')))`,
    );
    await queryRunner.query(`DROP FUNCTION hookline_move_indexes(text, text)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(MOVE_INDEXES);
    await queryRunner.query(`DROP TABLE "pending_deletions"`);
    for (const table of TABLES) await queryRunner.query(`ALTER TABLE "${table}" RENAME TO "${table}_partitioned"`);
    // The partitions' foreign keys hang on the primary keys: renamed (their index names free) rather than dropped.
    await queryRunner.query(`ALTER TABLE "messages_partitioned" RENAME CONSTRAINT "PK_18325f38ae6de43878487eff986" TO "messages_partitioned_pkey"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints_partitioned" RENAME CONSTRAINT "PK_cfc99f0f304be346b6bd583c731" TO "message_endpoints_partitioned_pkey"`);
    await queryRunner.query(`ALTER TABLE "attempts_partitioned" RENAME CONSTRAINT "PK_74dd460edd84139c2b052b26bf7" TO "attempts_partitioned_pkey"`);
    await queryRunner.query(`DROP INDEX "message_endpoints_open", "IDX_bda485772adf3d1105ae8769e0"`);

    for (const table of TABLES) {
      await queryRunner.query(`CREATE TABLE "${table}" (LIKE "${table}_partitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)`);
    }
    // What was deleted but not yet swept, and what refers to it, has no place under the old foreign keys.
    await queryRunner.query(`DELETE FROM "messages_partitioned" m WHERE NOT EXISTS (SELECT 1 FROM "applications" a WHERE a.id = m.application_id)`);
    for (const table of ['message_endpoints', 'attempts']) {
      await queryRunner.query(`DELETE FROM "${table}_partitioned" t WHERE NOT EXISTS (SELECT 1 FROM "endpoints" e WHERE e.id = t.endpoint_id)`);
    }
    // An expunged payload or response has no NULL to stand for it in the old schema.
    await queryRunner.query(`INSERT INTO "messages" SELECT * FROM "messages_partitioned"`);
    await queryRunner.query(`UPDATE "messages" SET "payload" = '{"expired":true}' WHERE "payload" IS NULL`);
    await queryRunner.query(`INSERT INTO "message_endpoints" SELECT * FROM "message_endpoints_partitioned"`);
    await queryRunner.query(`INSERT INTO "attempts" SELECT * FROM "attempts_partitioned"`);
    await queryRunner.query(`UPDATE "attempts" SET "response_excerpt" = 'EXPUNGED' WHERE "response_excerpt" IS NULL`);
    for (const table of TABLES) await queryRunner.query(`SELECT hookline_move_indexes('${table}_partitioned', '${table}')`);
    await queryRunner.query(`DROP TABLE "attempts_partitioned", "message_endpoints_partitioned", "messages_partitioned"`);

    await queryRunner.query(`ALTER TABLE "messages" ALTER COLUMN "id" SET DEFAULT gen_random_uuid(), ALTER COLUMN "payload" SET NOT NULL, ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "messages" SET "expires_at" = "created_at" + interval '90 days'`);
    await queryRunner.query(`ALTER TABLE "messages" ALTER COLUMN "expires_at" SET NOT NULL, ADD CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id")`);
    await queryRunner.query(`CREATE INDEX "IDX_3a83b1bc057fd8dd8ffcc926ca" ON "messages" ("expires_at")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7eadb61694251daece82d111fa" ON "messages" ("application_id", "event_id") WHERE event_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD CONSTRAINT "PK_cfc99f0f304be346b6bd583c731" PRIMARY KEY ("message_id", "endpoint_id")`);
    await queryRunner.query(`ALTER TABLE "attempts" ALTER COLUMN "response_excerpt" SET NOT NULL, ADD CONSTRAINT "PK_295ca261e361fd2fd217754dcac" PRIMARY KEY ("id")`);
    await queryRunner.query(`CREATE INDEX "IDX_2255d3b379f0f6586ec1427860" ON "attempts" ("message_id", "created_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_9d1876a0c7dac7facc5d4fcf42" ON "attempts" ("endpoint_id", "created_at")`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_5d3ec1cb962de6488637fd779d6" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD CONSTRAINT "FK_e28cad4ed7168ecb9e3a9fc417a" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD CONSTRAINT "FK_183f21756b00d5f61288a9f0a3f" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD CONSTRAINT "FK_97a09ef8b82eddfd6785a7e37dd" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD CONSTRAINT "FK_b6645fa2d2c7057319f2679521f" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`DELETE FROM "message_outbox" o WHERE NOT EXISTS (SELECT 1 FROM "messages" m WHERE m.id = o.message_id)`);
    await queryRunner.query(`ALTER TABLE "message_outbox" ADD CONSTRAINT "FK_4e1c3dc671998571b6474edbbec" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await queryRunner.query(`DROP FUNCTION hookline_move_indexes(text, text)`);
    await queryRunner.query(`DROP FUNCTION hookline_drop_message_partitions(text)`);
    await queryRunner.query(`DROP FUNCTION hookline_create_message_partitions(timestamptz, timestamptz)`);
    await queryRunner.query(`DROP FUNCTION hookline_uuid_time(uuid)`);
    await queryRunner.query(`DROP FUNCTION hookline_uuid_floor(timestamptz)`);
  }
}

/** The three tables partitioned together, the referenced one first. */
const TABLES = ['messages', 'message_endpoints', 'attempts'] as const;

/** The smallest UUIDv7 of a millisecond (a partition bound), and the millisecond of a UUIDv7. */
const UUID_FLOOR = `
  CREATE FUNCTION hookline_uuid_floor(at timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '00000000000000000000')::uuid
  $$;
  CREATE FUNCTION hookline_uuid_time(id uuid) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_timestamp(('x' || lpad(substr(replace(id::text, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint / 1000.0)
  $$`;

/**
 * The triple of partitions for messages created in [from, to) (ids from hookline_uuid_floor(from)
 * up to that of to), or the DEFAULT triple when both are NULL: each partition of statuses and
 * attempts references the messages partition of its range, and the messages partition carries the
 * per-partition (application, eventId) uniqueness. A range triple is built apart, then attached:
 * ATTACH takes a SHARE UPDATE EXCLUSIVE lock on the parents, which reads and writes do not wait
 * for, where CREATE TABLE ... PARTITION OF would take an ACCESS EXCLUSIVE one.
 */
const CREATE_TRIPLE = `
  CREATE FUNCTION hookline_create_message_partitions("from" timestamptz, "to" timestamptz) RETURNS text LANGUAGE plpgsql AS $$
  DECLARE
    suffix text := CASE WHEN "from" IS NULL THEN 'default' ELSE 'p' || to_char("from" AT TIME ZONE 'UTC', 'YYYYMMDD"t"HH24MISS') END;
    bounds text := CASE WHEN "from" IS NULL THEN 'DEFAULT' ELSE format('FOR VALUES FROM (%L) TO (%L)', hookline_uuid_floor("from"), hookline_uuid_floor("to")) END;
    parent text;
  BEGIN
    FOREACH parent IN ARRAY ARRAY['messages', 'message_endpoints', 'attempts'] LOOP
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING ALL)', parent || '_' || suffix, parent);
    END LOOP;
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (application_id, event_id) WHERE event_id IS NOT NULL', 'messages_' || suffix || '_event_id', 'messages_' || suffix);
    FOREACH parent IN ARRAY ARRAY['message_endpoints', 'attempts'] LOOP
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (message_id) REFERENCES %I (id) ON DELETE CASCADE', parent || '_' || suffix, parent || '_' || suffix || '_message', 'messages_' || suffix);
    END LOOP;
    FOREACH parent IN ARRAY ARRAY['messages', 'message_endpoints', 'attempts'] LOOP
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I %s', parent, parent || '_' || suffix, bounds);
    END LOOP;
    RETURN suffix;
  END $$`;

/** Drops a triple; nothing outside it references its partitions. */
const DROP_TRIPLE = `
  CREATE FUNCTION hookline_drop_message_partitions(suffix text) RETURNS void LANGUAGE plpgsql AS $$
  BEGIN
    EXECUTE format('DROP TABLE %I, %I, %I', 'attempts_' || suffix, 'message_endpoints_' || suffix, 'messages_' || suffix);
  END $$`;

/** Moves the indexes left on one table (other migrations' own) to another, under their names; not those of constraints. */
const MOVE_INDEXES = `
  CREATE FUNCTION hookline_move_indexes("from" text, "to" text) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE
    index record;
  BEGIN
    FOR index IN SELECT indexname, indexdef FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename = "from"
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = format('%I.%I', schemaname, indexname)::regclass) LOOP
      EXECUTE format('DROP INDEX %I', index.indexname);
      EXECUTE regexp_replace(index.indexdef, ' ON (ONLY )?\\S+ ', format(' ON %I ', "to"));
    END LOOP;
  END $$`;
