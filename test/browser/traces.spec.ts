import { startTelemetry } from '@hookline/telemetry';
import { randomUUID } from 'node:crypto';
import { Svix } from 'svix';
import { apiClient } from '../support/api-client.js';
import { expectCleanPages, requireBuiltConsole, screenshot, useBrowserPage } from '../support/browser.js';
import { eventually } from '../support/env.js';
import { type Jaeger, startJaeger } from '../support/jaeger.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';
import { type ServiceProcess, startServiceProcess, waitReady } from '../support/service-process.js';

interface TraceSpan {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  offsetMs: number;
  durationMs: number;
  error: boolean;
}
interface MessageTraces {
  data: Array<{ traceId: string; link: string | null; spans: TraceSpan[] | null; detail: string | null }>;
}

/**
 * A message's trace, end to end: the four services export their spans to a real Jaeger (ingest in
 * this process, fanout, delivery and retry as processes of their own, so each under its own
 * service name), ingest reads them back from Jaeger's query API for the console, and the console
 * draws them in Chromium.
 */
describe('traces in the console, from a real Jaeger', () => {
  const eventType = `traced.order.${randomUUID().slice(0, 8)}`;
  let jaeger: Jaeger;
  let pipeline: Pipeline;
  let receiver: Receiver;
  const services: ServiceProcess[] = [];
  const browser = useBrowserPage();
  let appId: string;
  let msgId: string;
  let traceId: string;

  beforeAll(async () => {
    jaeger = await startJaeger();
    // Spans leave every process within a fifth of a second, not the default five.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_BSP_SCHEDULE_DELAY: '200' };
    Object.assign(process.env, otel);
    startTelemetry('hookline-ingest');
    pipeline = await startPipeline(
      'traces',
      { HOOKLINE_RETRY_SCHEDULE: '1s', HOOKLINE_RETRY_JITTER: '0', HOOKLINE_TRACE_QUERY_URL: jaeger.queryUrl, HOOKLINE_TRACE_LINK: 'https://traces.example.com/trace/{traceId}?from=hookline' },
      ['ingest'],
    );
    for (const service of ['fanout', 'delivery', 'retry'] as const) services.push(await startServiceProcess(service, { ...pipeline.env, ...otel }));
    await Promise.all(services.map((service) => waitReady(service, 60_000)));
    await requireBuiltConsole(pipeline.apiUrl);
    receiver = await new Receiver().start();
  }, 180_000);

  afterAll(async () => {
    for (const service of services) service.process.kill('SIGTERM');
    await Promise.all(services.map((service) => service.exited));
    await pipeline?.stop();
    await receiver?.stop();
    await jaeger?.stop();
  });

  const admin = () => apiClient(pipeline.apiUrl, pipeline.adminToken);
  const tracePath = () => `/api/v1/app/${appId}/msg/${msgId}/trace`;

  it('keeps the trace id with the message and its attempts, and reads the spans of every service back from Jaeger', async () => {
    const svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    await svix.eventType.create({ name: eventType, description: 'A traced order' });
    appId = (await svix.application.create({ name: 'Traced shop' })).id;
    await svix.endpoint.create(appId, { url: receiver.url('/traced') });
    // The first attempt fails, so the retry service takes part in the trace.
    let calls = 0;
    receiver.respond = () => ({ status: ++calls === 1 ? 500 : 200 });
    msgId = (await svix.message.create(appId, { eventType, payload: { order: 42 } })).id;
    await eventually(() => expect(receiver.on('/traced')).toHaveLength(2), 30_000);

    const message = await admin().get<{ traceId: string | null }>(`/api/v1/app/${appId}/msg/${msgId}`);
    expect(message.body.traceId).toMatch(/^[0-9a-f]{32}$/);
    traceId = message.body.traceId!;
    const attempts = await eventually(async () => {
      const reply = await admin().get<{ data: Array<{ traceId: string | null }> }>(`/api/v1/app/${appId}/attempt/msg/${msgId}`);
      expect(reply.body.data).toHaveLength(2);
      return reply.body.data;
    });
    // One event, one trace: both attempts (the second after the retry tier) were made in it.
    expect(attempts.map((attempt) => attempt.traceId)).toEqual([traceId, traceId]);

    const traces = await eventually(async () => {
      const reply = await admin().get<MessageTraces>(tracePath());
      expect(reply.status).toBe(200);
      const [trace] = reply.body.data;
      expect(trace).toMatchObject({ traceId, link: `https://traces.example.com/trace/${traceId}?from=hookline`, detail: null });
      // Both attempts' HTTP requests, in delivery's process, are in Jaeger.
      expect(trace!.spans!.filter((span) => span.service === 'hookline-delivery' && span.name === 'POST')).toHaveLength(2);
      expect(new Set(trace!.spans!.map((span) => span.service))).toEqual(new Set(['hookline-ingest', 'hookline-fanout', 'hookline-delivery', 'hookline-retry']));
      return reply.body.data;
    }, 30_000, 500);
    expect(traces).toHaveLength(1);
    const spans = traces[0]!.spans!;
    // One root, the API request; every other span's parent is in the trace; in start order.
    const roots = spans.filter((span) => span.parentSpanId === null);
    expect(roots).toEqual([expect.objectContaining({ service: 'hookline-ingest', name: expect.stringMatching(/^POST .*\/msg$/) })]);
    const ids = new Set(spans.map((span) => span.spanId));
    expect(spans.filter((span) => span.parentSpanId !== null && !ids.has(span.parentSpanId))).toEqual([]);
    expect(spans.map((span) => span.offsetMs)).toEqual([...spans.map((span) => span.offsetMs)].sort((a, b) => a - b));
    expect(spans[0]!.offsetMs).toBe(0);
  });

  it("adds a resend's own trace after the message's", async () => {
    expect((await admin().post(`/api/v1/app/${appId}/msg/${msgId}/endpoint/${(await admin().get<{ data: Array<{ id: string }> }>(`/api/v1/app/${appId}/endpoint`)).body.data[0]!.id}/resend`)).status).toBe(202);
    await eventually(() => expect(receiver.on('/traced')).toHaveLength(3), 30_000);
    const traces = await eventually(async () => {
      const reply = await admin().get<MessageTraces>(tracePath());
      expect(reply.body.data).toHaveLength(2);
      return reply.body.data;
    });
    expect(traces[0]!.traceId).toBe(traceId);
    expect(traces[1]!.traceId).not.toBe(traceId);
    const attempts = await admin().get<{ data: Array<{ traceId: string | null }> }>(`/api/v1/app/${appId}/attempt/msg/${msgId}`);
    // Newest first: the resend's attempt was made in the resend's trace.
    expect(attempts.body.data[0]!.traceId).toBe(traces[1]!.traceId);
  });

  it('refuses an app-portal token (traces are the operator’s) and answers 404 for a message of another application', async () => {
    const { token } = (await admin().post<{ token: string }>(`/api/v1/auth/app-portal-access/${appId}`, {})).body;
    const portal = await apiClient(pipeline.apiUrl, token).get(tracePath());
    expect(portal.status).toBe(403);
    expect(JSON.stringify(portal.body)).not.toContain(traceId);
    const other = (await admin().post<{ id: string }>('/api/v1/app', { name: 'Other shop' })).body.id;
    const { key } = (await admin().post<{ key: string }>(`/api/v1/app/${other}/api-key`, { name: 'other' })).body;
    const stranger = await apiClient(pipeline.apiUrl, key).get(tracePath());
    expect(stranger.status).toBe(404);
    expect(JSON.stringify(stranger.body)).not.toContain(traceId);
    // The application's own key reads it.
    const own = (await admin().post<{ key: string }>(`/api/v1/app/${appId}/api-key`, { name: 'own' })).body.key;
    expect((await apiClient(pipeline.apiUrl, own).get<MessageTraces>(tracePath())).body.data[0]!.traceId).toBe(traceId);
  });

  it('draws the trace in the console: from the message page to its spans, with the link to the trace viewer', async () => {
    await browser.page.goto(`${pipeline.apiUrl}/console/`);
    await browser.page.getByLabel('Admin token or API key').fill(pipeline.adminToken);
    await browser.page.getByRole('button', { name: 'Sign in' }).click();
    await browser.page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
    await browser.page.goto(`${pipeline.apiUrl}/console/app/${appId}/messages/${msgId}`);
    await browser.page.getByRole('heading', { level: 1, name: `Message ${eventType}` }).waitFor();
    await browser.page.getByRole('link', { name: `Trace ${traceId}` }).first().click();
    await browser.page.getByRole('heading', { level: 1, name: /Traces of message/ }).waitFor();

    const trace = browser.page.getByRole('region', { name: `Trace ${traceId}` });
    await expect(trace.getByRole('link', { name: 'Open in the trace viewer' }).getAttribute('href')).resolves.toBe(`https://traces.example.com/trace/${traceId}?from=hookline`);
    const rows = trace.getByRole('region', { name: `Spans of Trace ${traceId}` }).getByRole('row');
    await rows.filter({ hasText: 'hookline-retry' }).first().waitFor();
    for (const service of ['hookline-ingest', 'hookline-fanout', 'hookline-delivery', 'hookline-retry']) expect(await rows.filter({ hasText: service }).count()).toBeGreaterThan(0);
    // The failed attempt's request span is marked.
    expect(await rows.filter({ hasText: 'Error' }).count()).toBeGreaterThan(0);
    // The resend's trace is the second one on the page.
    expect(await browser.page.getByRole('region', { name: /^Trace [0-9a-f]{32}$/ }).count()).toBe(2);
    await screenshot(browser.page, 'console-message-trace');
    expectCleanPages(browser.watch);
  });

  it('says why when Jaeger cannot be read, and still gives the link', async () => {
    await jaeger.stop();
    const reply = await admin().get<MessageTraces>(tracePath());
    expect(reply.status).toBe(200);
    expect(reply.body.data[0]).toEqual({ traceId, link: `https://traces.example.com/trace/${traceId}?from=hookline`, spans: null, detail: expect.stringMatching(/^Jaeger at http:\/\/127\.0\.0\.1:\d+ did not answer/) });
  });
});
