import { Application, dataSourceOptions, Message, MessageEndpoint } from '@hookline/database';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MessagesRepository, PAGE_PAYLOAD_BYTES, selectMessage } from '../../apps/ingest/src/messages/messages.repository.js';
import { isolatedDatabase, migrate } from '../support/env.js';

// Listings that show no payload do not read it from PostgreSQL: a page of large payloads, parsed
// into objects, could take an ingest instance's memory only to be dropped.
describe('selectMessage against the real PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dataSource: DataSource;
  let messageId: string;

  beforeAll(async () => {
    database = await isolatedDatabase('listings');
    await migrate(database.url);
    dataSource = await new DataSource(dataSourceOptions(database.url, { poolSize: 2 })).initialize();
    const application = await dataSource.getRepository(Application).save({ name: 'Listings' });
    messageId = uuidv7();
    await dataSource.getRepository(Message).save({ id: messageId, applicationId: application.id, eventType: 'invoice.paid', payload: { amount: 10 } });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('reads a message without its payload when asked to, and with it otherwise', async () => {
    const messages = (withPayload: boolean) => selectMessage(dataSource.getRepository(Message).createQueryBuilder('msg'), 'msg', withPayload).where('msg.id = :messageId', { messageId });
    expect(messages(false).getQuery()).not.toMatch(/payload/);
    const [without] = await messages(false).getMany();
    expect(without).toMatchObject({ id: messageId, eventType: 'invoice.paid' });
    expect(without!.payload).toBeUndefined();
    const [withIt] = await messages(true).getMany();
    expect(withIt!.payload).toEqual({ amount: 10 });
  });

  it('selects a joined message the same way', async () => {
    const statuses = (withPayload: boolean) => selectMessage(dataSource.getRepository(MessageEndpoint).createQueryBuilder('status').innerJoin('status.message', 'message'), 'message', withPayload);
    expect(statuses(false).getQuery()).not.toMatch(/payload/);
    expect(statuses(true).getQuery()).toMatch(/"message"\."payload"/);
    // Runs as SQL PostgreSQL accepts (no status rows here, so no rows back).
    await expect(statuses(false).getMany()).resolves.toEqual([]);
  });

  it('cuts a page with content where its payloads pass the page budget, and the next page goes on from there', async () => {
    const app = await dataSource.getRepository(Application).save({ name: 'Large payloads' });
    // Each payload a little under half the budget: two fit in a page, the third does not.
    const big = (n: number) => ({ n, s: 'x'.repeat(Math.floor(PAGE_PAYLOAD_BYTES / 2) - 100) });
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    for (const [n, id] of ids.entries()) await dataSource.getRepository(Message).save({ id, applicationId: app.id, eventType: 'large', payload: big(n) });
    const repository = new MessagesRepository(dataSource.getRepository(Message), dataSource.getRepository(MessageEndpoint));
    const pageOf = async (iterator?: string) => {
      const query = { limit: 10, order: 'ascending' as const, iterator };
      return repository.withPayloads(await repository.page(app.id, {}, query), (message) => message, query);
    };
    const idsOf = (page: { data: Message[] }) => page.data.map((message) => message.id);

    const first = await pageOf();
    expect(idsOf(first)).toEqual(ids.slice(0, 2));
    expect(first.data.map((message) => (message.payload as { n: number }).n)).toEqual([0, 1]);
    expect(first).toMatchObject({ iterator: ids[1], done: false });
    const second = await pageOf(first.iterator!);
    expect(idsOf(second)).toEqual(ids.slice(2));
    expect(second.done).toBe(true);
    // Backward from the last one: the two nearest it fit, the oldest is left for the page before that.
    const back = await pageOf(`-${ids[3]}`);
    expect(idsOf(back)).toEqual(ids.slice(1, 3));
    expect(back).toMatchObject({ prevIterator: `-${ids[1]}`, done: false });
    expect(idsOf(await pageOf(back.prevIterator!))).toEqual([ids[0]]);
    // A message larger than the budget alone still comes back, on a page of its own.
    await dataSource.getRepository(Message).update({ id: ids[2] }, { payload: { n: 2, s: 'y'.repeat(PAGE_PAYLOAD_BYTES + 10) } });
    expect(idsOf(await pageOf(first.iterator!))).toEqual([ids[2]]);
  });
});
