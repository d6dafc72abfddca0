// `node dist/bench/soak.js`: a soak of the real app at a steady rate, twice: first with no
// fault, then with a fault switched on and off every 30 s, to show that neither the service
// nor the fault engine leaks. The app's own /metrics is sampled every few seconds: resident
// memory, heap, event-loop lag, requests and errors per interval, active faults. Writes
// bench/results/soak-<date>.{md,json}.
//
//   --minutes N          minutes per part (10)
//   --rate R             requests per second (200)
//   --sample-seconds S   sampling interval (5)
//   --cycle-seconds C    fault on for C seconds, then off for C seconds (30)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaultSpecInput } from '../chaos/contract/faults';
import { startApp, type AppProcess } from '../chaos/local/app-process';
import { REPO_ROOT, tools } from '../chaos/tools';
import { parsePromText, sumOf, type PromTextSample } from './lib/prom-text';
import { median } from './lib/results';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'sample-seconds': { type: 'string', default: '5' },
    'cycle-seconds': { type: 'string', default: '30' },
  },
});
const MINUTES = positive('minutes');
const RATE = positive('rate');
const SAMPLE_MS = positive('sample-seconds') * 1000;
const CYCLE_MS = positive('cycle-seconds') * 1000;
/** Samples in the first minute (JIT, pools, first GCs) are the warm-up, not growth. */
const WARM_UP_MS = Math.min(60_000, (MINUTES * 60_000) / 4);

/** The fault the second part cycles: a delay and some errors on the dice route, so the engine works on every request. */
const CYCLED_FAULTS: FaultSpecInput[] = [
  { type: 'latency', delayMs: 5, jitterMs: 5, distribution: 'uniform', routes: ['/'] },
  { type: 'error', status: 503, probability: 0.05, routes: ['/'] },
];

const K6_SCRIPT = `
import http from 'k6/http';
export const options = {
  scenarios: { soak: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE), timeUnit: '1s', duration: __ENV.DURATION, preAllocatedVUs: Number(__ENV.VUS), maxVUs: Number(__ENV.VUS) * 4 } },
};
export default function () {
  http.get(__ENV.BASE_URL + '/');
}
`;

