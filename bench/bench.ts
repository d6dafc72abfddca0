// `npm run bench`: every benchmark suite, one after another, on loopback; each writes its
// section of bench/results/<date>.{md,json} (a --quick run writes <date>-quick.*).
//
// The suites are in SUITE_HELP; `npm run bench -- --help` lists the options.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { countFrom1To, oneOrMoreOf } from '../chaos/cli/options';
import { freePort } from '../chaos/local/network';
import { REPO_ROOT, tools } from '../chaos/tools';
import { detectionSuite } from './detection';
import { fidelitySuite } from './fidelity';
import { harnessSuite } from './harness';
import { LOAD_CORE, LOAD_CPU, SERVER_CPU, summaryValue, type K6Summary } from './lib/k6';
import {
  cpuSeconds,
  fixed,
  median,
  rssMb,
  sleep,
  SUITES,
  writeSuiteResult,
  type SuiteName,
  type SuiteResult,
} from './lib/results';
import { SERVERS, type Running, type Server } from './lib/servers';
import { ohaVersion, runOha } from './lib/oha';
import { measureSteal, stealCell, stealPercent, stealSummary, type RunSteal } from './lib/steal';
import { runWrk, wrkVersion } from './lib/wrk';

const SUITE_HELP = `
Suites (all four run, in this order, unless --suite names some):
  throughput  the dice route of every server side by side (bench/lib/servers.ts), in
              interleaved rounds: wrk's maximum (the servers' ceiling; wrk is C and drives
              a Node server several times faster than k6), the server's CPU time per
              request from /proc under wrk and at a fixed k6 rate, idle and peak RSS; then
              the full app's p99 at half its maximum rate, open model (oha: k6 cannot send
              that rate on one core). Server on core 0, wrk, k6 and oha on core 1.
  fidelity    injected latency and errors against what server and client observe
  detection   time from a fault to its alert firing and resolving, real Prometheus
  harness     scenario build time and k6 remote write's highest clean rate
`;

const SERVER_NAMES = SERVERS.map((s) => s.name);

const flags = new Command('bench')
  .description('Every benchmark suite on loopback; each writes its section of bench/results/<date>.{md,json}.')
  .addOption(
    new Option('--suite <names>', `only these suites, comma-separated`)
      .argParser(oneOrMoreOf('suite', SUITES))
      .default([...SUITES], SUITES.join(',')),
  )
  .option('--quick', 'a fast smoke of every suite: short runs, one round, one repeat', false)
  .addOption(
    new Option(
      '--rounds <n>',
      'throughput: repeat every server N times, interleaved; tables show the median and min–max (3, quick 1)',
    ).argParser(countFrom1To(20)),
  )
  .addOption(
    new Option(
      '--duration <seconds>',
      'throughput: measured seconds of each wrk run, after a 2 s warm-up (8, quick 3)',
    ).argParser(countFrom1To(120)),
  )
  .addOption(
    new Option(
      '--only <servers>',
      `throughput: only these servers, comma-separated (${SERVER_NAMES.join(', ')})`,
    ).argParser(oneOrMoreOf('server', SERVER_NAMES)),
  )
  .addOption(
    new Option(
      '--rate <per-second>',
      'throughput: the k6 fixed rate of the CPU-per-request run (half its wrk maximum for a slower server)',
    )
      .argParser(countFrom1To(100_000))
      .default(1000),
  )
  .addHelpText('after', SUITE_HELP)
  .showHelpAfterError('(npm run bench -- --help lists the options)')
  // Bad usage exits 2, as every other failure of the bench does; --help exits 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .parse()
  .opts<{ suite: string[]; quick: boolean; rounds?: number; duration?: number; only?: string[]; rate: number }>();
