import { Application, dataSourceOptions, Message, MessageEndpoint } from '@hookline/database';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { selectMessage } from '../../apps/ingest/src/messages/messages.repository.js';
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
});
