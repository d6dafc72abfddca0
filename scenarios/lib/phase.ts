// What a phase is, kept apart from timeline parsing so that scenarios without a timeline do
// not bundle the fault schema (zod).
import type { FaultSpec } from '../../chaos/contract/faults';
import { coversRoute, LOADED_ROUTE } from '../../chaos/contract/routes';

export interface Phase {
  name: string;
  /** Offset from the start of the load, seconds. */
  startSeconds: number;
  durationSeconds: number;
  /** Requests per second in this phase; absent: the run's RATE. */
  rate?: number;
  /** Switched on when the phase starts, off when it ends; their ttlSeconds is set then. */
  faults: FaultSpec[];
}

/** The phase tag of the harness's own requests (admin API, health checks), never a timeline's. */
export const CONTROL_PHASE = 'control';

/** Whether a fault acts on the dice route `/` that the scenarios load. */
export function affectsDiceRoute(spec: FaultSpec): boolean {
  return spec.type !== 'health' && coversRoute(spec, LOADED_ROUTE);
}
