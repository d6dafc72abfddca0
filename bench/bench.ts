// `npm run bench`: every benchmark suite, one after another, on loopback; each writes its
// section of bench/results/<date>.{md,json} (a --quick run writes <date>-quick.*).
//
//   throughput  the dice route of every server side by side (bench/lib/servers.ts), all
//               driven by bench/k6/throughput.js: the closed-model maximum, the maximum
//               sustainable open-model rate (a ramping arrival rate), p50/p99 at a fixed
//               rate, and resident memory idle and at peak. Server on core 0, k6 on core 1.
//   fidelity    injected latency and errors against what server and client observe (fidelity.ts)
//   detection   time from a fault to its alert firing and resolving, real Prometheus (detection.ts)
//   harness     scenario build time and k6 remote write's highest clean rate (harness.ts)
//
//   --suite a,b    only these suites (all four)
//   --quick        a fast smoke of every suite: short runs, one round, one repeat
// Throughput only:
//   --rounds N     repeat every server N times, interleaved, and keep the median (2)
//   --duration D   measured seconds per run (10s)
//   --only a,b     only these servers (names in bench/lib/servers.ts)
//   --rate R       the fixed rate of the latency run (200/s, one the Flask peer holds)
//   --ramp-steps N plateaus of the ramping arrival rate (10), from 0.25 to 1.25 × the closed-model max
//   --step-seconds S  seconds each plateau is held (4)
//   --p99-bound MS a plateau is sustained only with p99 at or under this (50 ms)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../chaos/local/network';
import { REPO_ROOT, tools } from '../chaos/tools';
import { detectionSuite } from './detection';
import { fidelitySuite } from './fidelity';
import { harnessSuite } from './harness';
import { LOAD_CORE, summaryValue, type K6Summary } from './lib/k6';
import { fixed, median, rssMb, SUITES, writeSuiteResult, type SuiteName, type SuiteResult } from './lib/results';
import { SERVERS } from './lib/servers';

const { values: flags } = parseArgs({
  options: {
    suite: { type: 'string', default: SUITES.join(',') },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    only: { type: 'string' },
    rate: { type: 'string', default: '200' },
    'ramp-steps': { type: 'string' },
    'step-seconds': { type: 'string' },
    'p99-bound': { type: 'string', default: '50' },
  },
});
const QUICK = flags.quick!;
const ROUNDS = Number(flags.rounds ?? (QUICK ? 1 : 2));
const DURATION = flags.duration ?? (QUICK ? '3s' : '10s');
const RAMP_STEPS = Number(flags['ramp-steps'] ?? (QUICK ? 5 : 10));
const STEP_SECONDS = Number(flags['step-seconds'] ?? (QUICK ? 2 : 4));
const RAMP_SECONDS = 1;
const P99_BOUND_MS = Number(flags['p99-bound']);
/** A plateau is sustained when at most this share of its requests failed or was never sent. */
const SUSTAINED_LOSS = 0.01;

interface Measurement {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failedShare: number;
  dropped: number;
  peakRssMb: number;
  idleRssMb: number;
}

interface Plateau {
  rate: number;
  sent: number;
  /** Share of the plateau's planned requests k6 could not send (no free VU: the server is behind). */
  droppedShare: number;
  failedShare: number;
  p99Ms: number;
  sustained: boolean;
}

interface Ramp {
  plateaus: Plateau[];
  /** The highest plateau below the first one not sustained; null when even the first was not. */
  sustainableRps: number | null;
  peakRssMb: number;
}

/** Runs bench/k6/throughput.js against `url` while sampling the server's resident memory. */
async function k6Run(url: string, pid: number, mode: 'max' | 'rate' | 'ramp', extraEnv: Record<string, string> = {}) {
  const summaryFile = join(tmpdir(), `roque-bench-${process.pid}-${Date.now()}.json`);
  const idleRssMb = rssMb(pid);
  let peakRssMb = idleRssMb;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 500);
  const env = { ...process.env, BASE_URL: url, MODE: mode, DURATION, RATE: flags.rate!, SUMMARY_FILE: summaryFile, ...extraEnv };
  const [command, ...args] = [...LOAD_CORE, tools().k6, 'run', '--quiet', '--no-color', join(REPO_ROOT, 'bench/k6/throughput.js')];
  const exit = await new Promise<number>((resolve) => {
    spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }).once('exit', (code) => resolve(code ?? 1));
  });
  clearInterval(sampler);
  if (!existsSync(summaryFile)) throw new Error(`k6 exited ${exit} without a summary`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary;
  return { summary, idleRssMb, peakRssMb };
}

async function measure(url: string, pid: number, mode: 'max' | 'rate'): Promise<Measurement> {
  const { summary, idleRssMb, peakRssMb } = await k6Run(url, pid, mode);
  const seconds = parseFloat(DURATION);
  return {
    rps: summaryValue(summary, 'http_reqs{stage:measure}', 'count') / seconds,
    p50Ms: summaryValue(summary, 'http_req_duration{stage:measure}', 'med'),
    p99Ms: summaryValue(summary, 'http_req_duration{stage:measure}', 'p(99)'),
    failedShare: summaryValue(summary, 'http_req_failed{stage:measure}', 'rate'),
    dropped: summaryValue(summary, 'dropped_iterations{stage:measure}', 'count'),
    peakRssMb,
    idleRssMb,
  };
}

