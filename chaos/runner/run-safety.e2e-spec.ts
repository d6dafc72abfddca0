// A run that goes wrong leaves nothing behind: Prometheus or the app killed mid-run, a
// second run started beside the first, a reports folder that cannot be written. Each gives
// a clear message and an exit code that says what happened; the faults are reverted and
// the raw results gathered so far are kept.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { roque, startRoque, type CliRun } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';
import { journalOf, runDirOf } from './fixtures/run-files';

const FIXTURE = 'chaos/runner/fixtures/steady-errors.yaml';
/** After the load starts: the baseline (4 s) plus a few seconds of the error phase. */
const KILL_AFTER_LOAD_MS = 7_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const steadyErrorsRun = (name: string) => name.includes('-steady-errors-');

/** Waits until the run has started its stack and sent load for `loadMs`; returns its folder and PIDs. */
async function whenLoaded(
  run: CliRun,
  reports: string,
  loadMs: number,
): Promise<{ runDir: string; pids: { app: number; prometheus: number } }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const runDir = runDirOf(reports, steadyErrorsRun);
    const started = runDir && journalOf(runDir).find((e) => e.event === 'target.started');
    if (runDir && started && existsSync(join(runDir, 'k6', 'requests.csv'))) {
      await sleep(loadMs);
      return { runDir, pids: started.pids as { app: number; prometheus: number } };
    }
    if (run.child.exitCode !== null) throw new Error(`the run ended early:\n${run.output()}`);
    await sleep(200);
  }
  throw new Error(`the run never sent load:\n${run.output()}`);
}

/** What every aborted run must leave: status aborted, the raw requests, the faults cleared after the abort, no lock. */
function expectLeftInOrder(reports: string, runDir: string, reason: RegExp): RunResult {
  const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;
  expect(result.status).toBe('aborted');
  expect(result.abortReason).toMatch(reason);
  const raw = gunzipSync(readFileSync(join(runDir, 'k6', 'requests.csv.gz'))).toString('utf8');
  expect(raw.split('\n').filter((line) => line.startsWith('http_req_duration,')).length).toBeGreaterThan(100);
  expect(result.phases.find((p) => p.name === 'degraded')!.client.requests).toBeGreaterThan(0);
  for (const file of ['report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(runDir, file))).toBe(true);
  expect(existsSync(join(reports, '.lock'))).toBe(false);
  return result;
}

test('Prometheus killed mid-run: exit 2 naming it, faults cleared, raw results kept; a second run meanwhile is refused naming the first', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-safety-prom-'));
  const run = startRoque(['run', FIXTURE, '--reports', reports], {}, 120_000);
  try {
    const { runDir, pids } = await whenLoaded(run, reports, KILL_AFTER_LOAD_MS);
    const runId = runDir.split('/').at(-1)!;

    const second = await roque(['run', FIXTURE, '--reports', reports], {}, 30_000);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `roque run: another run holds ${join(reports, '.lock')}: ${runId} (PID ${run.child.pid}`,
    );
    expect(readdirSync(reports).filter((name) => name.includes('-steady-errors-'))).toHaveLength(1);

    process.kill(pids.prometheus, 'SIGKILL');
    const killedAt = Date.now();
    const done = await run.done;
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(
      /aborting: Prometheus at http:\/\/127\.0\.0\.1:\d+ stopped answering mid-run \(.+\); reverting every fault/,
    );
    expect(done.stdout).toContain('ABORTED steady-errors');
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expectLeftInOrder(reports, runDir, /^Prometheus at .* stopped answering mid-run/);
    const journal = journalOf(runDir);
    const abortAt = journal.findIndex((e) => e.event === 'run.abort');
    expect(journal.slice(abortAt).some((e) => e.event === 'faults.cleared')).toBe(true);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 150_000);

test('the app killed mid-run: exit 2 naming it, raw results kept, and the admin token in no file of the run', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-safety-app-'));
  const run = startRoque(['run', FIXTURE, '--reports', reports], {}, 120_000);
  try {
    const { runDir, pids } = await whenLoaded(run, reports, KILL_AFTER_LOAD_MS);
    const environ = readFileSync(`/proc/${pids.app}/environ`, 'utf8').split('\0');
    const token = environ.find((entry) => entry.startsWith('CHAOS_ADMIN_TOKEN='))!.slice('CHAOS_ADMIN_TOKEN='.length);
    expect(token.length).toBeGreaterThanOrEqual(16);

    process.kill(pids.app, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(
      `aborting: the app (PID ${pids.app}) exited mid-run (SIGKILL); the faults it held ended with it; reverting every fault`,
    );
    expectLeftInOrder(reports, runDir, /^the app \(PID \d+\) exited mid-run/);

    // The token reached k6 and the app through their environments only.
    expect(done.stdout + done.stderr).not.toContain(token);
    const files = readdirSync(runDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const bytes = readFileSync(join(file.parentPath, file.name));
      const text = (file.name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      expect({ file: file.name, leaks: text.includes(token) }).toEqual({ file: file.name, leaks: false });
    }
  } finally {
    run.child.kill('SIGKILL');
  }
}, 150_000);

test('a reports folder that cannot be written: exit 2 before anything starts, saying which and what to do', async () => {
  const work = mkdtempSync(join(tmpdir(), 'roque-safety-disk-'));
  const notAFolder = join(work, 'file');
  writeFileSync(notAFolder, '');
  const run = await roque(['run', FIXTURE, '--reports', join(notAFolder, 'reports')], {}, 30_000);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    `roque run: the reports folder ${join(notAFolder, 'reports')} cannot be written (ENOTDIR); choose another with --reports`,
  );
});
