import { Module } from '@nestjs/common';
import { EventsHandler } from './events.handler.js';
import { FanoutService } from './routing/fanout.service.js';
import { RouteRepository } from './routing/route.repository.js';

@Module({ controllers: [EventsHandler], providers: [FanoutService, RouteRepository] })
export class FanoutModule {}