/** Plateau rates, geometric from 0.25 to 1.25 × the closed-model max: where the limit must lie. */
function rampRates(closedMaxRps: number, steps: number): number[] {
  const low = 0.25 * closedMaxRps;
  const factor = steps > 1 ? (1.25 / 0.25) ** (1 / (steps - 1)) : 1;
  return Array.from({ length: steps }, (_, i) => Math.max(1, Math.round(low * factor ** i)));
}

/** A ramp's result for the table: its rate, or "< lowest plateau" when not even that one held. */
const sustainedText = (r: Ramp) => (r.sustainableRps === null ? `< ${r.plateaus[0]?.rate}` : String(r.sustainableRps));

/** Why a plateau was not sustained, in a few words. */
function plateauShortfall(p: Plateau): string {
  const reasons = [];
  if (p.droppedShare > SUSTAINED_LOSS) reasons.push(`${fixed(p.droppedShare * 100, 1)}% dropped`);
  if (p.failedShare > SUSTAINED_LOSS) reasons.push(`${fixed(p.failedShare * 100, 1)}% failed`);
  if (p.p99Ms > P99_BOUND_MS) reasons.push(`p99 ${fixed(p.p99Ms, 0)} ms`);
  return reasons.join(', ');
}

async function ramp(url: string, pid: number, closedMaxRps: number): Promise<Ramp> {
  const rates = rampRates(closedMaxRps, RAMP_STEPS);
  const { summary, peakRssMb } = await k6Run(url, pid, 'ramp', {
    STEPS: rates.join(','),
    STEP_SECONDS: String(STEP_SECONDS),
    RAMP_SECONDS: String(RAMP_SECONDS),
    // Enough VUs for every plateau at a p99 of the bound: beyond that the server is behind.
    VUS: String(Math.max(32, Math.ceil((rates.at(-1)! * P99_BOUND_MS) / 1000))),
  });
  const plateaus = rates.map((rate, i): Plateau => {
    const sent = summaryValue(summary, `http_reqs{step:${i}}`, 'count');
    const planned = rate * STEP_SECONDS;
    const droppedShare = Math.max(0, (planned - sent) / planned);
    const failedShare = summaryValue(summary, `http_req_failed{step:${i}}`, 'rate');
    const p99Ms = summaryValue(summary, `http_req_duration{step:${i}}`, 'p(99)');
    return { rate, sent, droppedShare, failedShare, p99Ms, sustained: droppedShare <= SUSTAINED_LOSS && failedShare <= SUSTAINED_LOSS && p99Ms <= P99_BOUND_MS };
  });
  const firstFailing = plateaus.findIndex((p) => !p.sustained);
  const held = firstFailing === -1 ? plateaus : plateaus.slice(0, firstFailing);
  return { plateaus, sustainableRps: held.at(-1)?.rate ?? null, peakRssMb };
}

