import { ApiKey } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/** The api_keys table: keys are stored only as their hash. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  insert(fields: { applicationId: string; name: string; keyHash: string }): Promise<ApiKey> {
    return this.keys.save({ id: uuidv7(), ...fields });
  }

  /** The key with this hash, unless it was revoked. */
  findActive(keyHash: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
  }
}
