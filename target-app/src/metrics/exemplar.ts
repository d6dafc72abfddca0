import { trace, TraceFlags } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-([\da-f]{2})$/;

/**
 * The trace id of a sampled request, or undefined: from the server span when tracing is on
 * (the span continues the caller's trace, so the id is the caller's), else from the W3C
 * `traceparent` the caller sent, so a run without a trace backend still links its slowest
 * requests to k6's per-request trace ids.
 */
export function sampledTraceId(headers: IncomingHttpHeaders): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (span) return span.traceFlags & TraceFlags.SAMPLED ? span.traceId : undefined;
  const header = headers.traceparent;
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header);
  return match && Number.parseInt(match[2], 16) & TraceFlags.SAMPLED ? match[1] : undefined;
}
