import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { type DisabledEndpoint, OperationalReporter } from '../operational/operational-reporter.js';
import { EndpointRepository } from './endpoint.repository.js';

/**
 * Disables endpoints (410 Gone, or failing for HOOKLINE_ENDPOINT_DISABLE_AFTER) and reports each
 * as Svix's `endpoint.disabled` (trigger `automatic`). The report goes first: should the process
 * die in between, the task runs again and reports the same occurrence, which ingest de-duplicates,
 * where the other order would lose the report. Re-enabling is an endpoint update with `disabled: false`.
 */
@Injectable()
export class EndpointDisabler {
  constructor(
    @Inject(EndpointRepository) private readonly endpoints: Pick<EndpointRepository, 'disable'>,
    @Inject(OperationalReporter) private readonly reporter: Pick<OperationalReporter, 'endpointsDisabled'>,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async disable(endpoints: DisabledEndpoint[], reason: string): Promise<void> {
    if (endpoints.length === 0) return;
    await this.reporter.endpointsDisabled(endpoints);
    await this.endpoints.disable(endpoints.map((endpoint) => endpoint.id), reason);
    this.logger.warn({ endpoints: endpoints.map((endpoint) => endpoint.id), reason }, 'endpoints disabled');
  }
}
