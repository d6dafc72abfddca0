// Injection fidelity: does the fault engine inject what it is asked to? For each level
// (latency 50/200/1000 ms, error 1/10/50%) the app runs under steady open-model k6 load
// with the fault on for the whole run, after one baseline run with none. Three views:
//   injected: the engine's own chaos_* counters (what it says it did);
//   server:   the app's request histogram, from /metrics taken just before and after the run
//             (exact deltas, no scrape interval in between);
//   client:   k6's raw per-request results (chaos/runner/raw-results.ts reads them).
// Intervals come from chaos/stats: Hodges-Lehmann shift against the baseline (95%),
// bootstrap median, Wilson intervals for shares. The histogram gives the server's median
// only to its bucket; its mean (_sum/_count) is exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../chaos/admin/admin-client';
import type { FaultSpecInput } from '../chaos/contract/faults';
import { LABELS, METRICS } from '../chaos/contract/metrics';
import { startApp, type AppProcess } from '../chaos/local/app-process';
import { msWithInterval, pctWithInterval } from '../chaos/report/format';
import { readRawResults } from '../chaos/runner/raw-results';
import { bootstrapQuantile, hodgesLehmann, wilsonInterval, type Estimate } from '../chaos/stats';
import { runBenchK6, SERVER_CORE } from './lib/k6';
import { bucketsOf, parsePromText, quantileBucket, sumOf, type PromTextSample } from './lib/prom-text';
import { fixed, type SuiteResult } from './lib/results';

interface Level {
  name: string;
  fault: FaultSpecInput | null;
  /** The injected figure: a delay in ms or an error share. */
  injected: number;
}

const LEVELS: Level[] = [
  { name: 'baseline', fault: null, injected: 0 },
  ...[50, 200, 1000].map((delayMs) => ({
    name: `latency ${delayMs} ms`,
    fault: { type: 'latency', delayMs, routes: ['/'] } as FaultSpecInput,
    injected: delayMs,
  })),
  ...[0.01, 0.1, 0.5].map((probability) => ({
    name: `error 500 × ${probability * 100}%`,
    fault: { type: 'error', status: 500, probability, routes: ['/'] } as FaultSpecInput,
    injected: probability,
  })),
];

const DICE = { [LABELS.route]: '/' };
const SERVER_5XX = { ...DICE, [LABELS.status]: /^5/ };

/** What the app's /metrics says about the dice route, at one moment. */
interface ServerCounters {
  requests: number;
  durationSum: number;
  errors5xx: number;
  delaySum: number;
  delayCount: number;
  injectedErrors: number;
  samples: PromTextSample[];
}

