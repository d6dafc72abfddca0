// Runs inside a chaos run's 1-VU switch scenario: faults on at the start of its phase,
// off at its end. Each fault's TTL covers the rest of the phase plus a margin, so the app
// drops it by itself if k6 is killed; teardown() removes everything in any case.
import exec from 'k6/execution';
import { sleep } from 'k6';
import { addFault, removeFault } from './admin';
import { phaseOfSwitch } from './chaos-plan';
import type { Settings } from './settings';
import type { Phase } from './phase';
import { faultTtlSeconds } from './timeline';

export function switchPhaseFaults(settings: Settings, phases: Phase[]): void {
  const phase = phaseOfSwitch(phases, exec.scenario.name);
  const phaseStartMs = exec.scenario.startTime;
  const ids: string[] = [];
  const placed: string[] = [];
  try {
    for (const fault of phase.faults) {
      const elapsedSeconds = (Date.now() - phaseStartMs) / 1000;
      const added = addFault(settings, { ...fault, ttlSeconds: faultTtlSeconds(phase, elapsedSeconds) });
      ids.push(added.id);
      // A fault with a blast radius says where it was placed.
      placed.push(added.actsOn ? `${added.id} on ${added.actsOn.map((r) => r.instance).join(' ')}` : added.id);
    }
  } catch (error) {
    // A phase without its faults would measure nothing: stop the run (teardown clears up).
    exec.test.abort(`phase "${phase.name}": ${(error as Error).message}`);
  }
  console.log(`phase ${phase.name}: faults on (${placed.join(', ')})`);
  sleep(Math.max(0, phaseStartMs + phase.durationSeconds * 1000 - Date.now()) / 1000);
  for (const id of ids) removeFault(settings, id);
  console.log(`phase ${phase.name}: faults off`);
}
