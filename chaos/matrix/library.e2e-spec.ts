// The whole experiment library in quick mode: every fault type has an experiment whose
// detection names an alert reading what the monitoring sees, every alert of Roque's rules is
// expected somewhere, and every expected detection holds. Most runs share one real stack;
// slo-burn (stack: own) and one-sick-replica (3 replicas) get stacks of their own. This is
// also the test that each experiment of the library passes, and where the evidence of those
// two is read back from their runs. About 22 minutes; npm test runs it alone after every other
// suite (jest.config.cjs): its times to detect are measurements, and its cpu fault asks for a
// whole core of a 2-core machine.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_TYPES } from '../contract/faults';
import { roque } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';
import type { MatrixResult } from './matrix';

const reports = mkdtempSync(join(tmpdir(), 'roque-library-'));
let matrix: MatrixResult;
/** The run directory of one experiment of the matrix (its only repeat). */
const runDir = (experiment: string) =>
  join(reports, 'latest', matrix.runs.find((r) => r.experiment === experiment)!.link!);
const resultOf = (experiment: string) =>
  JSON.parse(readFileSync(join(runDir(experiment), 'result.json'), 'utf8')) as RunResult;

test('npx roque matrix --quick covers all six fault types and every Roque alert, and exits 0', async () => {
  const started = Date.now();
  const run = await roque(['matrix', '--quick', '--reports', reports], {}, 2_100_000);
  console.log(`the quick library matrix: ${Math.round((Date.now() - started) / 1000)} s\n${run.stdout}`);
  matrix = JSON.parse(readFileSync(join(reports, 'latest', 'matrix.json'), 'utf8')) as MatrixResult;
  const rows = new Set(matrix.cells.flatMap((c) => c.disturbance.split('+')));
  for (const type of [...FAULT_TYPES, 'traffic']) expect([type, rows.has(type)]).toEqual([type, true]);
  // Each fault type is seen by an alert that reads the monitoring, not only by the ground truth.
  for (const type of FAULT_TYPES) {
    const seenBy = matrix.cells
      .filter((c) => c.disturbance.split('+').includes(type) && c.alert !== 'RoqueFaultInjected')
      .map((c) => c.alert);
    expect([type, seenBy.length > 0]).toEqual([type, true]);
  }
  // Every rule file was loaded by some Prometheus of the matrix (slo.yml by slo-burn's own),
  // and every alert in them is expected somewhere.
  expect(matrix.rules).toEqual({ roque: true, skipped: [], user: [] });
  const expected = new Set(matrix.cells.map((c) => c.alert));
  expect(matrix.alerts.map((a) => a.alert).filter((a) => !expected.has(a))).toEqual([]);
  expect(matrix.alerts.length).toBeGreaterThanOrEqual(19);
  expect(Object.fromEntries(matrix.runs.filter((r) => r.ownStack).map((r) => [r.experiment, r.ownStack]))).toEqual({
    'one-sick-replica': '3 replicas',
    'slo-burn': 'stack: own',
  });
  expect(matrix.failures).toEqual([]);
  expect(run.code).toBe(0);
}, 2_200_000);

test('slo-burn: every burn-rate alert fires, none sooner than its `for` (one that did was inherited), on windows that held only the run', () => {
  const result = resultOf('slo-burn');
  expect(result.experiment.description).toContain('windows hold only this run');
  const forOf = new Map(matrix.alerts.map((a) => [a.alert, a.forSeconds]));
  const detected = result.detection.map((d) => [d.alert, d.timeToDetectSeconds] as const);
  expect(detected.map(([alert]) => alert).sort()).toEqual([
    'DiceApiAvailabilityBurnRateFast',
    'DiceApiAvailabilityBurnRateSlow',
    'DiceApiLatencyBurnRateFast',
    'DiceApiLatencyBurnRateSlow',
  ]);
  for (const [alert, seconds] of detected) {
    expect([alert, seconds !== null && seconds >= forOf.get(alert)!]).toEqual([alert, true]);
  }
});

test('one-sick-replica: the per-instance alert fires, the aggregate median stays quiet, the report shows where it was injected', () => {
  const result = resultOf('one-sick-replica');
  const sick = result.phases.find((p) => p.name === 'one-sick')!;
  expect(sick.server!.replicas!).toHaveLength(3);
  const injected = sick.server!.replicas!.filter((r) => (r.injections.latency ?? 0) > 0);
  expect(injected).toHaveLength(1);
  expect(
    result.detection.find((d) => d.alert === 'RoqueInstanceHighMedianLatency')!.timeToDetectSeconds,
  ).not.toBeNull();
  expect(result.alerts.map((a) => a.alert)).not.toContain('RoqueHighMedianLatency');
  // Placed once, on the replica that then injected it, and reported as chosen.
  expect(sick.placements).toEqual([
    { faultId: expect.any(String), type: 'latency', instances: [injected[0].instance] },
  ]);
  const html = readFileSync(join(runDir('one-sick-replica'), 'report.html'), 'utf8');
  expect(html).toContain('<table id="replicas">');
  expect(html).toContain(
    `<td>one-sick</td><td>${injected[0].instance}</td><td>${injected[0].requests}</td><td>latency</td>`,
  );
  expect(readFileSync(join(runDir('one-sick-replica'), 'summary.md'), 'utf8')).toContain('### Replicas');
});