async function serverCounters(app: AppProcess): Promise<ServerCounters> {
  const res = await fetch(`${app.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const samples = parsePromText(await res.text());
  return {
    requests: sumOf(samples, `${METRICS.httpServerDuration}_count`, DICE),
    durationSum: sumOf(samples, `${METRICS.httpServerDuration}_sum`, DICE),
    errors5xx: sumOf(samples, `${METRICS.httpServerDuration}_count`, SERVER_5XX),
    delaySum: sumOf(samples, `${METRICS.injectedDelay}_sum`, DICE),
    delayCount: sumOf(samples, `${METRICS.injectedDelay}_count`, DICE),
    injectedErrors: sumOf(samples, METRICS.injections, { ...DICE, [LABELS.faultType]: 'error' }),
    samples,
  };
}

interface LevelResult {
  level: string;
  injected: number;
  client: { n: number; dropped: number; medianMs: Estimate; shiftMs: Estimate | null; errorShare: Estimate };
  server: {
    n: number;
    meanMs: number;
    meanShiftMs: number | null;
    medianBucketMs: { low: number; high: number } | null;
    errorShare: Estimate;
    /** What the engine counted: mean injected delay (ms) and requests it failed. */
    injectedMeanDelayMs: number | null;
    injectedErrors: number;
  };
}

export async function fidelitySuite({ quick }: { quick: boolean }): Promise<SuiteResult> {
  const rate = quick ? 100 : 200;
  const seconds = quick ? 5 : 20;
  const dir = mkdtempSync(join(tmpdir(), 'roque-bench-fidelity-'));
  const app = await startApp({ wrapper: SERVER_CORE });
  const admin = new AdminClient({ target: app.url, token: app.adminToken });
  const results: LevelResult[] = [];
  let baselineDurations: number[] = [];
  let baselineMeanMs = 0;
  try {
    for (const level of LEVELS) {
      const before = await serverCounters(app);
      const fault = level.fault ? await admin.add({ ...level.fault, ttlSeconds: seconds + 60 }) : null;
      const rawFile = join(dir, `${results.length}.csv`);
      const run = await runBenchK6({
        script: 'steady.js',
        testid: `bench-fidelity-${Date.now()}`,
        rawOutputFile: rawFile,
        env: {
          BASE_URL: app.url,
          RATE: String(rate),
          DURATION: `${seconds}s`,
          MAX_LATENCY_MS: String(level.fault?.type === 'latency' ? level.injected + 100 : 100),
          PHASE: 'level',
        },
        timeoutMs: (seconds + 60) * 1000,
      });
      // k6 waits for every request in flight before it exits, so all of them ran under the fault.
      if (fault) await admin.remove(fault.id);
      const after = await serverCounters(app);
      if (run.exitCode !== 0) throw new Error(`k6 exited ${run.exitCode} at ${level.name}:\n${run.output}`);
      const { requests, dropped } = await readRawResults(rawFile);
      const durations = requests.map((r) => r.durationMs);
      const n = after.requests - before.requests;
      const meanMs = (1000 * (after.durationSum - before.durationSum)) / n;
      // The histogram's buckets of this run alone: after minus before, bound by bound.
      const beforeBuckets = new Map(bucketsOf(before.samples, METRICS.httpServerDuration, DICE));
      const runBuckets = bucketsOf(after.samples, METRICS.httpServerDuration, DICE).map(
        ([le, c]) => [le, c - (beforeBuckets.get(le) ?? 0)] as [number, number],
      );
      const medianBucket = quantileBucket(runBuckets, 0.5);
      const delayCount = after.delayCount - before.delayCount;
      if (level.fault === null) {
        baselineDurations = durations;
        baselineMeanMs = meanMs;
      }
      const result: LevelResult = {
        level: level.name,
        injected: level.injected,
        client: {
          n: durations.length,
          dropped: dropped.reduce((sum, d) => sum + d.count, 0),
          medianMs: bootstrapQuantile(durations, 0.5),
          shiftMs: level.fault ? hodgesLehmann(baselineDurations, durations) : null,
          errorShare: wilsonInterval(requests.filter((r) => r.failed).length, durations.length),
        },
        server: {
          n,
          meanMs,
          meanShiftMs: level.fault ? meanMs - baselineMeanMs : null,
          medianBucketMs: medianBucket && { low: medianBucket.low * 1000, high: medianBucket.high * 1000 },
          errorShare: wilsonInterval(after.errors5xx - before.errors5xx, n),
          injectedMeanDelayMs: delayCount > 0 ? (1000 * (after.delaySum - before.delaySum)) / delayCount : null,
          injectedErrors: after.injectedErrors - before.injectedErrors,
        },
      };
      results.push(result);
      console.log(
        `fidelity: ${level.name.padEnd(18)} client n=${result.client.n} shift ${msWithInterval(result.client.shiftMs)} errors ${pctWithInterval(result.client.errorShare)} · ` +
          `server n=${n} mean shift ${fixed(result.server.meanShiftMs, 1)} ms errors ${pctWithInterval(result.server.errorShare)}`,
      );
    }
  } finally {
    await admin.clear().catch(() => undefined);
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return report(results, rate, seconds);
}

function report(results: LevelResult[], rate: number, seconds: number): SuiteResult {
  const latency = results.filter((r) => r.level.startsWith('latency'));
  const errors = results.filter((r) => r.level.startsWith('error'));
  const baseline = results.find((r) => r.level === 'baseline')!;
  const contains = (e: Estimate, x: number) => (e.low <= x && x <= e.high ? 'yes' : 'no');
  // Two decimals: the bias of a few tenths of a millisecond is the finding, and the report's
  // ms format rounds a 1000 ms shift to whole milliseconds.
  const withInterval = (e: Estimate | null) => (e ? `${fixed(e.value)} [${fixed(e.low)}, ${fixed(e.high)}]` : '–');
  const bucket = (b: { low: number; high: number } | null) => (b ? `(${fixed(b.low, 0)}, ${fixed(b.high, 0)}]` : '–');
  const markdown = [
    `Baseline (no fault): client median ${withInterval(baseline.client.medianMs)} ms, n = ${baseline.client.n}; server mean ${fixed(baseline.server.meanMs, 2)} ms, n = ${baseline.server.n}; errors ${pctWithInterval(baseline.client.errorShare)}.`,
    '',
    "**Latency.** Shift against the baseline: client = Hodges-Lehmann with its 95% interval; server = difference of the histogram means (_sum/_count, exact), with the bucket the server median falls in; injected = the engine's mean of `chaos_injected_delay_seconds`.",
    '',
    '| injected | client shift (ms) [95%] | client − injected (ms) | client median (ms) [95%] | server mean shift (ms) | server median bucket (ms) | engine mean delay (ms) | n client / server | dropped |',
    '|---|---|---|---|---|---|---|---|---|',
    ...latency.map(
      (r) =>
        `| ${r.injected} ms | ${withInterval(r.client.shiftMs)} | ${fixed(r.client.shiftMs!.value - r.injected, 2)} | ${withInterval(r.client.medianMs)} | ${fixed(r.server.meanShiftMs, 2)} | ${bucket(r.server.medianBucketMs)} | ${fixed(r.server.injectedMeanDelayMs, 2)} | ${r.client.n} / ${r.server.n} | ${r.client.dropped} |`,
    ),
    '',
    '**Errors.** Share of failed requests with Wilson 95% intervals: client = k6 `expected_response=false`; server = 5xx count / requests from the histogram; engine = `chaos_injections_total{type="error"}`.',
    '',
    '| injected | client share [95%] | interval holds injected | server share [95%] | interval holds injected | engine count / server 5xx | n client / server | dropped |',
    '|---|---|---|---|---|---|---|---|',
    ...errors.map(
      (r) =>
        `| ${fixed(r.injected * 100, 0)}% | ${pctWithInterval(r.client.errorShare)} | ${contains(r.client.errorShare, r.injected)} | ${pctWithInterval(r.server.errorShare)} | ${contains(r.server.errorShare, r.injected)} | ${r.server.injectedErrors} / ${Math.round(r.server.errorShare.value * r.server.n)} | ${r.client.n} / ${r.server.n} | ${r.client.dropped} |`,
    ),
  ].join('\n');
  return {
    ranAt: new Date().toISOString(),
    settings: `one app started as npm run app starts it (metrics, fault engine, JSON logs; no OTLP endpoint) on core 0; k6 on core 1 at ${rate} req/s constant arrival rate for ${seconds} s per level, the fault on for the whole run; one baseline run first.`,
    markdown,
    data: { rate, seconds, results },
  };
}
