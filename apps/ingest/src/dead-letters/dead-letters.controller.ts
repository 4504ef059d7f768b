import { Body, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { DeadLettersService } from './dead-letters.service.js';
import {
  type DeadLetterQuery,
  deadLetterQuery,
  ListResponseDeadLetterOut,
  type RecoverIn,
  recoverIn,
  RecoverOut,
  type ReplayIn,
  replayIn,
  ReplayOut,
} from './dead-letters.schemas.js';

/** Deliveries that failed for good, and sending them again (Svix's recover, Hookline's dead letters and replay). */
@ApiController()
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover',
    summary: 'Send again every message that failed on the endpoint since a time',
    access: 'portal',
    body: recoverIn,
    status: 202,
    response: RecoverOut,
  })
  recover(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: RecoverIn) { return this.deadLetters.recover(principal, appId, endpointId, body); }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/dead-letter', summary: 'List dead letters (Hookline)', access: 'token', query: deadLetterQuery, status: 200, response: ListResponseDeadLetterOut })
  list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: DeadLetterQuery) { return this.deadLetters.list(principal, appId, query); }

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/dead-letter/replay',
    summary: 'Replay dead letters with a fresh retry schedule (Hookline)',
    access: 'token',
    body: replayIn,
    status: 202,
    response: ReplayOut,
  })
  replay(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: ReplayIn) { return this.deadLetters.replay(principal, appId, body); }
}
