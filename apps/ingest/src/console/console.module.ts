import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller.js';
import { StaticSites } from './static-sites.js';

/** Serves the built front-ends of apps/console: the operator console and the app portal. */
@Module({ controllers: [ConsoleController], providers: [StaticSites] })
export class ConsoleModule {}
