import type { Application, Message } from '@hookline/database';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { Principal } from '../../src/auth/principal.js';
import { ApplicationGoneError, MessageService, UnstorableMessageError } from '../../src/messages/message.service.js';
import type { MessagesRepository } from '../../src/messages/messages.repository.js';
import { answerOf, FakeProducer, ingestConfig, quietLogger } from '../fakes.js';

/** The messages table and its outbox, in memory, keeping the repository's contract: no row for a repeated eventId or a deleted application. */
class InMemoryMessages {
  readonly rows = new Map<string, Message>();
  readonly outbox = new Set<string>();
  /** The outbox rows an ingest-topic record owns (the relay leaves them alone). */
  readonly ownedByRecords = new Set<string>();
  /** Thrown by outbox deletes, as when the database went away after the emit. */
  deletesDown: Error | null = null;
  readonly applications = new Set<string>();
  readonly insertBatches: number[] = [];
  /** Thrown by any insert that holds a message with this payload marker, as PostgreSQL fails the whole statement. */
  refuse: { marker: string; error: Error } | null = null;
  /** Thrown by every insert, as when the database is away. */
  down: Error | null = null;

  async insertNew(batch: readonly Message[], fromIngestTopic: ReadonlySet<string> = new Set()): Promise<Set<string>> {
    this.insertBatches.push(batch.length);
    if (this.down) throw this.down;
    if (this.refuse && batch.some((message) => message.payload?.marker === this.refuse!.marker)) throw this.refuse.error;
    const inserted = new Set<string>();
    for (const message of batch) {
      const repeated = message.eventId !== null && [...this.rows.values()].some((row) => row.applicationId === message.applicationId && row.eventId === message.eventId);
      if (repeated || !this.applications.has(message.applicationId)) continue;
      this.rows.set(message.id, message);
      this.outbox.add(message.id);
      if (fromIngestTopic.has(message.id)) this.ownedByRecords.add(message.id);
      inserted.add(message.id);
    }
    return inserted;
  }

  async findByEventId(keys: ReadonlyArray<{ applicationId: string; eventId: string }>): Promise<Message[]> {
    return [...this.rows.values()].filter((row) => keys.some((key) => key.applicationId === row.applicationId && key.eventId === row.eventId));
  }

  async inOutbox(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.outbox.has(id)));
  }

  async takeOutOfOutbox(ids: readonly string[]): Promise<void> {
    if (this.deletesDown) throw this.deletesDown;
    for (const id of ids) this.outbox.delete(id);
  }

  async findIn(applicationId: string, idOrEventId: string): Promise<Message | null> {
    return [...this.rows.values()].find((row) => row.applicationId === applicationId && (row.id === idOrEventId || row.eventId === idOrEventId)) ?? null;
  }
}

const APP = '0190a000-0000-7000-8000-000000000001';
const admin: Principal = { kind: 'admin' };

/** Applications by id, as ApplicationsService finds and resolves them. */
function applications(known: InMemoryMessages) {
  const acme = { id: APP, uid: 'acme' } as Application;
  const byKey = new Map<string, Application>([
    [APP, acme],
    ['acme', acme],
  ]);
  const fake = {
    inserted: [] as Array<{ uid?: string | null }>,
    find: async (key: string) => byKey.get(key) ?? null,
    resolve: async (principal: Principal, key: string) => {
      const application = byKey.get(key);
      if (!application || (principal.kind === 'application' && principal.applicationId !== application.id)) throw new Error(`no application ${key}`);
      return application;
    },
    // As ApplicationsService.resolveOrCreate: the admin token creates an unknown application under the path's key.
    resolveOrCreate: async (principal: Principal, key: string, create: { name: string; uid?: string | null } | null | undefined) => {
      if (!create || principal.kind !== 'admin' || byKey.has(key)) return fake.resolve(principal, key);
      fake.inserted.push({ ...create, uid: create.uid ?? key });
      const application = { id: '0190a000-0000-7000-8000-0000000000ff', uid: create.uid ?? key } as Application;
      known.applications.add(application.id);
      byKey.set(application.uid!, application);
      return application;
    },
  };
  return fake;
}

