import { Module } from '@nestjs/common';

/** The REST API and the ingest-topic consumer (the pipeline issue fills both). */
@Module({})
export class IngestModule {}
