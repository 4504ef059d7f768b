import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The hash of the request an Idempotency-Key was first used with, so a different request under the same key is refused. */
export class IdempotencyRequestHash1796414427435 implements MigrationInterface {
  name = 'IdempotencyRequestHash1796414427435';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "request_hash" character(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "request_hash"`);
  }
}
