import type { Endpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import type { ListResponse } from '../../http/pagination.js';
import { RedeliveryService } from '../../messages/redelivery.service.js';
import { EndpointLookup } from '../endpoint-lookup.js';
import { EndpointOrderingRepository, type OrderedRow } from './endpoint-ordering.repository.js';
import type { HeldKeyOut, HeldKeysQuery } from './endpoint-ordering.schemas.js';

/**
 * A FIFO endpoint's ordering keys as the API shows them (which message holds a key, since when),
 * and what a change of the endpoint means for its parked messages (docs/adr/0012):
 * - enabled again: the tasks dropped while it was disabled are gone, so every open message is
 *   parked and each key's head is sent;
 * - no longer FIFO: every parked message is sent, as an ordinary one.
 */
@Injectable()
export class EndpointOrderingService {
  constructor(
    private readonly endpoints: EndpointLookup,
    private readonly repository: EndpointOrderingRepository,
    private readonly redelivery: RedeliveryService,
  ) {}

  async heldKeys(principal: Principal, appId: string, endpointId: string, query: HeldKeysQuery): Promise<ListResponse<HeldKeyOut>> {
    const endpoint = await this.endpoints.find(principal, appId, endpointId);
    const rows = await this.repository.heldKeys(endpoint.id, query.iterator ?? null, query.limit + 1);
    const page = rows.slice(0, query.limit);
    return {
      data: page.map((row) => ({
        orderingKey: row.orderingKey,
        blockedBy: row.messageId,
        blockedSince: row.blockedSince && new Date(row.blockedSince).toISOString(),
        attempts: row.attemptCount,
        nextAttempt: row.nextAttemptAt && new Date(row.nextAttemptAt).toISOString(),
        waiting: row.waiting,
      })),
      iterator: page.at(-1)?.orderingKey ?? null,
      prevIterator: null,
      done: rows.length <= query.limit,
    };
  }

  /** After the endpoint was saved: `wasDisabled` is whether it was disabled before. */
  async changed(endpoint: Endpoint, wasDisabled: boolean): Promise<void> {
    if (endpoint.ordering !== 'fifo') {
      const parked = await this.repository.parkedAfterClaims(endpoint.id);
      await this.send(endpoint, parked);
      if (parked.length > 0) await this.repository.unpark(endpoint.id, parked.map((row) => row.messageId));
    } else if (wasDisabled && !endpoint.disabled) {
      await this.repository.parkOpen(endpoint.id);
      await this.send(endpoint, await this.repository.parkedHeads(endpoint.id));
    }
  }

  private async send(endpoint: Endpoint, rows: readonly OrderedRow[]): Promise<void> {
    await this.redelivery.redeliverMany(rows.map(({ messageId }) => ({ messageId, endpointId: endpoint.id })), 'scheduled');
  }
}
