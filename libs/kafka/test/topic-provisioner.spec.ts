import type { Admin, Kafka } from 'kafkajs';
import { ensureTopics } from '../src/topic-provisioner.js';

/** An admin client over an in-memory broker whose first CreateTopics creates the topics but fails on the client (a timed-out wait for leaders). */
function flakyAdmin(existing: string[]) {
  const topics = new Set(existing);
  let creates = 0;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [...topics],
    fetchTopicMetadata: async () => ({ topics: [] }),
    createTopics: async ({ topics: requested }: { topics: Array<{ topic: string }> }) => {
      for (const { topic } of requested) topics.add(topic);
      if (++creates === 1) throw new Error('timed out waiting for leaders');
      return true;
    },
  };
  return { admin: admin as unknown as Admin, creates: () => creates };
}

describe('ensureTopics', () => {
  it('answers as created a topic its failed first request made, which the retry then finds', async () => {
    const { admin, creates } = flakyAdmin(['t.old']);
    const specs = ['t.old', 't.new'].map((name) => ({ name, partitions: 1, retentionMs: 1_000 }));
    expect(await ensureTopics({} as Kafka, specs, admin)).toEqual(['t.new']);
    expect(creates()).toBe(1);
  });
});
