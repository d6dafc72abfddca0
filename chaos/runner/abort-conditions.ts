// The experiment's abort conditions (e.g. error share above 50% for 10 s), evaluated once
// a second on the live window of requests.
import type { AbortCondition } from '../experiment/schema';
import type { WindowFigures } from './live-window';

/** A window with fewer requests says too little to stop a run on. */
const MIN_REQUESTS = 10;

export class AbortTracker {
  /** Since when each condition has held without a break. */
  private readonly since = new Map<AbortCondition, number>();

  constructor(private readonly conditions: AbortCondition[]) {}

  /** The reason to abort, once a condition has held for its `for`; null otherwise. */
  check(figures: WindowFigures, now: number): string | null {
    for (const condition of this.conditions) {
      const breached =
        figures.requests >= MIN_REQUESTS &&
        ((condition.errorShareAbove !== undefined && (figures.errorShare ?? 0) > condition.errorShareAbove) ||
          (condition.p95AboveMs !== undefined && (figures.p95Ms ?? 0) > condition.p95AboveMs));
      if (!breached) {
        this.since.delete(condition);
        continue;
      }
      const since = this.since.get(condition) ?? now;
      this.since.set(condition, since);
      if (now - since >= condition.for) {
        const what =
          condition.errorShareAbove !== undefined && (figures.errorShare ?? 0) > condition.errorShareAbove
            ? `error share ${Math.round((figures.errorShare ?? 0) * 100)}% above ${condition.errorShareAbove * 100}%`
            : `p95 ${Math.round(figures.p95Ms ?? 0)} ms above ${condition.p95AboveMs} ms`;
        return `abort condition: ${what} for ${condition.for / 1000} s`;
      }
    }
    return null;
  }
}
