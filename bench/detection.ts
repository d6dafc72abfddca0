// Time-to-detect: under steady k6 load, with a real Prometheus (the local launcher's, 5 s
// scrape, the stack's own rules), a fault is switched on and the bench polls
// /api/v1/alerts every 0.5 s until its alert fires, then switches it off and polls until
// the alert resolves. A 200 ms latency fault is watched through RoqueHighMedianLatency, a
// 10% HTTP 500 fault through RoqueHighErrorRate; the two alternate, so each starts with a
// window its own signal has not seen a fault in for longer than the rate window.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AdminClient } from '../chaos/admin/admin-client';
import { parseDuration } from '../chaos/contract/duration';
import type { FaultSpecInput } from '../chaos/contract/faults';
import { startApp } from '../chaos/local/app-process';
import { freePort } from '../chaos/local/network';
import { PrometheusClient, type PromAlert } from '../chaos/runner/prometheus';
import { seededRandom } from '../chaos/stats';
import { REPO_ROOT } from '../chaos/tools';
import { startStack } from '../chaos/stack';
import { detectionBounds } from '../chaos/matrix/detection-floor';
import { runBenchK6, SERVER_CORE } from './lib/k6';
import { fixed, median, sleep, type SuiteResult } from './lib/results';

const POLL_MS = 500;
/** Give up on one episode after this long: a miss is recorded, the run goes on. */
const EPISODE_TIMEOUT_MS = 60_000;
const LOAD_RATE = 50;

interface Probe {
  name: string;
  alert: string;
  fault: FaultSpecInput;
  /** Share of the window's span the fault must fill to cross the alert's threshold. */
  requiredFaultShare: number;
}

const PROBES: Probe[] = [
  // Every delayed request is over the 100 ms median threshold: half the span must be delayed.
  {
    name: 'latency 200 ms',
    alert: 'RoqueHighMedianLatency',
    fault: { type: 'latency', delayMs: 200, routes: ['/'] },
    requiredFaultShare: 0.5,
  },
  // 10% errors against a 5% threshold: 0.05 / 0.10 of the span.
  {
    name: 'error 500 × 10%',
    alert: 'RoqueHighErrorRate',
    fault: { type: 'error', status: 500, probability: 0.1, routes: ['/'] },
    requiredFaultShare: 0.5,
  },
];

interface Episode {
  probe: string;
  repeat: number;
  /** Seconds from the injection to the alert's `activeAt` (the evaluation that made it pending). */
  pendingAfterS: number | null;
  /** Seconds from the injection to the first poll that saw it firing; null: missed. */
  firedAfterS: number | null;
  /** Seconds from the removal to the first poll that saw it gone. */
  resolvedAfterS: number | null;
}

export interface AlertTiming {
  scrapeSeconds: number;
  ruleIntervalSeconds: number;
  windowSeconds: number;
  forSeconds: number;
}

/** The timing of `alert` as stack/prometheus configures it: the floor comes from the real files. */
export function alertTiming(alert: string): AlertTiming {
  const prometheus = parse(readFileSync(join(REPO_ROOT, 'stack/prometheus/prometheus.yml'), 'utf8'));
  const rules = parse(readFileSync(join(REPO_ROOT, 'stack/prometheus/rules/golden-signals.yml'), 'utf8'));
  const seconds = (text: string) => parseDuration(text) / 1000;
  const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'target-app');
  for (const group of rules.groups as {
    interval?: string;
    rules: { alert?: string; record?: string; expr: string; for?: string }[];
  }[]) {
    const rule = group.rules.find((r) => r.alert === alert);
    if (!rule) continue;
    // The alert reads a recording rule; its range selector is the window.
    const recorded = group.rules.find((r) => r.record && rule.expr.includes(r.record));
    const range = /\[(\w+)\]/.exec(recorded?.expr ?? rule.expr);
    if (!range) throw new Error(`${alert}: no range selector found in its rule`);
    return {
      scrapeSeconds: seconds(job?.scrape_interval ?? prometheus.global.scrape_interval),
      ruleIntervalSeconds: seconds(group.interval ?? prometheus.global.evaluation_interval),
      windowSeconds: seconds(range[1]),
      forSeconds: rule.for ? seconds(rule.for) : 0,
    };
  }
  throw new Error(`alert ${alert} not found in stack/prometheus/rules/golden-signals.yml`);
}

async function alertState(prometheus: PrometheusClient, alert: string): Promise<PromAlert | undefined> {
  return (await prometheus.alerts()).find((a) => a.labels.alertname === alert);
}

