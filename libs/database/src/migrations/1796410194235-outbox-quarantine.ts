import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row the relay cannot emit (its payload breaks today's limits, stored before they
 * existed) is kept, marked quarantined with the reason, instead of holding up the rows behind it.
 */
export class OutboxQuarantine1796410194235 implements MigrationInterface {
  name = 'OutboxQuarantine1796410194235';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_outbox" ADD "quarantined_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "message_outbox" ADD "problem" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_outbox" DROP COLUMN "problem"`);
    await queryRunner.query(`ALTER TABLE "message_outbox" DROP COLUMN "quarantined_at"`);
  }
}
