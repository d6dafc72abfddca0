// The SLO burn-rate pages firing in a real run (chaos/experiments/slo-burn.yaml), on a stack of
// their own: `roque run` starts a fresh Prometheus with slo.yml loaded, so the pages' 1 h window
// holds only this run (the experiment and README say so). The latency page reads the
// histogram's le="0.3" bucket: its firing is the proof that the live app exports that bound.
// About 4.5 minutes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roque } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';

const reports = mkdtempSync(join(tmpdir(), 'roque-slo-burn-'));

test('slo-burn.yaml fires both fast burn-rate pages, each after its `for` of 1 m, and says what the 1 h window held', async () => {
  const run = await roque(
    ['run', 'chaos/experiments/slo-burn.yaml', '--quick', '--no-dashboards', '--reports', reports],
    {},
    420_000,
  );
  expect(run.stderr + run.stdout).toContain('PASSED slo-burn');
  expect(run.code).toBe(0);
  const result = JSON.parse(readFileSync(join(reports, 'latest', 'result.json'), 'utf8')) as RunResult;
  expect(result.experiment.description).toContain('1 h window holds only this run');
  const detected = Object.fromEntries(result.detection.map((d) => [`${d.phase}: ${d.alert}`, d.timeToDetectSeconds]));
  expect(Object.keys(detected).sort()).toEqual([
    'errors: DiceApiAvailabilityBurnRateFast',
    'slow: DiceApiLatencyBurnRateFast',
  ]);
  // No page can fire sooner than its `for`: one that did was inherited, not caused by this phase.
  for (const seconds of Object.values(detected)) {
    expect(seconds).not.toBeNull();
    expect(seconds!).toBeGreaterThanOrEqual(60);
  }
  // Only the pages: the ticket alerts need 5 m of `for` this run does not last.
  const slo = result.alerts.filter((a) => a.alert.startsWith('DiceApi')).map((a) => a.alert);
  expect([...new Set(slo)].sort()).toEqual(['DiceApiAvailabilityBurnRateFast', 'DiceApiLatencyBurnRateFast']);
}, 450_000);
