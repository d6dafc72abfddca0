// Did a phase run as planned? A phase that did not run, ran short of its planned duration
// or sent far fewer requests than planned is no evidence: its checks fail and say why, and
// the run is aborted (the load stopped before the plan was sent).
import type { PhaseData } from './phase-data';

/** Below this share of the planned requests (made or dropped by k6) a phase ran short. */
export const MIN_SENT_SHARE = 0.8;

/** How long before its planned end a phase's last request may have ended. */
export function endSlackMs(durationMs: number): number {
  return Math.max(2_000, 0.05 * durationMs);
}

/** Why `phase` is not full evidence at its planned `rate` requests/s, or null when it ran as planned. */
export function phaseShortfall(phase: PhaseData, rate: number): string | null {
  const name = phase.planned.name;
  if (!phase.requests.length) return `the ${name} phase did not run (no request in it)`;
  const lastEnd = phase.requests.reduce((last, r) => Math.max(last, r.t), -Infinity);
  const missingMs = phase.endMs - lastEnd;
  if (missingMs > endSlackMs(phase.planned.durationMs)) {
    return `the ${name} phase ran short: its last request ended ${(missingMs / 1000).toFixed(1)} s before its planned end`;
  }
  const planned = Math.round((rate * phase.planned.durationMs) / 1000);
  const sent = phase.requests.length + phase.droppedIterations;
  if (sent < MIN_SENT_SHARE * planned) return `the ${name} phase sent ${sent} of ${planned} planned requests`;
  return null;
}
