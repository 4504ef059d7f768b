import type { Application } from '@hookline/database';
import type { ApplicationsRepository, NewApplication } from '../../src/applications/applications.repository.js';
import { ApplicationsService } from '../../src/applications/applications.service.js';
import { answerOf } from '../fakes.js';

const ALPHA = '0190a000-0000-7000-8000-00000000000a';
const BETA = '0190a000-0000-7000-8000-00000000000b';

describe('ApplicationsService', () => {
  let rows: Application[];
  let lookups: Array<readonly string[]>;
  let service: ApplicationsService;

  beforeEach(() => {
    const at = new Date('2026-01-01T00:00:00Z');
    rows = [
      { id: ALPHA, uid: 'alpha', name: 'Alpha', metadata: {}, createdAt: at, updatedAt: at },
      // A uid set to the text of another's id in upper case, before uids could not look like ids.
      { id: BETA, uid: ALPHA.toUpperCase(), name: 'Beta', metadata: { tier: 'gold' }, createdAt: at, updatedAt: at },
    ];
    lookups = [];
    const repository = {
      findByIdOrUid: async (keys: readonly string[]) => {
        lookups.push(keys);
        // PostgreSQL compares uuids whatever the case of their text.
        return rows.filter((row) => keys.some((key) => key.toLowerCase() === row.id) || (row.uid !== null && keys.includes(row.uid)));
      },
      save: async (application: Application) => application,
      delete: async (id: string) => {
        rows = rows.filter((row) => row.id !== id);
      },
      insert: async (fields: NewApplication) => {
        const at = new Date('2026-02-01T00:00:00Z');
        const row = { id: '0190a000-0000-7000-8000-0000000000ff', uid: fields.uid ?? null, name: fields.name, metadata: fields.metadata ?? {}, createdAt: at, updatedAt: at };
        rows.push(row);
        return row;
      },
    };
    service = new ApplicationsService(repository as unknown as ApplicationsRepository);
  });

  it('finds by id (in either case) before uid, and gathers concurrent lookups into one query', async () => {
    const [byId, byUpperId, byUid, none] = await Promise.all([service.find(ALPHA), service.find(ALPHA.toUpperCase()), service.find('alpha'), service.find('nobody')]);
    expect([byId?.name, byUpperId?.name, byUid?.name, none]).toEqual(['Alpha', 'Alpha', 'Alpha', null]);
    expect(lookups).toEqual([[ALPHA, ALPHA.toUpperCase(), 'alpha', 'nobody']]);
  });

  it('lets sends find an application in memory, yet sees a new application and its own changes at once', async () => {
    const admin = { kind: 'admin' } as const;
    const send = (key: string) => service.resolveOrCreate(admin, key, undefined, { forSend: true });
    expect([(await send('alpha')).id, (await send('alpha')).id]).toEqual([ALPHA, ALPHA]);
    expect(lookups).toHaveLength(1);

    // A miss is not kept: an application created since takes messages at once.
    expect(await answerOf(send('gamma'))).toMatchObject({ status: 404 });
    await service.create({ name: 'Gamma', uid: 'gamma' }, { get_if_exists: 'false' });
    expect((await send('gamma')).name).toBe('Gamma');

    await service.patch(admin, ALPHA, { uid: 'renamed' });
    expect(await answerOf(send('alpha'))).toMatchObject({ status: 404 });
    expect((await send('renamed')).id).toBe(ALPHA);
    await service.remove(admin, ALPHA);
    expect(await answerOf(send('renamed'))).toMatchObject({ status: 404 });
  });

  it("lets only the admin token set or change a uid: to an application's key it is read-only, taken or free alike", async () => {
    const key = { kind: 'application', applicationId: ALPHA } as const;
    const refused = { status: 403, body: { code: 'forbidden', detail: "an application's uid is set or changed with the admin token only" } };
    expect(await answerOf(service.patch(key, ALPHA, { uid: 'taken-by-someone' }))).toEqual(refused);
    expect(await answerOf(service.patch(key, ALPHA, { uid: 'free' }))).toEqual(refused);
    expect(await answerOf(service.patch(key, ALPHA, { uid: null }))).toEqual(refused);
    expect(await answerOf(service.replace(key, ALPHA, { name: 'Alpha', uid: 'other' }))).toEqual(refused);
    // Left out (a PUT too) or given unchanged, it stays as it is.
    expect(await service.replace(key, ALPHA, { name: 'Alpha 2' })).toMatchObject({ created: false, resource: { name: 'Alpha 2', uid: 'alpha' } });
    expect(await service.patch(key, ALPHA, { name: 'Alpha 3', uid: 'alpha' })).toMatchObject({ name: 'Alpha 3', uid: 'alpha' });
    expect(await service.patch({ kind: 'admin' }, ALPHA, { uid: 'renamed' })).toMatchObject({ uid: 'renamed' });
  });

  it("answers 404, never 403, for another tenant's application, and lets the admin see every one", async () => {
    expect(await answerOf(service.get({ kind: 'application', applicationId: BETA }, ALPHA))).toEqual({ status: 404, body: { code: 'not_found', detail: 'application not found' } });
    expect((await service.get({ kind: 'admin' }, ALPHA)).name).toBe('Alpha');
  });

  it('resets what a PUT leaves out, changes only what a PATCH names, and answers in the svix shape', async () => {
    const patched = await service.patch({ kind: 'admin' }, BETA, { name: 'Beta 2' });
    expect(patched).toEqual({ id: BETA, uid: ALPHA.toUpperCase(), name: 'Beta 2', metadata: { tier: 'gold' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(await service.replace({ kind: 'admin' }, BETA, { name: 'Beta 3' })).toMatchObject({ created: false, resource: { name: 'Beta 3', uid: null, metadata: {} } });
  });

  it("creates the application along with a request for the admin token alone, under the path's key", async () => {
    expect(await service.resolveOrCreate({ kind: 'admin' }, 'alpha', { name: 'ignored: alpha exists' })).toMatchObject({ id: ALPHA, name: 'Alpha' });
    expect(await service.resolveOrCreate({ kind: 'admin' }, 'gamma', { name: 'Gamma' })).toMatchObject({ uid: 'gamma', name: 'Gamma' });
    expect(await answerOf(service.resolveOrCreate({ kind: 'application', applicationId: ALPHA }, 'delta', { name: 'Delta' }))).toMatchObject({ status: 404 });
    expect(rows.map((row) => row.uid)).toEqual(['alpha', ALPHA.toUpperCase(), 'gamma']);
  });

  it("answers the existing application for getOrCreate, and upserts on PUT only with the admin token", async () => {
    expect(await service.create({ name: 'Again', uid: 'alpha' }, { get_if_exists: 'true' })).toMatchObject({ created: false, resource: { id: ALPHA, name: 'Alpha' } });
    expect(await service.replace({ kind: 'admin' }, 'epsilon', { name: 'Epsilon' })).toMatchObject({ created: true, resource: { uid: 'epsilon', name: 'Epsilon' } });
    expect(await service.replace({ kind: 'admin' }, 'epsilon', { name: 'Epsilon 2' })).toMatchObject({ created: false, resource: { uid: 'epsilon', name: 'Epsilon 2' } });
    expect(await answerOf(service.replace({ kind: 'application', applicationId: ALPHA }, 'zeta', { name: 'Zeta' }))).toMatchObject({ status: 404 });
    expect(rows.map((row) => row.uid)).toEqual(['alpha', ALPHA.toUpperCase(), 'epsilon']);
  });

  it("keeps an app-portal session to its own application, as an application's key", async () => {
    const portal = { kind: 'portal', applicationId: BETA, tokenHash: 'h', featureFlags: [] } as const;
    expect(await answerOf(service.get(portal, 'alpha'))).toMatchObject({ status: 404 });
    expect((await service.get(portal, BETA)).name).toBe('Beta');
  });
});
