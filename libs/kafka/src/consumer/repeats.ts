import { REPEAT_HEADER } from '@hookline/contracts';
import type { ConsumedMessage } from './kafka-server.base.js';

/** Whether the record may repeat one handled before: read again after a rebalance or a crash, or marked so by its producer (REPEAT_HEADER). */
export function mayRepeat(record: ConsumedMessage): boolean {
  return record.redelivered || record.headers[REPEAT_HEADER] !== undefined;
}

/** The headers that mark a record as a possible repeat (REPEAT_HEADER). */
export const REPEAT_HEADERS = { [REPEAT_HEADER]: '1' } as const;
