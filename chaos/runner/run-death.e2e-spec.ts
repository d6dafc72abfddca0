// A run fails closed and leaves nothing behind, however it ends: k6 killed mid-run, the
// runner killed with SIGKILL or SIGHUP, the launcher on a Node-20 machine killed, Ctrl-C
// before k6 started or while the runner waits for alerts. Real runner, app, Prometheus, k6.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startRoque, type CliResult, type CliRun } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';
import { journalOf, runDirOf, type Journal } from './fixtures/run-files';
import { REPO_ROOT } from '../tools';

/** Everything of a run must be gone this long after its runner died. */
const ORPHAN_LIMIT_MS = 10_000;
const SYSTEM_NODE = '/usr/bin/node';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** State and parent of `pid` from /proc; null when it is gone. A zombie counts as gone. */
function procOf(pid: number): { ppid: number; cmdline: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') return null;
    return { ppid: Number(ppid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') };
  } catch {
    return null;
  }
}

/** `pid` and every descendant of it now. */
function treeOf(pid: number): number[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  const parents = new Map(all.map((p) => [p, procOf(p)?.ppid]));
  const tree = [pid];
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, ppid] of parents)
      if (ppid !== undefined && tree.includes(ppid) && !tree.includes(p)) (tree.push(p), (grew = true));
  }
  return tree;
}

/** Waits until none of `pids` runs; returns how long that took (ms), or throws naming the survivors. */
async function goneWithin(pids: number[], limitMs: number, since: number): Promise<number> {
  while (Date.now() - since < limitMs) {
    if (pids.every((pid) => procOf(pid) === null)) return Date.now() - since;
    await sleep(50);
  }
  const left = pids.filter((pid) => procOf(pid) !== null).map((pid) => `${pid}: ${procOf(pid)?.cmdline.slice(0, 120)}`);
  if (!left.length) return Date.now() - since;
  throw new Error(`still running ${limitMs} ms after the runner died:\n${left.join('\n')}`);
}

/** Waits for the run to have started its stack and for `until` to hold; returns its folder. */
async function whenRunning(
  run: CliRun,
  reports: string,
  until: (journal: Journal, runDir: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const runDir = runDirOf(reports);
    if (runDir && until(journalOf(runDir), runDir)) return runDir;
    if (run.child.exitCode !== null) throw new Error(`the run ended early:\n${run.output()}`);
    await sleep(100);
  }
  throw new Error(`the run never got there:\n${run.output()}`);
}

/**
 * `roque <args>` as on a machine whose `node` is 20: the launcher hands over to Node 24. It
 * leads its own process group, so a test can send a signal to the group as a terminal does.
 */
function startOnNode20(args: string[]): CliRun {
  const child = spawn(SYSTEM_NODE, [join(REPO_ROOT, 'chaos', 'bin', 'roque.cjs'), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, output: () => stdout + stderr, done };
}

const loading = (journal: Journal, runDir: string) =>
  journal.some((e) => e.event === 'target.started') && existsSync(join(runDir, 'k6', 'requests.csv'));
const k6Of = (runner: number, runDir: string) =>
  treeOf(runner).find((pid) => procOf(pid)?.cmdline.includes(`testid=${runDir.split('/').at(-1)}`));
const resultOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;

/** Faults active on the app of the run, through its admin API (the token is in the app's environment). */
async function activeFaults(runDir: string): Promise<number | 'app gone'> {
  const started = journalOf(runDir).find((e) => e.event === 'target.started')!;
  const pid = (started.pids as { app: number }).app;
  let token: string;
  try {
    token = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((v) => v.startsWith('CHAOS_ADMIN_TOKEN='))!
      .slice(18);
  } catch {
    return 'app gone';
  }
  const res = await fetch(`${started.app}/admin/faults`, { headers: { authorization: `Bearer ${token}` } }).catch(
    () => null,
  );
  return res ? ((await res.json()) as { faults: unknown[] }).faults.length : 'app gone';
}

test('k6 killed mid first phase: aborted, exit 2, both checks in the verdict, failed, saying why; the report written', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-death-k6-'));
  const run = startRoque(['run', 'chaos/runner/fixtures/k6-dies.yaml', '--reports', reports], {}, 90_000);
  try {
    const runDir = await whenRunning(run, reports, loading);
    await sleep(4_000);
    process.kill(k6Of(run.child.pid!, runDir)!, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(2);
    expect(done.stdout).toContain('ABORTED k6-dies: 0/2 checks held');
    const result = resultOf(runDir);
    expect(result).toMatchObject({
      status: 'aborted',
      abortReason: 'k6 ended early: exit 137 (killed by signal 9)',
      load: { k6ExitCode: 137 },
    });
    expect(result.checks.map((c) => [c.phase, c.passed])).toEqual([
      ['baseline', false],
      ['degraded', false],
    ]);
    expect(result.checks[0].observed).toMatch(
      /^no verdict: the baseline phase ran short: its last request ended \d+\.\d s before its planned end/,
    );
    // The error share is measured against the baseline, which ran short too.
    expect(result.checks[1].observed).toMatch(
      /^no verdict: the degraded phase did not run \(no request in it\); the baseline phase ran short/,
    );
    for (const file of ['report.html', 'summary.md', 'junit.xml', 'k6/requests.csv.gz'])
      expect(existsSync(join(runDir, file))).toBe(true);
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).toContain('failures="2"');
  } finally {
    run.child.kill('SIGKILL');
  }
}, 120_000);

