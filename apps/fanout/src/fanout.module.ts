import { Module } from '@nestjs/common';
import { EventsHandler } from './events.handler.js';

@Module({ controllers: [EventsHandler] })
export class FanoutModule {}
