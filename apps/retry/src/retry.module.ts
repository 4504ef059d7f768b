import { Module } from '@nestjs/common';
import { TiersHandler } from './tiers.handler.js';

@Module({ controllers: [TiersHandler] })
export class RetryModule {}
