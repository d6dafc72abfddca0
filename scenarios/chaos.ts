// Chaos: steady open-model load while a timeline of phases switches faults on and off
// through the admin API. Every request carries its phase tag; per-phase thresholds come
// from the faults (a 200 ms delay must show as p50 >= 190 ms, a phase without faults must
// look healthy; PHASE_THRESHOLDS=off keeps the figures and drops the verdicts).
// TIMELINE format and default: lib/timeline.ts. Needs CHAOS_ADMIN_TOKEN when any phase has faults,
// unless FAULT_SWITCH=off (a runner of a split load that leaves the switching to another).
import { clearFaults, requireAdminApi } from './lib/admin';
import { chaosPlan } from './lib/chaos-plan';
import { switchPhaseFaults } from './lib/fault-switch';
import { readSettings } from './lib/settings';
import { summaryOutputs, type SummaryData } from './lib/summary';
import { requireHealthyTarget, rollDice } from './lib/target';

const settings = readSettings(__ENV);
const { options: planned, phases } = chaosPlan(settings);
const needsAdmin = settings.faultSwitch && phases.some((p) => p.faults.length > 0);

export const options = planned;

export function setup(): void {
  requireHealthyTarget(settings);
  if (!needsAdmin) return;
  const active = requireAdminApi(settings);
  if (active.length > 0)
    console.warn(`${active.length} fault(s) already active before the run: ${active.map((f) => f.type).join(', ')}`);
}

export function roll(): void {
  rollDice(settings);
}

export function switchFaults(): void {
  switchPhaseFaults(settings, phases);
}

/** The kill switch, also after an interrupted run. */
export function teardown(): void {
  if (needsAdmin) clearFaults(settings);
}

export function handleSummary(data: SummaryData) {
  return summaryOutputs(
    data,
    { scenario: 'chaos', testid: settings.testid, baseUrl: settings.baseUrl, phases },
    settings.summaryDir,
  );
}
