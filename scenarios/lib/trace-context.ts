// W3C trace context for the requests k6 makes (target.ts): every request starts a trace of its own, a
// sampled share of them asks the app to record it, and the trace id goes into the raw
// results as per-request metadata (never a tag: one label value per request would make a
// series per request in remote write).

/** The app keeps one trace in ten (parent-based, ratio 0.1): k6 marks the same share sampled. */
export const SAMPLED_SHARE = 0.1;

/** The metadata key of the trace id in k6's raw output (the CSV's `metadata` column). */
export const TRACE_ID_METADATA = 'trace_id';

export interface TraceContext {
  traceId: string;
  sampled: boolean;
  /** The `traceparent` header: version 00, trace id, k6's (never recorded) span id, flags. */
  traceparent: string;
}

export function newTraceContext(random: () => number = Math.random): TraceContext {
  const hex = (chars: number) =>
    Array.from({ length: chars / 8 }, () =>
      Math.floor(random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
  const traceId = hex(32);
  const sampled = random() < SAMPLED_SHARE;
  return { traceId, sampled, traceparent: `00-${traceId}-${hex(16)}-${sampled ? '01' : '00'}` };
}
