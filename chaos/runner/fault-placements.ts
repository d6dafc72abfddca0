// Where each fault with a blast radius was placed: the runner lists the active faults once a
// second during the load and keeps every `actsOn` it sees, so the report can say which
// replicas were chosen (the choice is made once, by the replica that took the POST).
import type { Fault } from '../contract/faults';
import type { PhaseResult } from '../report/result-schema';

export type FaultPlacement = NonNullable<PhaseResult['placements']>[number];

const CLOCK_SLACK_MS = 1_000;

export class FaultPlacements {
  private readonly seen = new Map<string, Fault>();
  private polling = false;

  constructor(private readonly list: () => Promise<Fault[]>) {}

  /** Lists the active faults (one call at a time; a failed call is retried on the next tick). */
  poll(): void {
    if (this.polling) return;
    this.polling = true;
    this.list()
      .then((faults) => {
        for (const fault of faults) if (fault.actsOn && !this.seen.has(fault.id)) this.seen.set(fault.id, fault);
      })
      .catch(() => undefined)
      .finally(() => (this.polling = false));
  }

  /**
   * The placements of the faults a phase's switch created. It posts them as its phase starts,
   * and the phase's start (from the first request k6 recorded) may be late by some ms: the
   * window opens a second early, and closes a second early too.
   */
  within(startMs: number, endMs: number): FaultPlacement[] {
    const created = (f: Fault) => Date.parse(f.createdAt) + CLOCK_SLACK_MS;
    return [...this.seen.values()]
      .filter((f) => created(f) >= startMs && created(f) < endMs)
      .map((f) => ({ faultId: f.id, type: f.type, instances: f.actsOn!.map((r) => r.instance) }));
  }
}
