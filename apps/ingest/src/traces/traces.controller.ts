import { Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { MessageTracesOut } from './traces.schemas.js';
import { TracesService } from './traces.service.js';

/** Where a message's time went: its traces, for the operator console (not the app portal). */
@ApiController()
export class TracesController {
  constructor(private readonly traces: TracesService) {}

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/trace',
    summary: "A message's traces (its own, and each resend's) with their link and spans",
    access: 'token',
    status: 200,
    response: MessageTracesOut,
  })
  ofMessage(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string) {
    return this.traces.ofMessage(principal, appId, msgId);
  }
}
