/**
 * A task waiting in a retry tier carries the delivery task as its value (see deliveryTask) and
 * these headers, so the retry service can schedule it without parsing the value.
 */
export const RETRY_HEADERS = {
  attempt: 'hookline-attempt',
  firstAttemptAt: 'hookline-first-attempt-at',
  dueAt: 'hookline-due-at',
  lastError: 'hookline-last-error',
  /** Set on a task postponed without an attempt (rate limit, open circuit): why. */
  deferred: 'hookline-deferred',
} as const;