describe.each([
  ['SIGKILL', null],
  ['SIGHUP', 129],
] as const)('the runner killed with %s mid-run', (signal, exitCode) => {
  test(`leaves no process of the run and no fault active${exitCode ? `, exits ${exitCode} with the report` : ''}`, async () => {
    const reports = mkdtempSync(join(tmpdir(), `roque-death-${signal}-`));
    const run = startRoque(['run', 'chaos/runner/fixtures/steady-errors.yaml', '--reports', reports], {}, 90_000);
    try {
      const runDir = await whenRunning(run, reports, loading);
      await sleep(6_000); // inside the error phase: a fault is active
      expect(await activeFaults(runDir)).toBe(1);
      const runner = run.child.pid!;
      const tree = treeOf(runner);
      expect(tree.length).toBeGreaterThanOrEqual(5); // runner, watchdog, app, Prometheus, k6
      process.kill(runner, signal);
      const killedAt = Date.now();
      const tookMs = await goneWithin(tree, ORPHAN_LIMIT_MS, killedAt);
      console.log(`${signal} of the runner: every process of the run gone after ${tookMs} ms`);
      const done = await run.done;
      expect(done.signal ?? done.code).toBe(exitCode ?? 'SIGKILL');
      if (exitCode) {
        expect(resultOf(runDir)).toMatchObject({ status: 'aborted', abortReason: 'SIGHUP received' });
        expect(journalOf(runDir).some((e) => e.event === 'faults.cleared' && e.why === 'SIGHUP received')).toBe(true);
      } else {
        const reaped = journalOf(runDir).find((e) => e.event === 'watchdog.reaped')!;
        expect(Object.values(reaped.faultsCleared as Record<string, unknown>)).toEqual([204]);
      }
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 120_000);
});

test('an uncaught error in the runner mid-run: handled like Ctrl-C, aborted with exit 2, the report written, nothing left', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-death-uncaught-'));
  const env = {
    NODE_OPTIONS: `--require ${join(__dirname, 'fixtures', 'throw-later.cjs')}`,
    ROQUE_THROW_AFTER_MS: '16000',
  };
  const run = startRoque(['run', 'chaos/runner/fixtures/steady-errors.yaml', '--reports', reports], env, 90_000);
  try {
    const runDir = await whenRunning(run, reports, loading);
    const tree = treeOf(run.child.pid!);
    const done = await run.done;
    expect(done.code).toBe(2);
    expect(resultOf(runDir)).toMatchObject({
      status: 'aborted',
      abortReason: 'uncaught error: a bug, thrown where nothing catches it',
    });
    expect(
      journalOf(runDir).some((e) => e.event === 'faults.cleared' && String(e.why).startsWith('uncaught error')),
    ).toBe(true);
    await goneWithin(tree, ORPHAN_LIMIT_MS, Date.now());
  } finally {
    run.child.kill('SIGKILL');
  }
}, 120_000);

test('the launcher on system Node 20 killed with SIGKILL: the Node 24 runner under it and all it started go within 10 s', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-death-launcher-'));
  const run = startOnNode20(['run', 'chaos/runner/fixtures/steady-errors.yaml', '--reports', reports]);
  try {
    const runDir = await whenRunning(run, reports, loading);
    const tree = treeOf(run.child.pid!);
    expect(
      tree.filter((pid) => /node_modules\/\.bin\/node \S+roque\.cjs run/.test(procOf(pid)?.cmdline ?? '')),
    ).toHaveLength(1);
    expect(tree.length).toBeGreaterThanOrEqual(6); // launcher, runner, watchdog, app, Prometheus, k6
    run.child.kill('SIGKILL');
    const tookMs = await goneWithin(tree, ORPHAN_LIMIT_MS, Date.now());
    console.log(`SIGKILL of the Node 20 launcher: every process of the run gone after ${tookMs} ms`);
    // The runner noticed its parent was gone and ended as on SIGHUP: report written.
    expect(resultOf(runDir)).toMatchObject({ status: 'aborted', abortReason: 'SIGHUP received' });
  } finally {
    run.child.kill('SIGKILL');
  }
}, 120_000);