/** Polls until `done` holds for the alert's state; returns when (ms), or null at the timeout. */
async function pollUntil(
  prometheus: PrometheusClient,
  alert: string,
  done: (a: PromAlert | undefined) => boolean,
  onPoll?: (a: PromAlert | undefined) => void,
): Promise<number | null> {
  const deadline = Date.now() + EPISODE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = await alertState(prometheus, alert);
    onPoll?.(state);
    if (done(state)) return Date.now();
    await sleep(POLL_MS);
  }
  return null;
}

export async function detectionSuite({ quick }: { quick: boolean }): Promise<SuiteResult> {
  const repeats = quick ? 1 : 5;
  const dataDir = mkdtempSync(join(tmpdir(), 'roque-bench-detection-'));
  const app = await startApp({ wrapper: SERVER_CORE });
  const stopLoad = new AbortController();
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  let load: ReturnType<typeof runBenchK6> | undefined;
  const episodes: Episode[] = [];
  try {
    stack = await startStack({
      dataDir,
      appTargets: [`127.0.0.1:${app.port}`],
      prometheusPort: await freePort(),
      alertmanagerPort: null,
    });
    const prometheus = new PrometheusClient(stack.prometheusUrl);
    const admin = adminOf(app);
    // Bounded: every episode can take at most two timeouts, plus the warm-up.
    const boundSeconds = Math.ceil((repeats * PROBES.length * 2 * EPISODE_TIMEOUT_MS + 120_000) / 1000);
    load = runBenchK6({
      script: 'steady.js',
      testid: `bench-detection-${Date.now()}`,
      env: {
        BASE_URL: app.url,
        RATE: String(LOAD_RATE),
        DURATION: `${boundSeconds}s`,
        MAX_LATENCY_MS: '300',
        PHASE: 'detection',
      },
      timeoutMs: (boundSeconds + 30) * 1000,
      signal: stopLoad.signal,
    });
    // Warm-up: the window must be full of healthy traffic before the first injection.
    const warm = await pollUntilReady(prometheus);
    console.log(
      `detection: load steady at ${LOAD_RATE}/s, Prometheus has a full window (${(warm / 1000).toFixed(0)} s)`,
    );
    const lastRemoval = new Map<string, number>();
    const jitter = seededRandom(7);
    for (let repeat = 1; repeat <= repeats; repeat++) {
      for (const probe of PROBES) {
        const timing = alertTiming(probe.alert);
        // A clean window for this signal: the previous fault of its kind is out of it, and nothing pends.
        const cleanAt = (lastRemoval.get(probe.name) ?? 0) + (timing.windowSeconds + timing.scrapeSeconds) * 1000;
        await sleep(Math.max(0, cleanAt - Date.now()));
        await pollUntil(prometheus, probe.alert, (a) => a === undefined);
        // Each episode ends on a rule evaluation, so without this the next injection would
        // keep the same phase against the scrapes and evaluations and sample one point of the
        // distribution; a uniform wait over one scrape interval spreads the phases.
        await sleep(jitter() * timing.scrapeSeconds * 1000);
        const fault = await admin.add({ ...probe.fault, ttlSeconds: 120 });
        const injectedAt = Date.now();
        let activeAt: number | null = null;
        const firedAt = await pollUntil(
          prometheus,
          probe.alert,
          (a) => a?.state === 'firing',
          (a) => {
            if (a) activeAt ??= Date.parse(a.activeAt);
          },
        );
        // The same for the removal: firing is seen right after an evaluation.
        await sleep(jitter() * timing.scrapeSeconds * 1000);
        await admin.remove(fault.id);
        const removedAt = Date.now();
        lastRemoval.set(probe.name, removedAt);
        const resolvedAt = firedAt === null ? null : await pollUntil(prometheus, probe.alert, (a) => a === undefined);
        const episode: Episode = {
          probe: probe.name,
          repeat,
          pendingAfterS: activeAt === null ? null : (activeAt - injectedAt) / 1000,
          firedAfterS: firedAt === null ? null : (firedAt - injectedAt) / 1000,
          resolvedAfterS: resolvedAt === null ? null : (resolvedAt - removedAt) / 1000,
        };
        episodes.push(episode);
        console.log(
          `detection: ${probe.name} #${repeat}: pending after ${fixed(episode.pendingAfterS, 1)} s, ` +
            `${probe.alert} fired after ${fixed(episode.firedAfterS, 1)} s, resolved ${fixed(episode.resolvedAfterS, 1)} s after removal`,
        );
      }
    }
  } finally {
    await adminOf(app)
      .clear()
      .catch(() => undefined);
    stopLoad.abort();
    await load?.catch(() => undefined);
    await stack?.stop();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return report(episodes, repeats);
}

const adminOf = (app: { url: string; adminToken: string }) =>
  new AdminClient({ target: app.url, token: app.adminToken });

/** Waits until the server's request-rate rule has a full window of samples behind it. */
async function pollUntilReady(prometheus: PrometheusClient): Promise<number> {
  const started = Date.now();
  const deadline = started + 90_000;
  let firstSeen: number | null = null;
  while (Date.now() < deadline) {
    const rate = await prometheus
      .scalar('job:http_server_requests:rate20s{job="target-app"}', Date.now())
      .catch(() => null);
    if (rate !== null && rate > 0) firstSeen ??= Date.now();
    // The rule needs two samples to give a rate; twenty more seconds fill the window.
    if (firstSeen !== null && Date.now() - firstSeen >= 20_000) return Date.now() - started;
    await sleep(POLL_MS);
  }
  throw new Error('Prometheus saw no request rate from the app within 90 s (is it scraping?)');
}

function report(episodes: Episode[], repeats: number): SuiteResult {
  const rows = PROBES.map((probe) => {
    const timing = alertTiming(probe.alert);
    const bounds = detectionBounds({
      ...timing,
      pollSeconds: POLL_MS / 1000,
      requiredFaultShare: probe.requiredFaultShare,
    });
    const mine = episodes.filter((e) => e.probe === probe.name);
    const fired = mine.map((e) => e.firedAfterS).filter((x): x is number => x !== null);
    const resolved = mine.map((e) => e.resolvedAfterS).filter((x): x is number => x !== null);
    const pending = mine.map((e) => e.pendingAfterS).filter((x): x is number => x !== null);
    const stats = (xs: number[]) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs), all: xs });
    return {
      probe: probe.name,
      alert: probe.alert,
      timing,
      bounds,
      missed: mine.length - fired.length,
      pending: stats(pending),
      fired: stats(fired),
      resolved: stats(resolved),
      allWithin30s: fired.length === mine.length && fired.every((s) => s <= 30),
    };
  });
  const range = (s: { min: number; median: number; max: number }) =>
    `${fixed(s.min, 1)} / **${fixed(s.median, 1)}** / ${fixed(s.max, 1)}`;
  const floor = (b: { min: number; max: number }) => `${fixed(b.min, 1)}–${fixed(b.max, 1)}`;
  const t = rows[0].timing;
  const b = rows[0].bounds;
  const markdown = [
    '| fault → alert | fired after (s) min / **median** / max | every one ≤ 30 s | model bounds (s) | pending after (s) min / median / max | resolved after removal (s) min / **median** / max | model bounds (s) | all fired (s) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.probe} → ${r.alert} | ${range(r.fired)} | ${r.allWithin30s ? 'yes' : `**no** (${r.missed} missed)`} | ${floor(r.bounds.fire)} | ${range(r.pending)} | ${range(r.resolved)} | ${floor(r.bounds.resolve)} | ${r.fired.all.map((x) => x.toFixed(1)).join(', ')} |`,
    ),
    '',
    `**The floor.** Scrape ${t.scrapeSeconds} s, rule interval ${t.ruleIntervalSeconds} s, window ${t.windowSeconds} s, \`for: ${t.forSeconds}s\`, poll ${POLL_MS / 1000} s. ` +
      `A ${t.windowSeconds} s window holds ${t.windowSeconds / t.scrapeSeconds} scrapes, so rate() sees a ${b.spanSeconds} s span. ` +
      `Both faults cross their thresholds once half of that span is faulty (every delayed request is over the 100 ms median threshold, so more than half must be delayed; 10% errors against 5% need half the span too): ` +
      `${b.leadSeconds} s after the injection at the earliest. The alert is pending from the first evaluation after that scrape and fires ${t.forSeconds} s later. ` +
      `So it fires **${floor(b.fire)} s** after the injection: ${b.fire.min} s when a scrape and an evaluation land exactly then, ` +
      `plus up to one scrape interval, one rule interval and one poll in the worst phase. It resolves ${floor(b.resolve)} s after the removal (no \`for\` on the way down). ` +
      'The `for` and the half-span lead are the floor these settings set: halving the window (10 s) or `for` (5 s) would each take 5 s off it. ' +
      'The first error episode of a run can take up to one scrape more: the app exports no 5xx series until the first 500, and rate() needs two samples of a new series.',
  ].join('\n');
  return {
    ranAt: new Date().toISOString(),
    settings: `${repeats} repeat(s) of each fault, alternating, each injected and removed after a random (seeded, uniform) wait of up to one scrape interval so both fall at different phases of the scrapes and evaluations, under ${LOAD_RATE} req/s steady k6 load (constant arrival rate); Prometheus from the local launcher with stack/prometheus's config and rules; app on core 0, k6 on core 1; alerts polled every ${POLL_MS / 1000} s.`,
    markdown,
    data: { rows, episodes },
  };
}