describe('MessageService', () => {
  let repository: InMemoryMessages;
  let producer: FakeProducer;
  let apps: ReturnType<typeof applications>;
  let service: MessageService;
  const event = { eventType: 'order.shipped', payload: { order: 1 } };

  beforeEach(() => {
    repository = new InMemoryMessages();
    repository.applications.add(APP);
    producer = new FakeProducer();
    apps = applications(repository);
    service = new MessageService(ingestConfig(), repository as unknown as MessagesRepository, apps as unknown as ApplicationsService, producer.asProducer(), quietLogger);
  });

  it('stores a new message, emits it to the events topic keyed by application, then takes it out of the outbox', async () => {
    const { message, created } = await service.accept(APP, { ...event, eventId: 'evt-1', channels: ['eu'] });
    expect(created).toBe(true);
    expect(repository.rows.get(message.id)).toBe(message);
    expect(producer.sent.map((send) => ({ topic: send.topic, keys: send.messages.map((m) => m.key) }))).toEqual([{ topic: 'unit.events', keys: [APP] }]);
    expect(producer.values('unit.events')).toEqual([
      { messageId: message.id, applicationId: APP, eventType: 'order.shipped', eventId: 'evt-1', channels: ['eu'], payload: { order: 1 }, createdAt: message.createdAt.toISOString() },
    ]);
    // The outbox row goes in a batch of its own, after the emit.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(repository.outbox.has(message.id)).toBe(false);
  });

  it('answers a repeated eventId with the earlier message, and does not emit it again once it was emitted', async () => {
    const first = await service.accept(APP, { ...event, eventId: 'evt-1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await service.accept(APP, { ...event, payload: { order: 2 }, eventId: 'evt-1' });
    expect(again).toEqual({ message: first.message, created: false });
    expect(repository.rows.size).toBe(1);
    expect(producer.values('unit.events')).toHaveLength(1);
  });

  it('emits an earlier message with the same eventId again while it is still in the outbox (its first emit failed)', async () => {
    producer.failing = new Error('broker down');
    await expect(service.accept(APP, { ...event, eventId: 'evt-1' })).rejects.toThrow('broker down');
    const [stored] = repository.rows.values();
    expect(repository.outbox.has(stored!.id)).toBe(true);

    producer.failing = null;
    const retried = await service.accept(APP, { ...event, eventId: 'evt-1' });
    expect(retried).toEqual({ message: stored, created: false });
    expect(producer.values('unit.events')).toEqual([expect.objectContaining({ messageId: stored!.id, eventId: 'evt-1' })]);
  });

  it("marks an ingest-topic record's outbox row as the record's, and resolves only once the row is gone (the record's commit must not come first)", async () => {
    const fromApi = await service.accept(APP, { ...event, eventId: 'api' });
    const fromTopic = await service.accept(APP, { ...event, eventId: 'topic' }, {});
    expect(repository.ownedByRecords).toEqual(new Set([fromTopic.message.id]));
    expect(repository.outbox.has(fromTopic.message.id)).toBe(false);
    expect(fromApi.created).toBe(true);

    // The delete failed after the emit: the record fails, is handled again, emits again and then takes the row out.
    repository.deletesDown = new Error('the database system is shutting down');
    await expect(service.accept(APP, { ...event, eventId: 'topic-2' }, {})).rejects.toThrow('shutting down');
    // The API's send does not wait for the delete: the relay emits what the delete left.
    await expect(service.accept(APP, { ...event, eventId: 'api-2' })).resolves.toMatchObject({ created: true });
    repository.deletesDown = null;
    const again = await service.accept(APP, { ...event, eventId: 'topic-2' }, {});
    expect(again.created).toBe(false);
    expect(repository.outbox.has(again.message.id)).toBe(false);
    expect((producer.values('unit.events') as Array<{ eventId: string }>).filter((value) => value.eventId === 'topic-2')).toHaveLength(2);
  });

  it("emits an ordered ingest-topic record's message only at its turn", async () => {
    let open!: () => void;
    const turn = new Promise<void>((resolve) => (open = resolve));
    const accepted = service.accept(APP, { ...event, eventId: 'ordered' }, { turn: () => turn });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [stored] = repository.rows.values();
    expect(stored).toBeDefined();
    expect(producer.values('unit.events')).toEqual([]);
    open();
    await accepted;
    expect(producer.values('unit.events')).toEqual([expect.objectContaining({ eventId: 'ordered' })]);
  });

  it('refuses a message whose application was deleted before the insert, without failing the others of its batch', async () => {
    const gone = '0190a000-0000-7000-8000-000000000002';
    const [lost, kept] = await Promise.allSettled([service.accept(gone, event), service.accept(APP, event)]);
    expect(lost).toEqual({ status: 'rejected', reason: expect.any(ApplicationGoneError) });
    expect(kept).toEqual({ status: 'fulfilled', value: expect.objectContaining({ created: true }) });
    // Both went to the database together, in one statement.
    expect(repository.insertBatches).toEqual([2]);
    expect(producer.values('unit.events')).toEqual([expect.objectContaining({ applicationId: APP })]);
  });

  it('stores every other message of a batch when the database refuses one of them, and fails that one alone (422 on the API)', async () => {
    repository.refuse = { marker: 'poison', error: Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }) };
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 6 }, (_, index) => service.accept(APP, { ...event, eventId: `good-${index}` })),
      service.accept(APP, { eventType: 'order.shipped', payload: { marker: 'poison' } }),
      ...Array.from({ length: 6 }, (_, index) => service.accept(APP, { ...event, eventId: `late-${index}` })),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(12);
    expect(outcomes[6]).toEqual({ status: 'rejected', reason: expect.any(UnstorableMessageError) });
    expect((outcomes[6] as PromiseRejectedResult).reason.message).toBe('the database cannot store this message: unsupported Unicode escape sequence');
    expect(repository.rows.size).toBe(12);
    // One statement for all 13, then halves down to the one that fails.
    expect(repository.insertBatches[0]).toBe(13);
    expect(await answerOf(service.create(admin, APP, { eventType: 'order.shipped', payload: { marker: 'poison' } }))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body'], msg: 'the database cannot store this message: unsupported Unicode escape sequence', type: 'unstorable' }] },
    });
  });

  it('fails the whole batch, to be retried, when the database is away', async () => {
    repository.down = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const outcomes = await Promise.allSettled([service.accept(APP, event), service.accept(APP, event)]);
    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason)).toEqual([repository.down, repository.down]);
    expect(repository.insertBatches).toEqual([2]);
  });

  it('answers the API with 409 for an eventId the application already sent', async () => {
    const first = await service.create(admin, APP, { ...event, eventId: 'evt-1' });
    expect(first).toMatchObject({ eventId: 'evt-1', payload: { order: 1 } });
    expect(await answerOf(service.create(admin, 'acme', { ...event, eventId: 'evt-1' }))).toEqual({
      status: 409,
      body: { code: 'conflict', detail: `a message with eventId "evt-1" already exists: ${first.id}` },
    });
  });

  it("creates the application along with the message for the admin token, under the path's uid", async () => {
    const created = await service.create(admin, 'new-tenant', { ...event, application: { name: 'New tenant' } });
    expect(apps.inserted).toEqual([{ name: 'New tenant', uid: 'new-tenant' }]);
    expect(repository.rows.get(created.id)?.applicationId).toBe('0190a000-0000-7000-8000-0000000000ff');
  });

  it("never creates an application for an application's key: the unknown one is refused", async () => {
    const key: Principal = { kind: 'application', applicationId: APP };
    await expect(service.create(key, 'new-tenant', { ...event, application: { name: 'New tenant' } })).rejects.toThrow('no application new-tenant');
    expect(apps.inserted).toEqual([]);
    expect(repository.rows.size).toBe(0);
  });
});