const QUICK = flags.quick;
const ROUNDS = flags.rounds ?? (QUICK ? 1 : 3);
const WRK_SECONDS = flags.duration ?? (QUICK ? 3 : 8);
const WARMUP_SECONDS = QUICK ? 1 : 2;
const RATE_SECONDS = QUICK ? 3 : 6;
const LATENCY_SECONDS = QUICK ? 4 : 10;
// The p99 of a process past its start: its code optimised, its heap sized for the load
// (a fresh app read about 20 ms after 1 s of wrk).
const LATENCY_WARMUP_SECONDS = QUICK ? 2 : 8;
const CONNECTIONS = 32;
const FIXED_RATE = flags.rate;
/** The server whose p99 at half its maximum is measured, and RSS reported: everything on. */
const FULL_APP = 'roque-traced';
/** The bare reference must outrun every Roque server by this much, else the run measured the generator. */
const GENERATOR_HEADROOM = 1.2;
/** Under wrk, a server's core busier than this is the bottleneck, not wrk. */
const SATURATED = 0.9;

interface Round {
  /** Which round (1-based): ratios pair two servers' runs of the same round. */
  round: number;
  rps: number;
  wrkP50Ms: number;
  wrkP99Ms: number;
  errors: number;
  /** Share of the wrk run the server was on CPU (1 = its core was saturated). */
  busy: number;
  /** Server CPU time per request under wrk, microseconds. */
  cpuUsAtMax: number;
  /** The host's share of the server's and the generator's core during the wrk run. */
  steal: RunSteal;
  /** The k6 fixed rate, the rate k6 sent, and server CPU per request there. */
  rate: number;
  sentRps: number;
  cpuUsAtRate: number;
  rateP99Ms: number;
  idleRssMb: number;
  peakRssMb: number;
}

/** Runs bench/k6/throughput.js at `rate`/s for `seconds` against `url`; the server's CPU over the run. */
async function k6FixedRate(url: string, pid: number, rate: number, seconds: number) {
  const summaryFile = join(tmpdir(), `roque-bench-${process.pid}-${Date.now()}.json`);
  const env = {
    ...process.env,
    BASE_URL: url,
    RATE: String(rate),
    DURATION: `${seconds}s`,
    // Enough VUs for the rate at a 50 ms response; beyond that k6 drops, and the result says so.
    VUS: String(Math.max(64, Math.ceil(rate / 20))),
    SUMMARY_FILE: summaryFile,
  };
  const [command, ...args] = [
    ...LOAD_CORE,
    tools().k6,
    'run',
    '--quiet',
    '--no-color',
    join(REPO_ROOT, 'bench/k6/throughput.js'),
  ];
  const cpuBefore = cpuSeconds(pid);
  const exit = await new Promise<number>((resolve) => {
    spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }).once('exit', (code) => resolve(code ?? 1));
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (!existsSync(summaryFile)) throw new Error(`k6 exited ${exit} without a summary`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary;
  rmSync(summaryFile, { force: true });
  const sent = summaryValue(summary, 'http_reqs{stage:measure}', 'count');
  return {
    sentRps: sent / seconds,
    cpuUsPerRequest: sent ? (cpu * 1e6) / sent : Number.NaN,
    p50Ms: summaryValue(summary, 'http_req_duration{stage:measure}', 'med'),
    p99Ms: summaryValue(summary, 'http_req_duration{stage:measure}', 'p(99)'),
    failedShare: summaryValue(summary, 'http_req_failed{stage:measure}', 'rate'),
    /** Requests k6 should have sent and did not (no free VU in time, or it could not keep up). */
    unsent: Math.max(0, Math.round(rate * seconds - sent)),
  };
}

/** One server, one round: wrk's warm-up and measured run, then the k6 fixed-rate run. */
async function measureRound(running: Running, round: number): Promise<Round> {
  const { url, pid } = running;
  await sleep(500);
  const idleRssMb = rssMb(pid);
  let peakRssMb = idleRssMb;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 500);
  try {
    await runWrk(`${url}/`, WARMUP_SECONDS, CONNECTIONS);
    const cpuBefore = cpuSeconds(pid);
    const stealDuringWrk = measureSteal(SERVER_CPU, LOAD_CPU);
    const wrk = await runWrk(`${url}/`, WRK_SECONDS, CONNECTIONS);
    const cpu = cpuSeconds(pid) - cpuBefore;
    const steal = stealDuringWrk();
    if (wrk.requests === 0)
      throw new Error(
        `no request answered in ${WRK_SECONDS} s (server core ${fixed((cpu / WRK_SECONDS) * 100, 0)}% busy)`,
      );
    const rate = Math.min(FIXED_RATE, Math.max(50, Math.round(wrk.rps / 2)));
    const fixedRate = await k6FixedRate(url, pid, rate, RATE_SECONDS);
    return {
      round,
      rps: wrk.rps,
      wrkP50Ms: wrk.p50Ms,
      wrkP99Ms: wrk.p99Ms,
      errors: wrk.errors,
      busy: cpu / WRK_SECONDS,
      cpuUsAtMax: (cpu * 1e6) / wrk.requests,
      steal,
      rate,
      sentRps: fixedRate.sentRps,
      cpuUsAtRate: fixedRate.cpuUsPerRequest,
      rateP99Ms: fixedRate.p99Ms,
      idleRssMb,
      peakRssMb,
    };
  } finally {
    clearInterval(sampler);
  }
}

