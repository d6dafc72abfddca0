// The chaos timeline: consecutive phases, each with a name, a duration and the faults that
// are active while it runs. Given as JSON in TIMELINE, e.g.
//   [{"name":"baseline","duration":"20s"},
//    {"name":"degraded","duration":"20s","faults":[{"type":"latency","delayMs":200}]},
//    {"name":"recovery","duration":"20s"}]
// `duration` is a k6 duration ("500ms", "20s", "1m30s") or seconds; `rate` (optional) the
// phase's requests per second instead of RATE (a traffic drop or surge); `faults` are fault specs
// of chaos/contract/faults.ts (what POST /admin/faults takes), checked before any load. A
// fault's ttlSeconds is replaced by the rest of its phase plus a margin (faultTtlSeconds).
import { MAX_TTL_SECONDS, parseFaultSpec } from '../../chaos/contract/faults';
import { parseSeconds } from './duration';
import { affectsDiceRoute, CONTROL_PHASE, type Phase } from './phase';

export const DEFAULT_TIMELINE = [
  { name: 'baseline', duration: '20s' },
  { name: 'degraded', duration: '20s', faults: [{ type: 'latency', delayMs: 200 }] },
  { name: 'recovery', duration: '20s' },
];

/** Faults outlive their phase by this much, so a run that dies still has them expire soon after. */
export const FAULT_TTL_MARGIN_SECONDS = 15;
const MAX_PHASES = 32;

export function parseTimeline(json: string | undefined): Phase[] {
  let input: unknown = DEFAULT_TIMELINE;
  if (json !== undefined) {
    try {
      input = JSON.parse(json);
    } catch (error) {
      throw new Error(`TIMELINE is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_PHASES) {
    throw new Error(
      `TIMELINE must be a JSON array of 1..${MAX_PHASES} phases like {"name":"baseline","duration":"20s","faults":[]}`,
    );
  }
  const phases: Phase[] = [];
  let startSeconds = 0;
  for (const [index, raw] of input.entries()) {
    const phase = parsePhase(raw, `TIMELINE[${index}]`, startSeconds);
    if (phases.some((p) => p.name === phase.name))
      throw new Error(`TIMELINE[${index}]: phase name "${phase.name}" is used twice`);
    phases.push(phase);
    startSeconds += phase.durationSeconds;
  }
  return phases;
}

function parsePhase(raw: unknown, where: string, startSeconds: number): Phase {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where} must be an object`);
  const { name, duration, rate, faults = [], ...rest } = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length)
    throw new Error(`${where}: unknown field(s) ${unknownKeys.join(', ')} (expected name, duration, rate, faults)`);
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(name) || name === CONTROL_PHASE) {
    throw new Error(
      `${where}.name must be 1..32 letters, digits, "_" or "-", not "${CONTROL_PHASE}" (got ${JSON.stringify(name)})`,
    );
  }
  if (typeof duration !== 'string' && typeof duration !== 'number')
    throw new Error(`${where}.duration is required, e.g. "20s"`);
  const durationSeconds = parseSeconds(duration, `${where}.duration`);
  if (rate !== undefined && !(typeof rate === 'number' && Number.isInteger(rate) && rate >= 1)) {
    throw new Error(
      `${where}.rate must be a whole number of requests per second, at least 1 (got ${JSON.stringify(rate)})`,
    );
  }
  if (!Array.isArray(faults)) throw new Error(`${where}.faults must be an array of fault specs`);
  const parsed = faults.map((fault, i) => {
    const result = parseFaultSpec(fault);
    if (!result.ok) throw new Error(`${where}.faults[${i}]: ${result.message}`);
    return result.value;
  });
  if (parsed.length && durationSeconds + FAULT_TTL_MARGIN_SECONDS > MAX_TTL_SECONDS) {
    throw new Error(
      `${where}: a phase with faults may last at most ${MAX_TTL_SECONDS - FAULT_TTL_MARGIN_SECONDS}s (the faults' TTL limit)`,
    );
  }
  return { name, startSeconds, durationSeconds, ...(rate === undefined ? {} : { rate }), faults: parsed };
}

/**
 * The TTL of a fault switched on `elapsedSeconds` into its phase: the rest of the phase plus a
 * margin, whatever ttlSeconds the timeline gave (a fault that should end early is a phase).
 */
export function faultTtlSeconds(phase: Phase, elapsedSeconds: number): number {
  const remaining = Math.max(0, phase.durationSeconds - elapsedSeconds);
  return Math.min(MAX_TTL_SECONDS, Math.ceil(remaining + FAULT_TTL_MARGIN_SECONDS));
}

/** The largest delay the timeline injects on `/`, ms (fixed delay plus most of its spread). */
export function slowestInjectedMs(phases: Phase[]): number {
  let slowest = 0;
  for (const spec of phases.flatMap((p) => p.faults)) {
    if (spec.type !== 'latency' || !affectsDiceRoute(spec)) continue;
    const spread =
      spec.distribution === 'normal' ? 3 * spec.jitterMs : spec.distribution === 'uniform' ? spec.jitterMs : 0;
    slowest = Math.max(slowest, spec.delayMs + spread);
  }
  return slowest;
}
