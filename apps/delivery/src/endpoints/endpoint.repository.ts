import { Endpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';

/** The endpoints table, as delivery reads and disables its rows. */
@Injectable()
export class EndpointRepository {
  constructor(@InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>) {}

  /** The endpoints of these ids that exist, in no particular order. */
  findByIds(ids: readonly string[]): Promise<Endpoint[]> {
    return this.endpoints.findBy({ id: In([...ids]) });
  }

  /** Disables them, keeping why (the console and the portal show it). */
  async disable(ids: readonly string[], reason: string): Promise<void> {
    await this.endpoints.update({ id: In([...ids]) }, { disabled: true, disabledReason: reason });
  }
}
