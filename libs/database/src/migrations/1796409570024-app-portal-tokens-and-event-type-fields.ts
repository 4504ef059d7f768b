import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * App-portal sessions get a table of their own (tokens stored hashed, each reaching one
 * application until it expires or is revoked), and event types take Svix's fields: `deprecated`
 * and `groupName` are kept rather than dropped, and the single `feature_flag` becomes the list
 * `feature_flags` (a type flagged so is shown only to portal sessions given one of its flags).
 */
export class AppPortalTokensAndEventTypeFields1796409570024 implements MigrationInterface {
  name = 'AppPortalTokensAndEventTypeFields1796409570024';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "app_portal_tokens" ("id" uuid NOT NULL, "application_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "feature_flags" text array NOT NULL DEFAULT '{}', "session_id" character varying(256), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_913bd74d8aec8f6007397bfa45d" UNIQUE ("token_hash"), CONSTRAINT "PK_940cc5220ca548d48f69932ecbe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_6c258e97413fc5264487642e79" ON "app_portal_tokens"  ("application_id") `);
    await queryRunner.query(`ALTER TABLE "app_portal_tokens" ADD CONSTRAINT "FK_6c258e97413fc5264487642e792" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "event_types" ADD "deprecated" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "event_types" ADD "feature_flags" text array`);
    await queryRunner.query(`ALTER TABLE "event_types" ADD "group_name" character varying(256)`);
    await queryRunner.query(`UPDATE "event_types" SET "feature_flags" = ARRAY["feature_flag"] WHERE "feature_flag" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "event_types" DROP COLUMN "feature_flag"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "event_types" ADD "feature_flag" character varying(256)`);
    // Only one flag fits the old column: the first is kept.
    await queryRunner.query(`UPDATE "event_types" SET "feature_flag" = "feature_flags"[1] WHERE "feature_flags" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "event_types" DROP COLUMN "group_name"`);
    await queryRunner.query(`ALTER TABLE "event_types" DROP COLUMN "feature_flags"`);
    await queryRunner.query(`ALTER TABLE "event_types" DROP COLUMN "deprecated"`);
    await queryRunner.query(`DROP TABLE "app_portal_tokens"`);
  }
}
