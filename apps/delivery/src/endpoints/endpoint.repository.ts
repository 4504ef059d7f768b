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

  async disable(ids: readonly string[]): Promise<void> {
    await this.endpoints.update({ id: In([...ids]) }, { disabled: true });
  }
}
