import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables of the brief: tenants, keys, event types, endpoints, messages, their statuses and attempts. */
export class InitialSchema1795333898853 implements MigrationInterface {
  name = 'InitialSchema1795333898853';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "applications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "uid" character varying(256), "name" character varying(256) NOT NULL, "rate_limit" integer, "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_6502cd9be255d9470ebe0c47d59" UNIQUE ("uid"), CONSTRAINT "PK_938c0a27255637bde919591888f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid NOT NULL, "name" character varying(256) NOT NULL, "key_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c1226be0b825ac08ac94afc196" ON "api_keys"  ("application_id") `);
    await queryRunner.query(`CREATE TABLE "messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid NOT NULL, "event_type" character varying(256) NOT NULL, "event_id" character varying(256), "channels" text array NOT NULL DEFAULT '{}', "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_3a83b1bc057fd8dd8ffcc926ca" ON "messages"  ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_19d17e50c39b564497074e0d1e" ON "messages"  ("application_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7eadb61694251daece82d111fa" ON "messages"  ("application_id", "event_id") WHERE event_id IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE "endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid NOT NULL, "uid" character varying(256), "url" text NOT NULL, "description" text NOT NULL DEFAULT '', "version" integer NOT NULL DEFAULT '1', "event_types" text array, "channels" text array, "filter" jsonb, "headers" jsonb NOT NULL DEFAULT '{}'::jsonb, "rate_limit" integer, "disabled" boolean NOT NULL DEFAULT false, "secret_ciphertext" text NOT NULL, "secret_key_id" character varying(64) NOT NULL, "previous_secret_ciphertext" text, "previous_secret_key_id" character varying(64), "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb, "failing_since" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_70835610dfa54ad5d990e02f70a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c77357c13fe8466408a837722e" ON "endpoints"  ("application_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e50bad7636df5d52ae376281f3" ON "endpoints"  ("application_id", "uid") WHERE uid IS NOT NULL`);
    await queryRunner.query(`CREATE TYPE "public"."attempt_trigger" AS ENUM('scheduled', 'manual')`);
    await queryRunner.query(`CREATE TABLE "attempts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "message_id" uuid NOT NULL, "endpoint_id" uuid NOT NULL, "application_id" uuid NOT NULL, "attempt_number" integer NOT NULL, "url" text NOT NULL, "succeeded" boolean NOT NULL, "response_status_code" integer, "response_duration_ms" integer NOT NULL, "response_excerpt" text NOT NULL DEFAULT '', "error" text, "trigger" "public"."attempt_trigger" NOT NULL DEFAULT 'scheduled', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_295ca261e361fd2fd217754dcac" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_9d1876a0c7dac7facc5d4fcf42" ON "attempts"  ("endpoint_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_2255d3b379f0f6586ec1427860" ON "attempts"  ("message_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "event_types" ("name" character varying(256) NOT NULL, "description" text NOT NULL DEFAULT '', "archived" boolean NOT NULL DEFAULT false, "feature_flag" character varying(256), "schemas" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d5110ab69f4aacfe41fecdf4fcd" PRIMARY KEY ("name"))`);
    await queryRunner.query(`CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'succeeded', 'failed', 'dead')`);
    await queryRunner.query(`CREATE TABLE "message_endpoints" ("message_id" uuid NOT NULL, "endpoint_id" uuid NOT NULL, "application_id" uuid NOT NULL, "status" "public"."delivery_status" NOT NULL DEFAULT 'pending', "attempt_count" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cfc99f0f304be346b6bd583c731" PRIMARY KEY ("message_id", "endpoint_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_2b02f527c784680c5f9b01485e" ON "message_endpoints"  ("endpoint_id", "status") `);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_c1226be0b825ac08ac94afc196d" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_5d3ec1cb962de6488637fd779d6" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "endpoints" ADD CONSTRAINT "FK_c77357c13fe8466408a837722eb" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD CONSTRAINT "FK_e28cad4ed7168ecb9e3a9fc417a" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD CONSTRAINT "FK_183f21756b00d5f61288a9f0a3f" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD CONSTRAINT "FK_97a09ef8b82eddfd6785a7e37dd" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" ADD CONSTRAINT "FK_b6645fa2d2c7057319f2679521f" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP CONSTRAINT "FK_b6645fa2d2c7057319f2679521f"`);
    await queryRunner.query(`ALTER TABLE "message_endpoints" DROP CONSTRAINT "FK_97a09ef8b82eddfd6785a7e37dd"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP CONSTRAINT "FK_183f21756b00d5f61288a9f0a3f"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP CONSTRAINT "FK_e28cad4ed7168ecb9e3a9fc417a"`);
    await queryRunner.query(`ALTER TABLE "endpoints" DROP CONSTRAINT "FK_c77357c13fe8466408a837722eb"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_5d3ec1cb962de6488637fd779d6"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_c1226be0b825ac08ac94afc196d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2b02f527c784680c5f9b01485e"`);
    await queryRunner.query(`DROP TABLE "message_endpoints"`);
    await queryRunner.query(`DROP TYPE "public"."delivery_status"`);
    await queryRunner.query(`DROP TABLE "event_types"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2255d3b379f0f6586ec1427860"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9d1876a0c7dac7facc5d4fcf42"`);
    await queryRunner.query(`DROP TABLE "attempts"`);
    await queryRunner.query(`DROP TYPE "public"."attempt_trigger"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e50bad7636df5d52ae376281f3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c77357c13fe8466408a837722e"`);
    await queryRunner.query(`DROP TABLE "endpoints"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7eadb61694251daece82d111fa"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_19d17e50c39b564497074e0d1e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3a83b1bc057fd8dd8ffcc926ca"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c1226be0b825ac08ac94afc196"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "applications"`);
  }
}
