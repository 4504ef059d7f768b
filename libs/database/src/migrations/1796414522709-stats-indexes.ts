import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the stats routes, which count attempts by time (and application) and dead
 * deliveries by time, every few seconds, without reading the rows themselves:
 * - attempts (created_at) INCLUDE (succeeded): the installation's attempts per minute;
 * - attempts (application_id, created_at) INCLUDE (endpoint_id, succeeded): one application's;
 * - message_endpoints (last_attempt_at) WHERE status = 'dead': dead letters by when they died.
 * attempts and message_endpoints are partitioned (PartitionedMessages1796410464057, before this
 * one), and PostgreSQL builds no index CONCURRENTLY on a partitioned table: all three are built on
 * the parent with a plain CREATE INDEX, which blocks delivery's inserts for the build (seconds for
 * a million attempts, docs/performance.md). The CONCURRENTLY path (outside a transaction) is for
 * a table that is not partitioned, which none of these is any more.
 * An index a failed concurrent build left invalid is dropped and built again. New indexes only:
 * no other table or index changes.
 */
export class StatsIndexes1796414522709 implements MigrationInterface {
  name = 'StatsIndexes1796414522709';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await createIndex(queryRunner, 'IDX_attempts_stats_time', 'attempts', '("created_at") INCLUDE ("succeeded")');
    await createIndex(queryRunner, 'IDX_attempts_stats_application', 'attempts', '("application_id", "created_at") INCLUDE ("endpoint_id", "succeeded")');
    await createIndex(queryRunner, 'IDX_message_endpoints_stats_dead', 'message_endpoints', `("last_attempt_at") WHERE "status" = 'dead'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['IDX_message_endpoints_stats_dead', 'IDX_attempts_stats_application', 'IDX_attempts_stats_time']) {
      await queryRunner.query(`DROP INDEX ${concurrently(queryRunner)}IF EXISTS "public"."${index}"`);
    }
  }
}

/**
 * CONCURRENTLY unless a transaction is open: TypeORM runs this migration outside one (transaction =
 * false), but reverts every migration inside one, where a plain build or drop is the only kind.
 */
const concurrently = (queryRunner: QueryRunner) => (queryRunner.isTransactionActive ? '' : 'CONCURRENTLY ');

async function createIndex(queryRunner: QueryRunner, name: string, table: string, definition: string): Promise<void> {
  const [invalid] = (await queryRunner.query(`SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid`, [`public."${name}"`])) as unknown[];
  if (invalid) await queryRunner.query(`DROP INDEX ${concurrently(queryRunner)}IF EXISTS "public"."${name}"`);
  const [{ partitioned }] = (await queryRunner.query(`SELECT relkind = 'p' AS partitioned FROM pg_class WHERE oid = to_regclass($1)`, [`public."${table}"`])) as Array<{ partitioned: boolean }>;
  await queryRunner.query(`CREATE INDEX ${partitioned ? '' : concurrently(queryRunner)}IF NOT EXISTS "${name}" ON "public"."${table}" ${definition}`);
}
