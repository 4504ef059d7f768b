import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency-Key replay for API creates, and the outbox marker on messages (emitted_at). */
export class OutboxAndIdempotency1795334446355 implements MigrationInterface {
  name = 'OutboxAndIdempotency1795334446355';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "idempotency_keys" ("scope" character varying(64) NOT NULL, "key" character varying(256) NOT NULL, "route" text NOT NULL, "status_code" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_15de2f76fa9f27ad8f330983607" PRIMARY KEY ("scope", "key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_5e72f040fdc5efc8eef52a388c" ON "idempotency_keys"  ("created_at") `);
    await queryRunner.query(`ALTER TABLE "messages" ADD "emitted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_0e5e8c160a307401722b51bbd1" ON "messages"  ("emitted_at") WHERE emitted_at IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_0e5e8c160a307401722b51bbd1"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "emitted_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5e72f040fdc5efc8eef52a388c"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