function positive(name: keyof typeof flags): number {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: --${name} must be a positive number, not "${flags[name]}"`);
    process.exit(2);
  }
  return value;
}

interface Sample {
  /** Seconds since the part began. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopLagP99Ms: number;
  requests: number;
  /** Answers with status 5xx or none, in this interval; `injected` of them were the fault's. */
  errors: number;
  injected: number;
  activeFaults: number;
  faultOn: boolean;
}

interface Part {
  name: string;
  samples: Sample[];
  summary: Summary;
  k6: { requests: number; failedShare: number; droppedIterations: number; exitCode: number | null };
}

interface Summary {
  rssStartMb: number;
  rssEndMb: number;
  rssGrowthMbPerMinute: number;
  heapStartMb: number;
  heapEndMb: number;
  heapGrowthMbPerMinute: number;
  eventLoopLagP99MsMedian: number;
  eventLoopLagP99MsMax: number;
  requests: number;
  errors: number;
  injected: number;
  /** Errors the fault did not cause: the service's own failures. */
  uninjectedErrors: number;
  activeFaultsAtEnd: number;
}

/** Answers that failed: a 5xx, or none at all (status label 0). */
const FAILING = { http_response_status_code: /^(5\d\d|0)$/ };

async function scrape(app: AppProcess): Promise<PromTextSample[]> {
  const res = await fetch(`${app.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return parsePromText(await res.text());
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function summarise(samples: Sample[]): Summary {
  const settled = samples.filter((s) => s.t * 1000 >= WARM_UP_MS);
  const minutes = settled.map((s) => s.t / 60);
  const sum = (pick: (s: Sample) => number) => samples.reduce((total, s) => total + pick(s), 0);
  const errors = sum((s) => s.errors);
  const injected = sum((s) => s.injected);
  return {
    rssStartMb: round(settled[0]?.rssMb ?? 0),
    rssEndMb: round(samples.at(-1)?.rssMb ?? 0),
    rssGrowthMbPerMinute: round(
      slope(
        minutes,
        settled.map((s) => s.rssMb),
      ),
      3,
    ),
    heapStartMb: round(settled[0]?.heapUsedMb ?? 0),
    heapEndMb: round(samples.at(-1)?.heapUsedMb ?? 0),
    heapGrowthMbPerMinute: round(
      slope(
        minutes,
        settled.map((s) => s.heapUsedMb),
      ),
      3,
    ),
    eventLoopLagP99MsMedian: round(median(samples.map((s) => s.eventLoopLagP99Ms))),
    eventLoopLagP99MsMax: round(Math.max(...samples.map((s) => s.eventLoopLagP99Ms))),
    requests: sum((s) => s.requests),
    errors,
    injected,
    uninjectedErrors: errors - injected,
    activeFaultsAtEnd: samples.at(-1)?.activeFaults ?? 0,
  };
}

/** One part: a fresh app, k6 at the rate for the duration, /metrics sampled throughout. */
async function soak(name: string, cycleFault: boolean, work: string): Promise<Part> {
  const app = await startApp({ env: { LOG_LEVEL: 'warn' } });
  const durationMs = MINUTES * 60_000;
  const summaryFile = join(work, `${name}-summary.json`);
  const script = join(work, 'soak.js');
  writeFileSync(script, K6_SCRIPT);
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${app.url}/admin/faults${path}`, {
      method,
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  try {
    // Pre-allocated with room to spare: a VU started mid-run drops iterations.
    const vus = Math.max(20, Math.ceil(RATE * 0.1));
    const k6 = spawn(tools().k6, ['run', '--quiet', '--summary-export', summaryFile, script], {
      env: { ...process.env, BASE_URL: app.url, RATE: String(RATE), DURATION: `${durationMs}ms`, VUS: String(vus) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const k6Exit = new Promise<number | null>((resolve) => k6.once('exit', resolve));
    const started = Date.now();
    const samples: Sample[] = [];
    let previous = { requests: 0, errors: 0, injected: 0 };
    let faultIds: string[] = [];
    let nextToggle = started + CYCLE_MS;
    let nextSample = started + SAMPLE_MS;
    // One tick a quarter second: switch the fault when its time has come, sample when due.
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, 250));
      const now = Date.now();
      if (cycleFault && now >= nextToggle) {
        if (faultIds.length) {
          for (const id of faultIds) await admin('DELETE', `/${id}`);
          faultIds = [];
        } else {
          for (const spec of CYCLED_FAULTS)
            faultIds.push(
              (
                (await (await admin('POST', '', { ...spec, ttlSeconds: Math.ceil(CYCLE_MS / 1000) * 2 })).json()) as {
                  id: string;
                }
              ).id,
            );
        }
        nextToggle += CYCLE_MS;
      }
      if (now < nextSample) continue;
      nextSample += SAMPLE_MS;
      const metrics = await scrape(app);
      const totals = {
        requests: sumOf(metrics, 'http_server_request_duration_seconds_count'),
        errors: sumOf(metrics, 'http_server_request_duration_seconds_count', FAILING),
        injected: sumOf(metrics, 'chaos_injections_total', FAILING),
      };
      samples.push({
        t: round((now - started) / 1000, 1),
        rssMb: sumOf(metrics, 'process_resident_memory_bytes') / 2 ** 20,
        heapUsedMb: sumOf(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20,
        eventLoopLagP99Ms: sumOf(metrics, 'nodejs_eventloop_lag_p99_seconds') * 1000,
        requests: totals.requests - previous.requests,
        errors: totals.errors - previous.errors,
        injected: totals.injected - previous.injected,
        activeFaults: sumOf(metrics, 'chaos_fault_active'),
        faultOn: faultIds.length > 0,
      });
      previous = totals;
      const last = samples.at(-1)!;
      console.log(
        `soak ${name}: ${last.t.toFixed(0)} s  rss ${last.rssMb.toFixed(1)} MB  heap ${last.heapUsedMb.toFixed(1)} MB  lag p99 ${last.eventLoopLagP99Ms.toFixed(1)} ms  ${last.requests} req  ${last.errors} err${last.faultOn ? '  (fault on)' : ''}`,
      );
    }
    for (const id of faultIds) await admin('DELETE', `/${id}`);
    const exitCode = await k6Exit;
    const k6Summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
      metrics: Record<string, { count?: number; value?: number; rate?: number }>;
    };
    // One last sample once the load has stopped: the faults switched off must be gone.
    const summary = summarise(samples);
    summary.activeFaultsAtEnd = sumOf(await scrape(app), 'chaos_fault_active');
    return {
      name,
      samples,
      summary,
      k6: {
        requests: k6Summary.metrics.http_reqs?.count ?? 0,
        failedShare: round(k6Summary.metrics.http_req_failed?.value ?? k6Summary.metrics.http_req_failed?.rate ?? 0, 5),
        droppedIterations: k6Summary.metrics.dropped_iterations?.count ?? 0,
        exitCode,
      },
    };
  } finally {
    await app.stop();
  }
}

function markdown(parts: Part[], date: string): string {
  const lines = [
    `# Soak, ${date}`,
    '',
    `${MINUTES} min per part at ${RATE} requests/s on GET /, the app's /metrics sampled every ${SAMPLE_MS / 1000} s; growth is the least-squares slope after the first ${WARM_UP_MS / 1000} s. ` +
      `The second part switches ${CYCLED_FAULTS.map((f) => f.type).join(' + ')} faults on and off every ${CYCLE_MS / 1000} s.`,
    '',
    '| part | RSS start → end (MB) | RSS growth (MB/min) | heap start → end (MB) | heap growth (MB/min) | event-loop lag p99, median / max (ms) | requests (server) | 5xx or no answer | of which injected | k6 failed share | k6 dropped | faults active at end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...parts.map(
      ({ name, summary: s, k6 }) =>
        `| ${name} | ${s.rssStartMb} → ${s.rssEndMb} | ${s.rssGrowthMbPerMinute} | ${s.heapStartMb} → ${s.heapEndMb} | ${s.heapGrowthMbPerMinute} | ${s.eventLoopLagP99MsMedian} / ${s.eventLoopLagP99MsMax} | ${s.requests} | ${s.errors} | ${s.injected} | ${k6.failedShare} | ${k6.droppedIterations} | ${s.activeFaultsAtEnd} |`,
    ),
    '',
  ];
  for (const part of parts) {
    lines.push(
      `## ${part.name}: over time`,
      '',
      '| t (s) | RSS (MB) | heap (MB) | lag p99 (ms) | requests | errors | injected | fault on |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const s of part.samples) {
      lines.push(
        `| ${s.t} | ${s.rssMb.toFixed(1)} | ${s.heapUsedMb.toFixed(1)} | ${s.eventLoopLagP99Ms.toFixed(1)} | ${s.requests} | ${s.errors} | ${s.injected} | ${s.faultOn ? 'yes' : ''} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'roque-soak-'));
  try {
    const parts = [await soak('no fault', false, work), await soak('fault cycling', true, work)];
    const date = new Date().toISOString().slice(0, 16).replace(':', '');
    const results = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    const base = join(results, `soak-${date}`);
    writeFileSync(
      `${base}.json`,
      `${JSON.stringify({ date, minutes: MINUTES, rate: RATE, sampleSeconds: SAMPLE_MS / 1000, cycleSeconds: CYCLE_MS / 1000, cycledFaults: CYCLED_FAULTS, parts }, null, 2)}\n`,
    );
    writeFileSync(`${base}.md`, markdown(parts, date));
    console.log(`soak: wrote ${base}.md and .json`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`soak: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
