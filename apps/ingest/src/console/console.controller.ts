import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { StaticSites } from './static-sites.js';

/** The operator console at /console/ and the app portal at /portal/, deep links included. */
@Controller()
export class ConsoleController {
  constructor(private readonly sites: StaticSites) {}

  @Get(['console', 'console/*path'])
  console(@Req() request: Request, @Res() response: Response): void {
    this.sites.serve('console', request, response);
  }

  @Get(['portal', 'portal/*path'])
  portal(@Req() request: Request, @Res() response: Response): void {
    this.sites.serve('portal', request, response);
  }
}
