import { AppPortalToken } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, Repository } from 'typeorm';

/** The app_portal_tokens table: portal sessions, each stored only as its token's hash. */
@Injectable()
export class AppPortalTokensRepository {
  constructor(@InjectRepository(AppPortalToken) private readonly tokens: Repository<AppPortalToken>) {}

  /** Stores a session, and drops the application's sessions that have expired (so the table does not grow). */
  async insert(token: AppPortalToken): Promise<void> {
    await this.tokens.delete({ applicationId: token.applicationId, expiresAt: LessThan(new Date()) });
    await this.tokens.insert(token);
  }

  /** The session of this token's hash, unless it has expired. */
  findActive(tokenHash: string): Promise<AppPortalToken | null> {
    return this.tokens.findOneBy({ tokenHash, expiresAt: MoreThan(new Date()) });
  }

  async deleteByHash(tokenHash: string): Promise<void> {
    await this.tokens.delete({ tokenHash });
  }

  /** Ends the application's sessions (those of `sessionIds`, if given) at `at`, or at once when null. */
  async expire(applicationId: string, sessionIds: string[] | undefined, at: Date | null): Promise<void> {
    const which = { applicationId, ...(sessionIds && { sessionId: In(sessionIds) }) };
    if (at === null) await this.tokens.delete(which);
    else await this.tokens.update({ ...which, expiresAt: MoreThan(at) }, { expiresAt: at });
  }
}
