import type { DeadLetter } from '../shared/api';

/**
 * The replay requests for the dead letters picked: one per endpoint, naming its messages. A
 * request naming only messages would replay them on every endpoint where they died, picked or not.
 */
export function replaysOf(letters: DeadLetter[]): Array<{ endpointId: string; msgIds: string[] }> {
  const byEndpoint = new Map<string, string[]>();
  for (const letter of letters) byEndpoint.set(letter.endpointId, [...(byEndpoint.get(letter.endpointId) ?? []), letter.msgId]);
  return [...byEndpoint].map(([endpointId, msgIds]) => ({ endpointId, msgIds }));
}
