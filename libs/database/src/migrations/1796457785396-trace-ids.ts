import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages and attempts keep the OpenTelemetry trace id they were written in, so that the console
 * can show where a delivery's time went and link to the operator's trace viewer. No index: a
 * trace is looked up through its message (GET .../msg/{msg_id}/trace), never by its id.
 */
export class TraceIds1796457785396 implements MigrationInterface {
  name = 'TraceIds1796457785396';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "trace_id" character(32)`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD "trace_id" character(32)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "attempts" DROP COLUMN "trace_id"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "trace_id"`);
  }
}
