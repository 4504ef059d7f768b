import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * applications.rate_limit goes: it was stored and shown (Svix's application `throttleRate`) but
 * nothing ever limited anything by it. Rates are limited per endpoint (endpoints.rate_limit).
 */
export class NoApplicationThrottle1796410464058 implements MigrationInterface {
  name = 'NoApplicationThrottle1796410464058';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "applications" DROP COLUMN "rate_limit"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "applications" ADD "rate_limit" integer`);
  }
}
