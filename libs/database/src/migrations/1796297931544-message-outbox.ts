import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox moves from a column on messages (emitted_at, set by an UPDATE of every message) to
 * a table of its own (message_outbox, a row inserted with the message and deleted once emitted),
 * so the messages table is written once per message. Messages not yet emitted move across.
 */
export class MessageOutbox1796297931544 implements MigrationInterface {
  name = 'MessageOutbox1796297931544';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "message_outbox" ("message_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_4e1c3dc671998571b6474edbbec" PRIMARY KEY ("message_id"))`);
    await queryRunner.query(`ALTER TABLE "message_outbox" ADD CONSTRAINT "FK_4e1c3dc671998571b6474edbbec" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`INSERT INTO "message_outbox" ("message_id", "created_at") SELECT "id", "created_at" FROM "messages" WHERE "emitted_at" IS NULL`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0e5e8c160a307401722b51bbd1"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "emitted_at"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "emitted_at" TIMESTAMP WITH TIME ZONE`);
    // When each was emitted is not kept; its creation time stands in.
    await queryRunner.query(`UPDATE "messages" SET "emitted_at" = "created_at" WHERE "id" NOT IN (SELECT "message_id" FROM "message_outbox")`);
    await queryRunner.query(`CREATE INDEX "IDX_0e5e8c160a307401722b51bbd1" ON "messages" USING btree ("emitted_at") WHERE (emitted_at IS NULL)`);
    await queryRunner.query(`DROP TABLE "message_outbox"`);
  }
}
