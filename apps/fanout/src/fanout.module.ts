import { Endpoint, MessageEndpoint } from '@hookline/database';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsHandler } from './events.handler.js';

@Module({ imports: [TypeOrmModule.forFeature([Endpoint, MessageEndpoint])], controllers: [EventsHandler] })
export class FanoutModule {}
