import { kafkajsInternal } from '../kafkajs-internals.js';

/** kafkajs's own wait before it looks at requests held back while throttled or at its in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The parts of kafkajs's RequestQueue (src/network/requestQueue) its scheduling uses. */
interface RequestQueueState {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

let corrected = false;

/**
 * kafkajs 2.2.4 looks at each connection's queue of held-back requests every millisecond for as
 * long as the connection is open, whether anything is held back or not: unthrottled, its next
 * check is due at a negative delay, which Node runs after 1 ms (and, on Node 24, warns about:
 * TimeoutNegativeWarning), and each check schedules the next (tulios/kafkajs#1704, #1556; the
 * fixes proposed upstream are unreleased). With a handful of connections per service that was
 * about 2% of a core per process, traffic or not (docs/performance.md, "kafkajs's idle loop").
 * Here a check is scheduled only when there is something to check: a request held back (as
 * before: after the throttle, or in 10 ms) or a throttle running out. Nothing else changes: a
 * request that completes still sends the held-back ones at once. Once per process; ADR 21.
 */
export function stopIdleRequestQueuePolling(): void {
  if (corrected) return;
  corrected = true;
  const RequestQueue = kafkajsInternal<{ prototype: RequestQueueState & { scheduleCheckPendingRequests(): void } }>('src/network/requestQueue/index.js');
  if (!RequestQueue) return;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && untilUnthrottled <= 0) return;
    const delay = this.pending.length > 0 && untilUnthrottled <= 0 ? CHECK_PENDING_REQUESTS_INTERVAL_MS : untilUnthrottled;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
