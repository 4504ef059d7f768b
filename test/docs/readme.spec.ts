import { TOPICS } from '@hookline/contracts';
import type { ServiceSpec, SubscriptionSource } from '@hookline/service';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { service as delivery } from '../../apps/delivery/src/service.js';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { service as ingest } from '../../apps/ingest/src/service.js';
import { service as retry } from '../../apps/retry/src/service.js';
import { ROOT } from '../deploy/manifests.js';

/** The README's ACL table is what a platform team grants: it must be what the services use. */

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** A subscription source as the README names the topic(s). */
const named = (source: SubscriptionSource) => (source === 'retryTiers' ? '`<prefix>.retry.` (prefixed)' : `\`<prefix>.${TOPICS[source]}\``);

it('grants each service exactly the topics and group it reads and writes', () => {
  const rows = section('Topics and ACLs')
    .split('\n')
    .filter((line) => /^\| (ingest|fanout|delivery|retry) \|/.test(line))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const expected = ([ingest, fanout, delivery, retry] as ServiceSpec[]).map((spec) => [
    spec.service,
    spec.consumer!.subscriptions.map((subscription) => named(subscription.source)).join(', '),
    spec.produces.map(named).join(', '),
    `\`<prefix>.${spec.consumer!.groupId}\``,
  ]);
  expect(rows).toEqual(expected);
});
