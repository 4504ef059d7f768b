import { Application } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from './auth.js';
import { notFound } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

  find(idOrUid: string): Promise<Application | null> {
    return this.applications.findOne({
      where: UUID.test(idOrUid) ? [{ id: idOrUid }, { uid: idOrUid }] : { uid: idOrUid },
    });
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

export { UUID };
