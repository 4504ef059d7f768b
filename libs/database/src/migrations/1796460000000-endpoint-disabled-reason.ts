import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why an endpoint is disabled, so that the console and the portal can say it: delivery writes its
 * own reason (410 Gone, failing for too long), a disable through the API writes that; enabling
 * clears it. Endpoints disabled before this migration keep a null reason (not known).
 */
export class EndpointDisabledReason1796460000000 implements MigrationInterface {
  name = 'EndpointDisabledReason1796460000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "endpoints" ADD "disabled_reason" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "endpoints" DROP COLUMN "disabled_reason"`);
  }
}
