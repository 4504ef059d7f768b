import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Endpoint verification: whether an endpoint must pass the handshake, and when it last did. */
export class EndpointVerification1795338839116 implements MigrationInterface {
  name = 'EndpointVerification1795338839116';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "endpoints" ADD "verification_required" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "endpoints" ADD "verified_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "endpoints" DROP COLUMN "verified_at"`);
    await queryRunner.query(`ALTER TABLE "endpoints" DROP COLUMN "verification_required"`);
  }
}
