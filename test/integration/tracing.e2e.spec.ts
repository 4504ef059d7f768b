import { startTelemetry } from '@hookline/telemetry';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/env.js';
import { usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

describe('one trace per event across every hop', () => {
  const exporter = new InMemorySpanExporter();
  // Before the services start, so that they trace into the exporter.
  beforeAll(() => void startTelemetry('hookline-test', { spanExporter: exporter }));
  const ctx = usePipeline('trace', { env: { HOOKLINE_RETRY_SCHEDULE: '1s', HOOKLINE_RETRY_JITTER: '0' } });
  const receiver = useReceiver();

  const service = (span: ReadableSpan) => span.attributes['hookline.service'];
  const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('links the API request, fanout, both delivery attempts and the retry, correctly parented', async () => {
    const { svix } = ctx;
    const eventType = `trace.test.${randomUUID().slice(0, 8)}`;
    await svix.eventType.create({ name: eventType, description: 'traced' });
    const app = await svix.application.create({ name: 'Traced' });
    await svix.endpoint.create(app.id, { url: receiver.url('/traced') });
    let calls = 0;
    receiver.respond = () => ({ status: ++calls === 1 ? 500 : 200 });
    exporter.reset();

    const message = await svix.message.create(app.id, { eventType, payload: { traced: true } });
    await eventually(() => expect(receiver.on('/traced')).toHaveLength(2), 20_000);

    const trace = await eventually(() => {
      const root = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER && span.name.startsWith('POST') && span.name.endsWith('/msg'));
      expect(root).toBeDefined();
      const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === root!.spanContext().traceId);
      // Both attempts' client spans are finished and recorded.
      expect(spans.filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(2);
      expect(spans.filter((span) => span.name.includes('deliveries') && span.kind === SpanKind.CONSUMER && service(span) === 'delivery')).toHaveLength(2);
      // The delivered message's outcome record, sent once its final attempt is recorded.
      expect(spans.filter((span) => span.kind === SpanKind.PRODUCER && span.name.endsWith('.outcomes'))).toHaveLength(1);
      return { root: root!, spans };
    }, 10_000);

    const { spans } = trace;
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const consumers = spans.filter((span) => span.kind === SpanKind.CONSUMER);
    expect(new Set(consumers.map(service))).toEqual(new Set(['fanout', 'delivery', 'retry']));

    // Every consumer span's parent is the producer span that sent its record.
    for (const consumer of consumers) {
      const parent = byId.get(parentId(consumer)!);
      expect({ consumer: consumer.name, parentKind: parent?.kind }).toEqual({ consumer: consumer.name, parentKind: SpanKind.PRODUCER });
      expect(parent!.attributes['messaging.destination.name']).toBe(consumer.attributes['messaging.destination.name']);
    }
    // ingest's send hangs under the API request span; fanout's under its consumer span; and so on.
    const producers = spans.filter((span) => span.kind === SpanKind.PRODUCER);
    expect(producers.map((span) => `${service(span)}:${(span.name.match(/\.(\w+(\.\w+)?)$/) ?? [])[1]}`).sort()).toEqual(
      ['delivery:outcomes', 'delivery:retry.1s', 'fanout:deliveries', 'ingest:events', 'retry:deliveries'].sort(),
    );
    for (const producer of producers) {
      const parent = byId.get(parentId(producer)!);
      expect(parent?.kind).toBe(service(producer) === 'ingest' ? SpanKind.SERVER : SpanKind.CONSUMER);
    }
    // Each HTTP attempt is a client span inside a delivery consumer span, attributed to the message.
    const attempts = spans.filter((span) => span.kind === SpanKind.CLIENT);
    for (const attempt of attempts) expect(byId.get(parentId(attempt)!)?.attributes['hookline.message_id']).toBe(message.id);
    expect(attempts.map((span) => span.attributes['http.response.status_code']).sort()).toEqual([200, 500]);
    const deliveries = consumers.filter((span) => service(span) === 'delivery');
    expect(deliveries.map((span) => span.attributes['hookline.attempt']).sort()).toEqual([1, 2]);
    expect(spans.some((span) => span.name === 'retry wait' && service(span) === 'retry')).toBe(true);
  });
});
