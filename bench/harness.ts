// Harness cost: what Roque itself costs to run.
//   build:        wall time of bundling every scenario (node webpack-free-build.mjs --only
//                 scenarios: Node's start plus esbuild), median of several builds, and the
//                 bundling alone as the build script reports it;
//   remote write: k6 streaming its results into the launcher's Prometheus at stepped-up
//                 request rates. A step holds when k6 keeps the rate (≤ 1% dropped), no
//                 request fails, Prometheus rejects no sample (out of order, out of bounds,
//                 too old) and no write request, k6 logs no remote-write error or warning
//                 (a flush slower than its interval included), and the k6_http_reqs_total
//                 that arrived adds up to the requests k6 counted.
// The load goes to the bare node:http dice server, so the server is not what limits the rate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusClient } from '../chaos/runner/prometheus';
import { freePort } from '../chaos/local/network';
import { REPO_ROOT } from '../chaos/tools';
import { startStack } from '../chaos/stack';
import { runBenchK6, summaryValue } from './lib/k6';
import { parsePromText, sumOf } from './lib/prom-text';
import { fixed, median, sleep, type SuiteResult } from './lib/results';
import { startBareDice } from './lib/servers';

interface BuildTimes {
  wallMs: number[];
  bundleMs: number[];
  scenarios: number;
}

function timeScenarioBuilds(times: number): BuildTimes {
  const result: BuildTimes = { wallMs: [], bundleMs: [], scenarios: 0 };
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'webpack-free-build.mjs'), '--only', 'scenarios'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    result.wallMs.push(performance.now() - started);
    if (build.status !== 0) throw new Error(`the scenario build failed:\n${build.stdout}${build.stderr}`);
    // "build: 7 scenarios (520 ms) in 520 ms"
    const reported = /(\d+) scenarios \((\d+) ms\)/.exec(build.stdout);
    if (reported) {
      result.scenarios = Number(reported[1]);
      result.bundleMs.push(Number(reported[2]));
    }
  }
  return result;
}

