import { type Counter, type Histogram, metrics, type ObservableGauge } from '@opentelemetry/api';

/** Hookline's instruments, created once per process from the global meter. */
export interface HooklineMetrics {
  /** Delivery attempts, by outcome (success, failure) and status class (2xx…5xx, or none). */
  attempts: Counter;
  /** Seconds from the event being accepted to its successful delivery. */
  deliveryLatency: Histogram;
  /** Tasks sent to the dead-letter topic. */
  deadLetters: Counter;
  /** Tasks that repeat an attempt already made and recorded (read again, made again upstream, or a copy back from a retry tier), by how it went: not sent twice. */
  repeatsSkipped: Counter;
  /** Duration of API requests, by method, route and status. */
  httpServerDuration: Histogram;
  /** Records not yet committed by the consumer group, by topic (for retry tiers: tasks waiting). */
  consumerLag: ObservableGauge;
}

let instruments: HooklineMetrics | null = null;

export function hooklineMetrics(): HooklineMetrics {
  if (instruments) return instruments;
  const meter = metrics.getMeter('hookline');
  instruments = {
    attempts: meter.createCounter('hookline.delivery.attempts', { description: 'Delivery attempts by outcome and HTTP status class' }),
    deliveryLatency: meter.createHistogram('hookline.delivery.latency', {
      description: 'Seconds from event accepted to delivered',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 43200, 172800] },
    }),
    deadLetters: meter.createCounter('hookline.dead_letters', { description: 'Deliveries dead-lettered after the retry window' }),
    repeatsSkipped: meter.createCounter('hookline.delivery.repeats_skipped', { description: 'Tasks repeating an attempt already made and recorded, not sent again' }),
    httpServerDuration: meter.createHistogram('http.server.request.duration', { description: 'Duration of HTTP server requests', unit: 's' }),
    consumerLag: meter.createObservableGauge('hookline.consumer.lag', { description: 'Records not yet committed by the consumer group, per topic' }),
  };
  return instruments;
}

/** The status class label of a response: `2xx`…`5xx`, or `none` when no response came. */
export function statusClass(statusCode: number | null): string {
  return statusCode === null ? 'none' : `${Math.floor(statusCode / 100)}xx`;
}
