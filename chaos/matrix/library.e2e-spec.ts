// The whole experiment library in quick mode on one real stack: every fault type has an
// experiment whose detection names an alert reading what the monitoring sees, every
// alert of Roque's fast rules is expected somewhere, and every expected detection holds.
// This is also the test that each experiment of the library passes. About 14 minutes; npm test
// runs it alone after every other suite (jest.config.cjs): its times to detect are
// measurements, and its cpu fault asks for a whole core of a 2-core machine.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_TYPES } from '../contract/faults';
import { roque } from '../local/roque-cli';
import type { MatrixResult } from './matrix';

const reports = mkdtempSync(join(tmpdir(), 'roque-library-'));

test('npx roque matrix --quick covers all six fault types and every fast alert, and exits 0', async () => {
  const started = Date.now();
  const run = await roque(['matrix', '--quick', '--reports', reports], {}, 1_500_000);
  console.log(`the quick library matrix: ${Math.round((Date.now() - started) / 1000)} s\n${run.stdout}`);
  const matrix = JSON.parse(readFileSync(join(reports, 'latest', 'matrix.json'), 'utf8')) as MatrixResult;
  const rows = new Set(matrix.cells.flatMap((c) => c.disturbance.split('+')));
  for (const type of [...FAULT_TYPES, 'traffic']) expect([type, rows.has(type)]).toEqual([type, true]);
  // Each fault type is seen by an alert that reads the monitoring, not only by the ground truth.
  for (const type of FAULT_TYPES) {
    const seenBy = matrix.cells
      .filter((c) => c.disturbance.split('+').includes(type) && c.alert !== 'RoqueFaultInjected')
      .map((c) => c.alert);
    expect([type, seenBy.length > 0]).toEqual([type, true]);
  }
  // Every alert the matrix's Prometheus loads is expected somewhere. The SLO burn-rate rules
  // (5 m to 3 d windows) are left out of it: they would carry one run's faults into the next;
  // slo-burn.e2e-spec.ts fires their pages on a Prometheus of its own (README).
  expect(matrix.rules).toEqual({ roque: true, skipped: ['slo.yml'], user: [] });
  // The per-replica alert needs replicas: one-sick-replica.yaml fires it, on a stack of three
  // (chaos/runner/distributed.e2e-spec.ts), not on the matrix's one app.
  const expected = new Set([...matrix.cells.map((c) => c.alert), 'RoqueInstanceHighMedianLatency']);
  expect(matrix.alerts.map((a) => a.alert).filter((a) => !expected.has(a))).toEqual([]);
  expect(matrix.alerts.length).toBeGreaterThanOrEqual(14);
  expect(matrix.failures).toEqual([]);
  expect(run.code).toBe(0);
}, 1_600_000);
