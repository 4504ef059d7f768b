import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marks the outbox rows of messages that came from the ingest topic. Their Kafka record is
 * committed only once the message is emitted and its row deleted, so until then the record is
 * the row's owner: after a failure or a crash it is handled again and emits the message in its
 * turn. The relay leaves such rows alone; emitting one early would put an ordered message on the
 * events topic ahead of the records before it (docs/adr/0012). Rows from before this migration
 * keep false: the relay emits them as it always did.
 */
export class OutboxRowsOfIngestRecords1796470000000 implements MigrationInterface {
  name = 'OutboxRowsOfIngestRecords1796470000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_outbox" ADD "from_ingest_topic" boolean NOT NULL DEFAULT false`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_outbox" DROP COLUMN "from_ingest_topic"`);
  }
}