test('Ctrl-C before k6 started: exit 130 within 2 s, every check failed as not run, the report written, nothing left', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-death-early-'));
  const run = startRoque(['run', 'chaos/runner/fixtures/k6-dies.yaml', '--reports', reports], {}, 60_000);
  try {
    const runDir = await whenRunning(run, reports, (journal) => journal.some((e) => e.event === 'run.start'));
    await sleep(300); // the app and Prometheus are starting
    const tree = treeOf(run.child.pid!);
    run.child.kill('SIGINT');
    const interruptedAt = Date.now();
    const done = await run.done;
    const tookMs = Date.now() - interruptedAt;
    console.log(`Ctrl-C before k6: exit ${done.code} after ${tookMs} ms`);
    expect(done.code).toBe(130);
    expect(tookMs).toBeLessThan(2_000);
    const result = resultOf(runDir);
    expect(result).toMatchObject({ status: 'aborted', abortReason: 'SIGINT received', load: { k6ExitCode: null } });
    expect(result.checks.map((c) => c.observed)).toEqual([
      'no verdict: the baseline phase did not run (no request in it)',
      'no verdict: the degraded phase did not run (no request in it); the baseline phase did not run (no request in it)',
    ]);
    for (const file of ['report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(runDir, file))).toBe(true);
    await goneWithin(tree, ORPHAN_LIMIT_MS, interruptedAt);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 90_000);

test("Ctrl-C while the runner waits for alerts after the load (a terminal's, through the Node 20 launcher): exit 130 within 2 s with the report", async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-death-wait-'));
  // Through the Node 20 launcher, the Ctrl-C sent to the whole group, as a terminal does:
  // launcher and runner both get it, and the launcher forwards it too.
  const run = startOnNode20(['run', 'chaos/runner/fixtures/alert-wait.yaml', '--reports', reports]);
  try {
    const deadline = Date.now() + 60_000;
    while (!run.output().includes('for alerts to fire and resolve') && Date.now() < deadline) await sleep(100);
    const runDir = runDirOf(reports)!;
    const tree = treeOf(run.child.pid!);
    process.kill(-run.child.pid!, 'SIGINT');
    const interruptedAt = Date.now();
    const done = await run.done;
    const tookMs = Date.now() - interruptedAt;
    console.log(`Ctrl-C while waiting for alerts: exit ${done.code} after ${tookMs} ms`);
    expect(done.code).toBe(130);
    expect(tookMs).toBeLessThan(2_000);
    const result = resultOf(runDir);
    expect(result).toMatchObject({ status: 'aborted', abortReason: 'SIGINT received' });
    expect(result.checks).toEqual([
      expect.objectContaining({ passed: false, observed: 'RoqueHighLatency did not fire' }),
    ]);
    expect(result.phases.map((p) => p.client.requests >= 70)).toEqual([true, true]);
    await goneWithin(tree, ORPHAN_LIMIT_MS, interruptedAt);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 90_000);
