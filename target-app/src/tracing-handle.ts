import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

// tracing.ts runs before the app (node --import) and may be a separate module instance
// from anything the app imports, so the two meet through a global symbol.
const SHUTDOWN = Symbol.for('roque.tracing.shutdown');
type TracingGlobal = typeof globalThis & { [SHUTDOWN]?: () => Promise<void> };

/** Whether tracing.ts started the SDK (request-span.hooks.ts then makes a span per request). */
export function tracingStarted(): boolean {
  return (globalThis as TracingGlobal)[SHUTDOWN] !== undefined;
}

/** Called by tracing.ts once the SDK runs. */
export function registerTracingShutdown(shutdown: () => Promise<void>): void {
  (globalThis as TracingGlobal)[SHUTDOWN] = shutdown;
}

/**
 * Flushes and stops tracing once the server has drained, so the spans of the last
 * requests leave before the process exits (Nest's shutdown ends with process.exit).
 */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await (globalThis as TracingGlobal)[SHUTDOWN]?.().catch(() => undefined);
  }
}
