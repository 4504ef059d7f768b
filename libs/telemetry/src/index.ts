export { currentTelemetry, startTelemetry, type Telemetry } from './telemetry.js';
export { activeTraceId, annotateActiveSpan, extractTraceContext, HOOKLINE_ATTRIBUTES, injectTraceContext, inSpan, SpanKind, SpanStatusCode, tracer } from './spans.js';
export { hooklineMetrics, statusClass, type HooklineMetrics } from './metrics.js';
