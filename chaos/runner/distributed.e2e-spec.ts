// Issue 17 end to end on loopback: the load split across k6 runners (execution segments),
// app replicas sharing faults through a real Redis, and a runner that dies. Real runner, apps,
// redis-server, Prometheus, k6; quick mode, modest rates. A fault on one replica of three
// (one-sick-replica.yaml) is a cell of the library matrix (chaos/matrix/library.e2e-spec.ts).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roque, startRoque } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';
import { journalOf, runDirOf } from './fixtures/run-files';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const resultOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;
const requestsOf = (result: RunResult) => result.phases.reduce((sum, p) => sum + p.client.requests, 0);
const droppedOf = (result: RunResult) => result.phases.reduce((sum, p) => sum + p.client.droppedIterations, 0);
const replicasOf = (result: RunResult, phase: string) => result.phases.find((p) => p.name === phase)!.server!.replicas!;

test('--runners 2 --replicas 3: the quick default experiment passes over the merged requests; every replica got the faults', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-split-'));
  const run = await roque(
    [
      'run',
      'chaos/experiments/golden-signals.yaml',
      '--quick',
      '--runners',
      '2',
      '--replicas',
      '3',
      '--no-dashboards',
      '--reports',
      reports,
    ],
    {},
    240_000,
  );
  expect(run.stderr + run.stdout).toContain('PASSED golden-signals');
  expect(run.code).toBe(0);
  const result = resultOf(join(reports, 'latest'));
  const runners = result.load.runners!;
  console.log(
    `split load: ${runners.map((r) => `runner ${r.instanceId} ${r.rate} req/s, ${r.requests} requests, ${r.droppedIterations} dropped`).join('; ')}; wall ${result.wallSeconds.toFixed(0)} s`,
  );
  expect(runners.map((r) => [r.instanceId, r.segment, r.switchesFaults, r.k6ExitCode])).toEqual([
    ['1', '0:1/2', true, 0],
    ['2', '1/2:1', false, 0],
  ]);
  expect(runners.reduce((sum, r) => sum + r.rate, 0)).toBe(result.load.rate);
  // One verdict over all requests: the merged count is the runners' sum, and each did its half.
  expect(requestsOf(result)).toBe(runners.reduce((sum, r) => sum + r.requests, 0));
  expect(droppedOf(result)).toBe(runners.reduce((sum, r) => sum + r.droppedIterations, 0));
  for (const r of runners) expect(Math.abs(r.requests / requestsOf(result) - 0.5)).toBeLessThan(0.02);
  // Three replicas, each its own scrape instance, each serving a third and injecting both faults.
  expect(result.target.replicas).toHaveLength(3);
  for (const [phase, type] of [
    ['latency', 'latency'],
    ['errors', 'error'],
  ]) {
    const replicas = replicasOf(result, phase);
    expect(replicas.map((r) => r.instance).sort()).toEqual(
      result.target.replicas!.map((url) => url.replace('http://', '')).sort(),
    );
    for (const r of replicas) expect(r.injections[type]).toBeGreaterThan(0);
  }
  for (const r of replicasOf(result, 'baseline'))
    expect(Math.abs(r.requests / (result.load.rate * 15) - 1 / 3)).toBeLessThan(0.08);
  // The switch ran once, in runner 1: the other was told to leave it.
  const switched = journalOf(join(reports, 'latest')).filter(
    (e) => e.event === 'k6.output' && /phase \w+: faults on/.test(String(e.line)),
  );
  expect(new Set(switched.map((e) => e.runner))).toEqual(new Set(['1']));
}, 260_000);

test('a k6 runner that dies mid-run aborts the run (exit 2), naming the runner; the raw results of both are kept', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-runner-dies-'));
  const run = startRoque(
    ['run', 'chaos/runner/fixtures/k6-dies.yaml', '--runners', '2', '--no-dashboards', '--reports', reports],
    {},
    120_000,
  );
  const deadline = Date.now() + 60_000;
  let runDir: string | null = null;
  let pid: number | undefined;
  while (Date.now() < deadline && pid === undefined) {
    runDir = runDirOf(reports);
    const started = runDir ? journalOf(runDir).find((e) => e.event === 'k6.start' && e.runner === '2') : undefined;
    if (started && existsSync(join(runDir!, 'k6', 'requests-2.csv'))) pid = started.pid as number;
    if (run.child.exitCode !== null) throw new Error(`the run ended early:\n${run.output()}`);
    await sleep(100);
  }
  expect(pid).toBeDefined();
  await sleep(4_000);
  process.kill(pid!, 'SIGKILL');
  const done = await run.done;
  expect(done.code).toBe(2);
  const result = resultOf(runDir!);
  expect(result).toMatchObject({
    status: 'aborted',
    abortReason: 'k6 runner 2 of 2 ended early: exit 137 (killed by signal 9)',
  });
  expect(result.load.runners!.map((r) => [r.instanceId, r.k6ExitCode])).toEqual([
    ['1', 105],
    ['2', 137],
  ]);
  expect(result.checks.every((c) => !c.passed)).toBe(true);
  expect(existsSync(join(runDir!, 'k6', 'requests.csv.gz'))).toBe(true);
  expect(result.load.runners!.every((r) => r.requests > 0)).toBe(true);
}, 130_000);
