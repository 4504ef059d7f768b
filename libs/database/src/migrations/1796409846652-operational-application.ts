import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OPERATIONAL_APPLICATION_ID } from '../operational-application.js';

/**
 * The operational application: one row of applications, with a fixed id and no uid, that holds
 * the operational webhook endpoints and the operational events as its messages. Rows only: no
 * table changes.
 */
export class OperationalApplication1796409846652 implements MigrationInterface {
  name = 'OperationalApplication1796409846652';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "applications" ("id", "uid", "name") VALUES ($1, NULL, 'Hookline operational webhooks') ON CONFLICT ("id") DO NOTHING`, [OPERATIONAL_APPLICATION_ID]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Its endpoints, messages and attempts go with it (ON DELETE CASCADE).
    await queryRunner.query(`DELETE FROM "applications" WHERE "id" = $1`, [OPERATIONAL_APPLICATION_ID]);
  }
}