const range = (xs: number[], digits = 0) =>
  xs.length > 1 ? `${fixed(Math.min(...xs), digits)}–${fixed(Math.max(...xs), digits)}` : fixed(xs[0], digits);

/** A ratio's median and min–max over the rounds, each round's ratio taken within that round. */
function pairedRatio(a: Round[], b: Round[], pick: (r: Round) => number) {
  const perRound = a
    .flatMap((r) => {
      const other = b.find((x) => x.round === r.round);
      return other ? [pick(r) / pick(other)] : [];
    })
    .filter(Number.isFinite);
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

interface Target {
  label: string;
  a: string;
  b: string;
  atLeast: number;
}

const TARGETS: Target[] = [
  { label: 'app / bare node:http', a: 'roque-app', b: 'bare', atLeast: 0.7 },
  { label: 'admin on, no fault / app', a: 'roque-admin', b: 'roque-app', atLeast: 0.97 },
  { label: '100 faults not matching / none', a: 'roque-faults', b: 'roque-admin', atLeast: 0.9 },
  { label: 'tracing at 10% / untraced', a: 'roque-traced', b: 'roque-admin', atLeast: 0.85 },
  { label: 'tracing always_off / untraced', a: 'roque-traced-off', b: 'roque-admin', atLeast: 0.97 },
  { label: 'full app with tracing / Flask', a: 'roque-traced', b: 'flask', atLeast: 10 },
  { label: 'bare Fastify / bare node:http', a: 'fastify', b: 'bare', atLeast: 0 },
  { label: 'bare NestJS on Fastify / bare node:http', a: 'nest', b: 'bare', atLeast: 0 },
  { label: 'app / bare NestJS on Fastify', a: 'roque-app', b: 'nest', atLeast: 0 },
];

/** A server's latency at `rate`, open model (oha with latency correction), and whether oha could send it. */
async function latencyAt(server: Server, rate: number) {
  const running = await server.start(await freePort());
  try {
    await runWrk(`${running.url}/`, LATENCY_WARMUP_SECONDS, CONNECTIONS);
    const stealDuringOha = measureSteal(SERVER_CPU, LOAD_CPU);
    const cpuBefore = cpuSeconds(running.pid);
    const run = await runOha(`${running.url}/`, rate, LATENCY_SECONDS, CONNECTIONS);
    // How near saturation the rate put the server: queueing, not the server's own work, makes a tail there.
    const busy = (cpuSeconds(running.pid) - cpuBefore) / LATENCY_SECONDS;
    const held = run.sentRps >= 0.99 * rate;
    return { rate, ...run, held, busy, steal: stealDuringOha() };
  } finally {
    await running.stop();
  }
}

/** Lower rates to try when oha cannot hold half the maximum on one core: a p99 at a rate it did hold. */
const HELD_RATES = [4000, 2000];

/** Runs of the latency figure, each on a fresh start: one 10 s p99 moves by several times from one run to the next on a shared VM. */
const LATENCY_RUNS = QUICK ? 1 : 3;

type LatencyRun = Awaited<ReturnType<typeof latencyAt>>;

const P99_TARGET = ' (target < 5 ms)';

/**
 * The p99 at half the maximum, and when oha could not send that, also at the highest of
 * HELD_RATES it held: a latency the generator did not inflate, at a known share of the maximum.
 * That rate is run LATENCY_RUNS times, each run followed by bare node:http at the same rate
 * (the instrument's own floor), so a slow minute of the host falls on both.
 */
async function latencyFigures(server: Server, maxRps: number, bare: Server | undefined) {
  const half = await latencyAt(server, Math.round(maxRps / 2));
  const held = half.held ? null : await firstHeldRate(server, half.rate);
  const first = half.held ? half : held;
  const runs: LatencyRun[] = [];
  const floors: LatencyRun[] = [];
  if (!first) return { half, held, runs, floors };
  runs.push(first);
  for (let i = 0; i < LATENCY_RUNS; i++) {
    if (bare) floors.push(await latencyAt(bare, first.rate));
    if (i + 1 < LATENCY_RUNS) runs.push(await latencyAt(server, first.rate));
  }
  return { half, held, runs, floors };
}

/** The runs that held their rate, summarised: a run oha could not send is the generator's, so it is left out and counted. */
function latencySpread(runs: LatencyRun[]) {
  const counted = runs.filter((r) => r.held);
  const p99s = counted.map((r) => r.p99Ms);
  return {
    runs: runs.length,
    notHeld: runs.length - counted.length,
    p50Ms: median(counted.map((r) => r.p50Ms)),
    p99Ms: median(p99s),
    p99MinMs: Math.min(...p99s),
    p99MaxMs: Math.max(...p99s),
    p999Ms: median(counted.map((r) => r.p999Ms)),
    failedShare: Math.max(...counted.map((r) => r.failedShare)),
    busy: median(counted.map((r) => r.busy)),
    steal: stealCell(counted.map((r) => r.steal.server)),
  };
}

/** "p99 median 4.10 ms (3.20–6.00, 3 runs)", the target if given, and the runs left out. */
function spreadText(x: ReturnType<typeof latencySpread>, target = ''): string {
  const counted = x.runs - x.notHeld;
  if (counted === 0) return `no p99: none of ${x.runs} runs held the rate`;
  const p99 = `p99 ${counted > 1 ? 'median ' : ''}${fixed(x.p99Ms)} ms`;
  return (
    `${target ? `**${p99}**` : p99}${counted > 1 ? ` (${fixed(x.p99MinMs)}–${fixed(x.p99MaxMs)}, ${counted} runs)` : ''}${target}, ` +
    `p50 ${fixed(x.p50Ms)} ms, p99.9 ${fixed(x.p999Ms)} ms, ${fixed(x.failedShare * 100)}% failed, server core ${fixed(x.busy * 100, 0)}% busy, host steal ${x.steal} of it` +
    (x.notHeld > 0 ? `; ${x.notHeld} of ${x.runs} runs did not hold the rate and are left out` : '')
  );
}

/** The latency at the highest of HELD_RATES below `rate` that oha held, or null. */
async function firstHeldRate(server: Server, rate: number) {
  for (const lower of HELD_RATES.filter((r) => r < rate)) {
    const run = await latencyAt(server, lower);
    if (run.held) return run;
  }
  return null;
}

async function throughputSuite(): Promise<SuiteResult> {
  const generator = wrkVersion();
  const servers = SERVERS.filter((s) => !flags.only || flags.only.includes(s.name));
  // Asked before the rounds, so a missing oha stops the run now, not after them.
  const openModelGenerator = servers.some((s) => s.name === FULL_APP) ? ohaVersion() : null;
  const runs = new Map<string, Round[]>(servers.map((s) => [s.name, []]));
  // A server that does not start or answer in a round (a starved core on a shared machine)
  // loses that round, said in the results; the others go on.
  const failures: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of servers) {
      let running: Running;
      try {
        running = await server.start(await freePort());
      } catch (error) {
        failures.push(`round ${round} ${server.name}: did not start (${(error as Error).message.split('\n')[0]})`);
        console.log(`bench: round ${round}/${ROUNDS} ${server.name} FAILED: ${failures.at(-1)}`);
        continue;
      }
      try {
        const r = await measureRound(running, round);
        runs.get(server.name)!.push(r);
        console.log(
          `bench: round ${round}/${ROUNDS} ${server.name.padEnd(17)} ${r.rps.toFixed(0).padStart(6)} req/s (core ${(r.busy * 100).toFixed(0)}% busy, ` +
            `${r.cpuUsAtMax.toFixed(1)} µs CPU/req, p99 ${r.wrkP99Ms.toFixed(2)} ms, ${r.errors} errors, steal ${stealPercent(r.steal.server)}/${stealPercent(r.steal.load)})  ` +
            `k6 ${r.rate}/s: ${r.cpuUsAtRate.toFixed(1)} µs CPU/req, p99 ${r.rateP99Ms.toFixed(2)} ms  RSS ${r.idleRssMb.toFixed(0)}→${r.peakRssMb.toFixed(0)} MB`,
        );
      } catch (error) {
        failures.push(`round ${round} ${server.name}: ${(error as Error).message.split('\n')[0]}`);
        console.log(`bench: round ${round}/${ROUNDS} ${server.name} FAILED: ${failures.at(-1)}`);
      } finally {
        await running.stop();
      }
    }
  }
  const summary = servers.map((s) => {
    const r = runs.get(s.name)!;
    return {
      name: s.name,
      what: s.what,
      maxRps: median(r.map((x) => x.rps)),
      allMaxRps: r.map((x) => Math.round(x.rps)),
      busy: median(r.map((x) => x.busy)),
      cpuUsAtMax: median(r.map((x) => x.cpuUsAtMax)),
      cpuUsAtRate: median(r.map((x) => x.cpuUsAtRate)),
      rounds: r,
    };
  });
  const byName = new Map(summary.map((s) => [s.name, s]));

  const ratios = TARGETS.filter((t) => runs.get(t.a)?.length && runs.get(t.b)?.length).map((t) => {
    const a = runs.get(t.a)!;
    const b = runs.get(t.b)!;
    const throughput = pairedRatio(a, b, (r) => r.rps);
    // Requests per CPU-second, so the same direction as throughput.
    const cpuAtMax = pairedRatio(b, a, (r) => r.cpuUsAtMax);
    const cpuAtRate = pairedRatio(b, a, (r) => r.cpuUsAtRate);
    return { ...t, throughput, cpuAtMax, cpuAtRate, met: t.atLeast > 0 ? throughput.median >= t.atLeast : null };
  });

  // The generator check: wrk must drive the bare reference well above every Roque server,
  // with its core saturated; otherwise these are wrk's figures.
  const bare = byName.get('bare');
  const roques = summary.filter((s) => s.name.startsWith('roque'));
  const fastestRoque = Math.max(...roques.map((s) => s.maxRps).filter(Number.isFinite));
  const headroom = bare && roques.length ? bare.maxRps / fastestRoque : null;
  const generatorOk = headroom !== null && headroom >= GENERATOR_HEADROOM && bare!.busy >= SATURATED;
  const generatorNote =
    headroom === null
      ? 'Generator check: not made (the bare reference or every Roque server was left out).'
      : generatorOk
        ? `Generator check: wrk drove bare node:http at ${fixed(headroom)}× the fastest Roque server with the server's core ${fixed(bare!.busy * 100, 0)}% busy, so the Roque figures are the servers' own ceilings, not wrk's.`
        : `Generator check FAILED: bare node:http ran at only ${fixed(headroom)}× the fastest Roque server (core ${fixed(bare!.busy * 100, 0)}% busy; want ≥ ${GENERATOR_HEADROOM}× and ≥ ${SATURATED * 100}%): this run measured the generator (or a machine too loaded to tell), not the servers.`;

  const full = byName.get(FULL_APP);
  const fullServer = servers.find((s) => s.name === FULL_APP);
  let latencies: Awaited<ReturnType<typeof latencyFigures>> | null = null;
  let latencyError: string | null = null;
  if (full && fullServer && Number.isFinite(full.maxRps)) {
    latencies = await latencyFigures(
      fullServer,
      full.maxRps,
      servers.find((s) => s.name === 'bare'),
    ).catch((error: Error) => ((latencyError = error.message.split('\n')[0]), null));
  }
  const latency = latencies?.half ?? null;
  const held = latencies?.held ?? null;
  const appRuns = latencies?.runs ?? [];
  const floorRuns = latencies?.floors ?? [];
  const appSpread = appRuns.length ? latencySpread(appRuns) : null;
  const floorSpread = floorRuns.length ? latencySpread(floorRuns) : null;
  // Every run of the full app: half the maximum first (in appRuns when it held), then the rate measured.
  const fullAppRuns = latency && !latency.held ? [latency, ...appRuns] : appRuns;
  const latencyRuns = [...fullAppRuns, ...floorRuns];
  const { max: maxSteal, note: stealNote } = stealSummary([
    ...[...runs.values()].flat().flatMap((r) => [r.steal.server, r.steal.load]),
    ...latencyRuns.flatMap((run) => [run.steal.server, run.steal.load]),
  ]);
  for (const [name, run] of [
    ...fullAppRuns.map((r) => [FULL_APP, r] as const),
    ...floorRuns.map((r) => ['bare', r] as const),
  ])
    console.log(
      `bench: ${name} at ${run.rate}/s: oha sent ${run.sentRps.toFixed(0)}/s, p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, p99.9 ${run.p999Ms.toFixed(2)} ms, server core ${(run.busy * 100).toFixed(0)}% busy, steal ${stealPercent(run.steal.server)}/${stealPercent(run.steal.load)}`,
    );

  const markdown = [
    `Generator: **${generator}**, one thread, ${CONNECTIONS} keep-alive connections, pinned to core 1; servers pinned to core 0. ` +
      `${ROUNDS} interleaved round(s) (every server once per round, in the order below); each wrk run is ${WRK_SECONDS} s after a ${WARMUP_SECONDS} s warm-up.`,
    '',
    generatorNote,
    '',
    stealNote,
    '',
    '| server | what | max req/s, wrk: median (min–max) | server core busy | CPU µs/req under wrk | CPU µs/req at k6 fixed rate (rate) | p99 under wrk (ms) | errors | host steal under wrk, server / load core (max) | RSS idle → peak (MB) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...summary.map((s) => {
      const r = s.rounds;
      return (
        `| ${s.name} | ${s.what} | ${fixed(s.maxRps, 0)} (${range(r.map((x) => x.rps))}) | ${fixed(s.busy * 100, 0)}% | ${fixed(s.cpuUsAtMax, 1)} (${range(
          r.map((x) => x.cpuUsAtMax),
          1,
        )}) | ` +
        `${fixed(s.cpuUsAtRate, 1)} (${range(
          r.map((x) => x.cpuUsAtRate),
          1,
        )}; ${[...new Set(r.map((x) => x.rate))].join(', ')}/s) | ${fixed(median(r.map((x) => x.wrkP99Ms)))} | ` +
        `${r.reduce((n, x) => n + x.errors, 0)} | ${stealCell(r.map((x) => x.steal.server))} / ${stealCell(r.map((x) => x.steal.load))} | ${fixed(median(r.map((x) => x.idleRssMb)), 0)} → ${fixed(Math.max(...r.map((x) => x.peakRssMb)), 0)} |`
      );
    }),
    '',
    'Ratios are taken within each round (the two servers ran minutes apart at most), then the median and min–max over rounds. ' +
      'The CPU ratios are requests per CPU-second, read from /proc/<pid>/stat (utime + stime): they do not depend on which generator sent the load, but do on how busy the server was.',
    '',
    '| ratio | target | wrk max req/s: median (min–max) | met | CPU per request under wrk | CPU per request at k6 fixed rate |',
    '|---|---|---|---|---|---|',
    ...ratios.map(
      (x) =>
        `| ${x.label} | ${x.atLeast > 0 ? `≥ ${x.atLeast}` : '–'} | ${fixed(x.throughput.median, 3)} (${fixed(x.throughput.min, 3)}–${fixed(x.throughput.max, 3)}) | ` +
        `${x.met === null ? '–' : x.met ? 'yes' : '**no**'} | ${fixed(x.cpuAtMax.median, 3)} (${fixed(x.cpuAtMax.min, 3)}–${fixed(x.cpuAtMax.max, 3)}) | ${fixed(x.cpuAtRate.median, 3)} (${fixed(x.cpuAtRate.min, 3)}–${fixed(x.cpuAtRate.max, 3)}) |`,
    ),
    '',
    latency
      ? `Latency of ${FULL_APP} at half its maximum (${latency.rate} req/s, open model: ${openModelGenerator} at a fixed rate with --latency-correction, ${CONNECTIONS} connections, ${LATENCY_SECONDS} s after ${LATENCY_WARMUP_SECONDS} s of wrk on a fresh start, pinned to core 1; each run followed by bare node:http at the same rate): ` +
        (latency.held
          ? `${spreadText(appSpread!, P99_TARGET)}. oha sent ${fixed(latency.sentRps, 0)} req/s in the first run: the rate held.`
          : `p50 ${fixed(latency.p50Ms)} ms, p99 ${fixed(latency.p99Ms)} ms, but oha sent only ${fixed(latency.sentRps, 0)} req/s: that is the generator's ceiling, not the server's, so that p99 is not the server's. ` +
            (held
              ? `At ${held.rate} req/s (${fixed((held.rate / full!.maxRps) * 100, 0)}% of the maximum), which oha held (${fixed(held.sentRps, 0)} req/s sent): ${spreadText(appSpread!, P99_TARGET)}.`
              : `oha held none of ${HELD_RATES.join(', ')} req/s either, so no p99 here is the server's.`)) +
        (floorSpread
          ? ` The instrument's floor: bare node:http at the same ${floorRuns[0].rate} req/s read ${spreadText(floorSpread)}.`
          : " The instrument's floor was not measured (bare node:http was left out, or no rate held).")
      : `Latency at half the maximum: not measured (${latencyError ?? `${FULL_APP} was left out or had no round`}).`,
    ...(failures.length
      ? [
          '',
          `Rounds lost (their figures are missing above; ratios pair only rounds both servers had): ${failures.join('; ')}.`,
        ]
      : []),
    '',
    "CPU at the k6 fixed rate includes the server's background work (timers, default metrics, GC) spread over fewer requests, so it reads higher than under wrk; compare it between servers, not with the wrk column. " +
      'RSS idle: after start, before load; peak: the highest sampled every 0.5 s under load.',
  ].join('\n');
  return {
    ranAt: new Date().toISOString(),
    settings: `${generator}; ${ROUNDS} round(s), ${WRK_SECONDS} s per wrk run, k6 fixed rate ${FIXED_RATE}/s (half the wrk maximum for a slower server) for ${RATE_SECONDS} s.`,
    markdown,
    data: {
      generator,
      connections: CONNECTIONS,
      wrkSeconds: WRK_SECONDS,
      summary,
      ratios,
      generatorCheck: { headroom, bareBusy: bare?.busy, ok: generatorOk },
      maxSteal,
      latency,
      latencyAtHeldRate: held,
      latencyRuns: appRuns,
      latencyFloorRuns: floorRuns,
      latencyP99: appSpread,
      latencyFloorP99: floorSpread,
      latencyError,
      failures,
      fullApp: FULL_APP,
    },
  };
}

const RUNNERS: Record<SuiteName, () => Promise<SuiteResult>> = {
  throughput: throughputSuite,
  fidelity: () => fidelitySuite({ quick: QUICK }),
  detection: () => detectionSuite({ quick: QUICK }),
  harness: () => harnessSuite({ quick: QUICK }),
};

async function main(): Promise<void> {
  for (const suite of SUITES.filter((s) => flags.suite.includes(s))) {
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