/** Prometheus' own counters of rejected samples and failed remote writes (from its /metrics, exact). */
async function rejections(prometheusUrl: string) {
  const samples = parsePromText(
    await (await fetch(`${prometheusUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text(),
  );
  // In 2.42 these carry a `type` label and exist only after the first rejection: absent = 0.
  const write = { handler: '/api/v1/write' };
  return {
    outOfOrder: sumOf(samples, 'prometheus_tsdb_out_of_order_samples_total'),
    outOfBounds: sumOf(samples, 'prometheus_tsdb_out_of_bound_samples_total'),
    tooOld: sumOf(samples, 'prometheus_tsdb_too_old_samples_total'),
    writeErrors: sumOf(samples, 'prometheus_http_requests_total', { ...write, code: /^[45]/ }),
    writes: sumOf(samples, 'prometheus_http_requests_total', write),
  };
}

/** Past the highest rate held, stepping goes on up to this share of dropped iterations. */
const MAX_DROPPED_TO_CONTINUE = 0.1;

interface RemoteWriteStep {
  rate: number;
  requests: number;
  arrivedInPrometheus: number | null;
  droppedShare: number;
  failedShare: number;
  rejectedSamples: number;
  writeErrors: number;
  writes: number;
  k6WriteErrors: number;
  /** Every sample arrived and none was rejected, whatever k6's own pace. */
  writeClean: boolean;
  /** writeClean, and k6 kept the rate (≤ 1% dropped) with no failed request. */
  holds: boolean;
}

async function remoteWriteSteps(rates: number[], seconds: number): Promise<RemoteWriteStep[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roque-bench-rw-'));
  const target = await startBareDice(await freePort());
  const steps: RemoteWriteStep[] = [];
  const stack = await startStack({ dataDir, prometheusPort: await freePort(), alertmanagerPort: null }).catch(
    async (error: unknown) => {
      await target.stop();
      throw error;
    },
  );
  try {
    const prometheus = new PrometheusClient(stack.prometheusUrl);
    for (const rate of rates) {
      const before = await rejections(stack.prometheusUrl);
      const testid = `bench-rw-${rate}-${Date.now()}`;
      const run = await runBenchK6({
        script: 'steady.js',
        testid,
        prometheusUrl: stack.prometheusUrl,
        env: { BASE_URL: target.url, RATE: String(rate), DURATION: `${seconds}s`, MAX_LATENCY_MS: '20', PHASE: 'rw' },
        timeoutMs: (seconds + 60) * 1000,
      });
      if (!run.summary) throw new Error(`k6 exited ${run.exitCode} without a summary at ${rate}/s:\n${run.output}`);
      await sleep(1_000); // k6 flushes its last batch on exit; let Prometheus commit it
      const after = await rejections(stack.prometheusUrl);
      const requests = summaryValue(run.summary, 'http_reqs', 'count');
      const dropped = summaryValue(run.summary, 'dropped_iterations', 'count');
      const arrivedInPrometheus = await prometheus.scalar(
        `sum(max_over_time(k6_http_reqs_total{testid="${testid}"}[10m]))`,
        Date.now(),
      );
      const k6WriteErrors = run.output
        .split('\n')
        .filter((line) => /level=(error|warning)/.test(line) && /remote|prometheus|write|flush/i.test(line)).length;
      const step: RemoteWriteStep = {
        rate,
        requests,
        arrivedInPrometheus,
        droppedShare: dropped / (requests + dropped),
        failedShare: summaryValue(run.summary, 'http_req_failed', 'rate'),
        rejectedSamples:
          after.outOfOrder +
          after.outOfBounds +
          after.tooOld -
          (before.outOfOrder + before.outOfBounds + before.tooOld),
        writeErrors: after.writeErrors - before.writeErrors,
        writes: after.writes - before.writes,
        k6WriteErrors,
        writeClean: false,
        holds: false,
      };
      step.writeClean =
        step.rejectedSamples === 0 && step.writeErrors === 0 && k6WriteErrors === 0 && arrivedInPrometheus === requests;
      step.holds = step.writeClean && step.droppedShare <= 0.01 && step.failedShare === 0;
      steps.push(step);
      console.log(
        `harness: remote write at ${rate}/s: ${requests} requests, ${arrivedInPrometheus ?? 'none'} in Prometheus, dropped ${fixed(step.droppedShare * 100)}%, ` +
          `${step.rejectedSamples} samples rejected, ${step.writeErrors}/${step.writes} writes failed, ${k6WriteErrors} k6 errors → ${step.holds ? 'holds' : 'does not hold'}`,
      );
      // Past a failed step, go on only while the remote write stays clean and k6 is not far
      // behind: it shows whether the write path or the load generator gives out first.
      if (!step.writeClean || step.droppedShare > MAX_DROPPED_TO_CONTINUE) break;
    }
  } finally {
    await stack.stop();
    await target.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return steps;
}

export async function harnessSuite({ quick }: { quick: boolean }): Promise<SuiteResult> {
  const builds = timeScenarioBuilds(quick ? 3 : 7);
  console.log(`harness: scenario builds ${builds.wallMs.map((ms) => ms.toFixed(0)).join(', ')} ms (wall)`);
  const seconds = quick ? 5 : 15;
  const rates = quick ? [500, 1000] : [1000, 1500, 2000, 2500, 3000, 4000, 6000, 8000, 12000];
  const steps = await remoteWriteSteps(rates, seconds);
  const firstFailing = steps.findIndex((s) => !s.holds);
  const maxRate = (firstFailing === -1 ? steps : steps.slice(0, firstFailing)).at(-1)?.rate ?? null;
  const cleanStep = steps.filter((s) => s.writeClean).at(-1);
  const maxCleanWriteRate = cleanStep?.rate ?? null;
  const cleanSent = cleanStep ? cleanStep.requests / seconds : null;
  const markdown = [
    `| build of all ${builds.scenarios} scenarios | median | runs | target |`,
    '|---|---|---|---|',
    `| wall time (Node start + esbuild + writing) | **${fixed(median(builds.wallMs), 0)} ms** | ${builds.wallMs.map((x) => x.toFixed(0)).join(', ')} | < 1000 ms |`,
    `| bundling alone (as the build script reports) | ${fixed(median(builds.bundleMs), 0)} ms | ${builds.bundleMs.join(', ')} | |`,
    '',
    `**k6 remote write**: highest rate the machine held (k6 kept the rate, ≤ 1% dropped) with zero samples rejected and every request counted in Prometheus: ` +
      `**${maxRate === null ? 'none of the steps' : `${maxRate} req/s`}**` +
      (firstFailing === -1 ? ' (the highest step tried)' : ` (${steps[firstFailing].rate}/s did not hold)`) +
      `. Highest rate at which the remote write itself stayed clean (nothing rejected, nothing lost), whatever k6's pace: **${maxCleanWriteRate ?? '–'} req/s asked, ${fixed(cleanSent, 0)} req/s sent**` +
      (steps.at(-1)?.writeClean
        ? ' (stepping stopped there because k6 fell more than 10% behind, not because of the write path).'
        : '.'),
    '',
    '| rate asked (req/s) | rate sent (req/s) | requests (k6) | k6_http_reqs_total in Prometheus | dropped | failed | samples rejected | write requests failed / sent | k6 remote-write errors or warnings (e.g. slow flushes) | holds |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (s) =>
        `| ${s.rate} | ${fixed(s.requests / seconds, 0)} | ${s.requests} | ${s.arrivedInPrometheus ?? '–'} | ${fixed(s.droppedShare * 100)}% | ${fixed(s.failedShare * 100)}% | ${s.rejectedSamples} | ${s.writeErrors} / ${s.writes} | ${s.k6WriteErrors} | ${s.holds ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
  return {
    ranAt: new Date().toISOString(),
    settings:
      `${builds.wallMs.length} builds of the scenarios; remote write: k6 (core 1) at ${rates.join(', ')} req/s for ${seconds} s each, a fresh testid per step, ` +
      `stopping when the write path is no longer clean or k6 drops more than ${MAX_DROPPED_TO_CONTINUE * 100}% of iterations, ` +
      "against the bare node:http dice server (core 0), into the launcher's Prometheus 2.42 (unpinned) with Roque's remote-write settings (trend stats p50/p90/p95/p99/avg/min/max, stale markers).",
    markdown,
    data: { builds, steps, maxRate, maxCleanWriteRate },
  };
}
