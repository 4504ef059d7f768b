import { Module } from '@nestjs/common';
import { DeliveriesHandler } from './deliveries.handler.js';

@Module({ controllers: [DeliveriesHandler] })
export class DeliveryModule {}