async function throughputSuite(): Promise<SuiteResult> {
  const only = flags.only?.split(',');
  const servers = SERVERS.filter((s) => !only || only.includes(s.name));
  const runs = new Map<string, { max: Measurement[]; rate: Measurement[]; ramp: Ramp[] }>(servers.map((s) => [s.name, { max: [], rate: [], ramp: [] }]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of servers) {
      const running = await server.start(await freePort());
      const prefix = `bench: round ${round}/${ROUNDS} ${server.name.padEnd(16)}`;
      try {
        const max = await measure(running.url, running.pid, 'max');
        runs.get(server.name)!.max.push(max);
        const sustained = await ramp(running.url, running.pid, max.rps);
        runs.get(server.name)!.ramp.push(sustained);
        const rate = await measure(running.url, running.pid, 'rate');
        runs.get(server.name)!.rate.push(rate);
        for (const [mode, m] of [['max', max], ['rate', rate]] as const) {
          console.log(
            `${prefix} ${mode.padEnd(4)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  ` +
              `failed ${(m.failedShare * 100).toFixed(2)}%  RSS ${m.idleRssMb.toFixed(0)}→${m.peakRssMb.toFixed(0)} MB`,
          );
        }
        console.log(
          `${prefix} ramp sustained ${sustained.sustainableRps ?? 'none'} req/s (` +
            sustained.plateaus.map((p) => `${p.rate}${p.sustained ? '✓' : `✗ (${plateauShortfall(p)})`}`).join(' ') +
            ')',
        );
      } finally {
        await running.stop();
      }
    }
  }
  const summary = servers.map((s) => {
    const r = runs.get(s.name)!;
    const sustainable = r.ramp.map((x) => x.sustainableRps).filter((x): x is number => x !== null);
    return {
      name: s.name,
      what: s.what,
      maxRps: median(r.max.map((m) => m.rps)),
      maxP99Ms: median(r.max.map((m) => m.p99Ms)),
      sustainableRps: sustainable.length ? median(sustainable) : null,
      rateP50Ms: median(r.rate.map((m) => m.p50Ms)),
      rateP99Ms: median(r.rate.map((m) => m.p99Ms)),
      failedShare: Math.max(...r.max.map((m) => m.failedShare), ...r.rate.map((m) => m.failedShare)),
      idleRssMb: median(r.max.map((m) => m.idleRssMb)),
      peakRssMb: Math.max(...r.max.map((m) => m.peakRssMb), ...r.ramp.map((m) => m.peakRssMb)),
      allMaxRps: r.max.map((m) => Math.round(m.rps)),
      allSustainableRps: r.ramp.map((x) => x.sustainableRps),
      ramps: r.ramp,
    };
  });
  const ratioOf = (key: 'maxRps' | 'sustainableRps') => (a: string, b: string) => {
    const x = summary.find((s) => s.name === a)?.[key];
    const y = summary.find((s) => s.name === b)?.[key];
    return x && y ? x / y : undefined;
  };
  const pairs: [string, string, string][] = [
    ['roque / bare (target ≥ 0.6)', 'roque', 'bare'],
    ['roque / flask (target ≥ 10)', 'roque', 'flask'],
    ['roque / roque-no-engine: idle fault engine (target ≥ 0.97)', 'roque', 'roque-no-engine'],
    ['roque / roque-no-tracing: tracing (target ≥ 0.97)', 'roque', 'roque-no-tracing'],
    ['nest-fastify / nest-express: adapter', 'nest-fastify', 'nest-express'],
  ];
  const ratios = Object.fromEntries(pairs.map(([label, a, b]) => [label, { closedMax: ratioOf('maxRps')(a, b), sustainable: ratioOf('sustainableRps')(a, b) }]));
  const markdown = [
    '| server | what | max req/s, closed (runs) | p99 at max (ms) | max sustainable req/s, open (runs) | p50 at fixed rate (ms) | p99 at fixed rate (ms) | failed | RSS idle → peak (MB) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...summary.map(
      (s) =>
        `| ${s.name} | ${s.what} | ${fixed(s.maxRps, 0)} (${s.allMaxRps.join(', ')}) | ${fixed(s.maxP99Ms)} | ${fixed(s.sustainableRps, 0)} (${s.ramps.map(sustainedText).join(', ')}) | ${fixed(s.rateP50Ms)} | ${fixed(s.rateP99Ms)} | ${fixed(s.failedShare * 100)}% | ${fixed(s.idleRssMb, 0)} → ${fixed(s.peakRssMb, 0)} |`,
    ),
    '',
    '| ratio | of closed-model max | of max sustainable rate |',
    '|---|---|---|',
    ...Object.entries(ratios).map(([k, v]) => `| ${k} | ${fixed(v.closedMax, 3)} | ${fixed(v.sustainable, 3)} |`),
    '',
    `Max sustainable: the highest plateau of a ramping arrival rate (${RAMP_STEPS} plateaus of ${STEP_SECONDS} s from 0.25 to 1.25 × the closed-model max, ` +
      `${RAMP_SECONDS} s ramps between) before the first with more than ${SUSTAINED_LOSS * 100}% failed or dropped requests or a p99 over ${P99_BOUND_MS} ms. ` +
      'An open model needs k6 to start every iteration on time, and k6 on one core holds a few thousand per second (the harness suite measures it): ' +
      'a sustainable rate near that ceiling is the load generator\'s limit, not the server\'s, so compare sustainable rates only for servers well below it. ' +
      'RSS peak: the highest resident memory sampled every 0.5 s during the closed-model and ramp runs (the highest rates).',
  ].join('\n');
  return {
    ranAt: new Date().toISOString(),
    settings: `${ROUNDS} round(s), ${DURATION} measured per closed-model and fixed-rate run after a 3 s warm-up, 32 VUs (closed model), ${flags.rate}/s (fixed rate); medians over rounds.`,
    markdown,
    data: { summary, ratios, rampSettings: { steps: RAMP_STEPS, stepSeconds: STEP_SECONDS, rampSeconds: RAMP_SECONDS, p99BoundMs: P99_BOUND_MS, sustainedLoss: SUSTAINED_LOSS } },
  };
}

const RUNNERS: Record<SuiteName, () => Promise<SuiteResult>> = {
  throughput: throughputSuite,
  fidelity: () => fidelitySuite({ quick: QUICK }),
  detection: () => detectionSuite({ quick: QUICK }),
  harness: () => harnessSuite({ quick: QUICK }),
};

async function main(): Promise<void> {
  const wanted = flags.suite!.split(',').map((s) => s.trim());
  const unknown = wanted.filter((s) => !(SUITES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.join(', ')}`);
  for (const suite of SUITES.filter((s) => wanted.includes(s))) {
    console.log(`bench: ${suite}${QUICK ? ' (quick)' : ''}…`);
    const result = await RUNNERS[suite]();
    const file = writeSuiteResult(suite, result, QUICK);
    console.log(`\n${result.markdown}\n\nbench: wrote ${suite} into ${file.replace(`${REPO_ROOT}/`, '')} and .json`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
