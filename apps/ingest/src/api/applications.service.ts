import { Application } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from './auth.js';
import { notFound } from './errors.js';
import { findByIdOrAlias } from './lookup.js';

/** Finds applications by id or uid, within what the caller may see. */
@Injectable()
export class ApplicationsService {
  constructor(@InjectRepository(Application) private readonly applications: Repository<Application>) {}

  /** The application named by id or uid, if the caller may see it; a 404 otherwise (never a 403). */
  async resolve(principal: Principal, idOrUid: string): Promise<Application> {
    const application = await this.find(idOrUid);
    if (!application || (principal.kind === 'application' && principal.applicationId !== application.id)) {
      throw notFound('application');
    }
    return application;
  }

  /** An id always wins over a uid: any tenant may set its uid to the text of another's id. */
  find(idOrUid: string): Promise<Application | null> {
    return findByIdOrAlias(this.applications, idOrUid, 'uid');
  }

  create(fields: { name: string; uid?: string | null; throttleRate?: number | null; metadata?: Record<string, string> }): Promise<Application> {
    return this.applications.save(
      this.applications.create({
        id: uuidv7(),
        name: fields.name,
        uid: fields.uid ?? null,
        rateLimit: fields.throttleRate ?? null,
        metadata: fields.metadata ?? {},
      }),
    );
  }
}
