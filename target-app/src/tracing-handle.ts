import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';

/** What tracing.ts started, for the request-span hook and the shutdown. */
export interface StartedTracing {
  /**
   * Whether a server span named `name` started now under `parent` would be sampled: the
   * provider's own sampler, asked before any span is made (tracing.ts, headSampler).
   */
  sampled(parent: Context, name: string): boolean;
  /** Flushes the spans not yet exported and stops the exporter. */
  shutdown(): Promise<void>;
}

// tracing.ts runs before the app (node --import) and may be a separate module instance
// from anything the app imports, so the two meet through a global symbol.
const TRACING = Symbol.for('roque.tracing');
type TracingGlobal = typeof globalThis & { [TRACING]?: StartedTracing };

/** What tracing.ts started, or undefined when it started nothing (request-span.hooks.ts then adds no hook). */
export function startedTracing(): StartedTracing | undefined {
  return (globalThis as TracingGlobal)[TRACING];
}

/** Called by tracing.ts once the tracer provider runs. */
export function registerTracing(tracing: StartedTracing): void {
  (globalThis as TracingGlobal)[TRACING] = tracing;
}

/**
 * Flushes and stops tracing once the server has drained, so the spans of the last
 * requests leave before the process exits (Nest's shutdown ends with process.exit).
 */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await startedTracing()
      ?.shutdown()
      .catch(() => undefined);
  }
}
