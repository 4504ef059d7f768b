import { kafkajsInternal } from '../kafkajs-internals.js';

/** With gathering, the broker answers a fetch early once this much has gathered. */
const FETCH_GATHER_BYTES = 64 * 1024;

/** The parts of kafkajs's ConsumerGroup (src/consumer/consumerGroup) a fetch reads. */
interface ConsumerGroupState {
  groupId: string;
  maxWaitTime: number;
  minBytes: number;
  fetch(nodeId: number): Promise<Array<{ isEmpty(): boolean }>>;
}

/** Consumer groups that gather their fetches, and for how long. */
const gatherMsByGroup = new Map<string, number>();
/** Each consumer's fetch settings as kafkajs was given them: what an idle fetch uses. */
const idleSettings = new WeakMap<ConsumerGroupState, { maxWaitTime: number; minBytes: number }>();
let installed = false;

/**
 * The consumers of `groupId` let the broker hold a fetch for up to `gatherMs` while records
 * gather (up to FETCH_GATHER_BYTES), as long as the fetch before brought records; after a fetch
 * that brought none, the next one is answered as soon as one record is there, as kafkajs was
 * configured. So a busy consumer fetches at most every `gatherMs`, many records at a time, where
 * it would fetch again for every few records a producer sends in small requests; an idle one
 * neither polls more often nor holds the first record that comes. kafkajs 2.2.4 only (its
 * ConsumerGroup's fetch reads these settings from the instance on every fetch); with another
 * version nothing changes. ADR 22.
 */
export function gatherFetches(groupId: string, gatherMs: number): void {
  gatherMsByGroup.set(groupId, gatherMs);
  if (installed) return;
  installed = true;
  const ConsumerGroup = kafkajsInternal<{ prototype: ConsumerGroupState }>('src/consumer/consumerGroup.js');
  if (!ConsumerGroup) return;
  const fetch = ConsumerGroup.prototype.fetch;
  ConsumerGroup.prototype.fetch = async function (this: ConsumerGroupState, nodeId: number) {
    const gatherMs = gatherMsByGroup.get(this.groupId);
    if (gatherMs === undefined) return fetch.call(this, nodeId);
    let idle = idleSettings.get(this);
    if (!idle) idleSettings.set(this, (idle = { maxWaitTime: this.maxWaitTime, minBytes: this.minBytes }));
    const batches = await fetch.call(this, nodeId);
    const brought = batches.some((batch) => !batch.isEmpty());
    this.maxWaitTime = brought ? gatherMs : idle.maxWaitTime;
    this.minBytes = brought ? FETCH_GATHER_BYTES : idle.minBytes;
    return batches;
  };
}
