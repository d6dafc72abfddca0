// `npm run bench`: the dice route of every server side by side, in one run, on loopback,
// all driven by the same k6 script (bench/k6/throughput.js). The server is pinned to core 0
// and k6 to core 1 so the two do not fight over one core. Writes
// bench/results/<date>.{md,json}.
//
//   --rounds N     repeat every server N times, interleaved, and keep the median (2)
//   --duration D   measured seconds per run (10s)
//   --only a,b     only these servers (names below)
//   --rate R       the fixed rate of the latency run (200/s, one the Flask peer holds)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApp } from '../chaos/local/app-process';
import { freePort, waitForHttp } from '../chaos/local/network';
import { REPO_ROOT, tools } from '../chaos/tools';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10s' },
    only: { type: 'string' },
    rate: { type: 'string', default: '200' },
  },
});

interface Running {
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

interface Server {
  name: string;
  what: string;
  start(port: number): Promise<Running>;
}

const SERVER_CORE = ['taskset', '-c', '0'];
const LOAD_CORE = ['taskset', '-c', '1'];
const DIST_BENCH = join(REPO_ROOT, 'dist', 'bench');

/** Starts `argv` pinned to the server core and waits until GET / answers. */
async function spawnServer(argv: string[], port: number, env: Record<string, string> = {}): Promise<Running> {
  const [command, ...args] = [...SERVER_CORE, ...argv];
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, { timeoutMs: 20_000 });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${argv.join(' ')}: ${(error as Error).message}\n${stderr}`);
  }
  const exited = new Promise((r) => child.once('exit', r));
  return { url, pid: child.pid!, stop: () => (child.kill('SIGTERM'), exited) };
}

/** A sink that accepts OTLP/HTTP exports and drops them, so tracing does its full work. */
async function startOtlpSink(): Promise<{ endpoint: string; close(): void }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}

function flaskPython(): string {
  const venv = join(REPO_ROOT, '.tools', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    console.log('bench: creating .tools/bench-venv for the Flask peer (pip, once)…');
    const ok =
      spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' }).status === 0 &&
      spawnSync(python, ['-m', 'pip', 'install', '-q', '-r', join(REPO_ROOT, 'bench/peers/flask-dice/requirements.txt')], {
        stdio: 'inherit',
      }).status === 0;
    if (!ok) throw new Error('could not set up the Flask peer (python3 -m venv / pip install failed)');
  }
  return python;
}

function roqueServer(name: string, what: string, env: (otlp: string) => Record<string, string>): Server {
  return {
    name,
    what,
    async start(port) {
      const sink = await startOtlpSink();
      const app = await startApp({ port, wrapper: SERVER_CORE, env: { LOG_LEVEL: 'info', ...env(sink.endpoint) } });
      return { url: app.url, pid: app.child.pid!, stop: async () => (await app.stop(), sink.close()) };
    },
  };
}

const SERVERS: Server[] = [
  { name: 'bare', what: 'node:http, no framework', start: (p) => spawnServer([process.execPath, join(DIST_BENCH, 'peers/bare-dice.js')], p) },
  roqueServer('roque', 'the full app: metrics, fault engine (idle), tracing exported over OTLP, JSON logs', (otlp) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
  })),
  roqueServer('roque-no-engine', 'the full app with the fault engine left out (no admin token)', (otlp) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    CHAOS_ADMIN_TOKEN: '',
  })),
  roqueServer('roque-no-tracing', 'the full app with tracing off (OTEL_SDK_DISABLED)', () => ({ OTEL_SDK_DISABLED: 'true' })),
  {
    name: 'nest-fastify',
    what: 'bare NestJS on Fastify, dice route only',
    start: (p) => spawnServer([process.execPath, join(DIST_BENCH, 'peers/nest-minimal.js')], p, { ADAPTER: 'fastify' }),
  },
  {
    name: 'nest-express',
    what: 'bare NestJS on Express, dice route only',
    start: (p) => spawnServer([process.execPath, join(DIST_BENCH, 'peers/nest-minimal.js')], p, { ADAPTER: 'express' }),
  },
  {
    name: 'flask',
    what: "the seed's Flask app with prometheus-flask-exporter, Flask's own server",
    start: (p) => spawnServer([flaskPython(), join(REPO_ROOT, 'bench/peers/flask-dice/app.py')], p, { LOG_LEVEL: 'WARNING' }),
  },
];

interface Measurement {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failedShare: number;
  dropped: number;
  peakRssMb: number;
  idleRssMb: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function k6Run(url: string, pid: number, mode: 'max' | 'rate'): Promise<Measurement> {
  const summaryFile = join(tmpdir(), `roque-bench-${process.pid}-${Date.now()}.json`);
  const idleRssMb = rssMb(pid);
  let peakRssMb = idleRssMb;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 500);
  const env = { ...process.env, BASE_URL: url, MODE: mode, DURATION: flags.duration!, RATE: flags.rate!, SUMMARY_FILE: summaryFile };
  const [command, ...args] = [...LOAD_CORE, tools().k6, 'run', '--quiet', '--no-color', join(REPO_ROOT, 'bench/k6/throughput.js')];
  const exit = await new Promise<number>((resolve) => {
    spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }).once('exit', (code) => resolve(code ?? 1));
  });
  clearInterval(sampler);
  if (!existsSync(summaryFile)) throw new Error(`k6 exited ${exit} without a summary`);
  const metrics = JSON.parse(readFileSync(summaryFile, 'utf8')).metrics;
  const seconds = parseFloat(flags.duration!);
  const duration = metrics['http_req_duration{stage:measure}'].values;
  return {
    rps: metrics['http_reqs{stage:measure}'].values.count / seconds,
    p50Ms: duration.med,
    p99Ms: duration['p(99)'],
    failedShare: metrics['http_req_failed{stage:measure}'].values.rate,
    dropped: metrics['dropped_iterations{stage:measure}']?.values.count ?? 0,
    peakRssMb,
    idleRssMb,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const only = flags.only?.split(',');
  const servers = SERVERS.filter((s) => !only || only.includes(s.name));
  const rounds = Number(flags.rounds);
  const runs = new Map<string, { max: Measurement[]; rate: Measurement[] }>(servers.map((s) => [s.name, { max: [], rate: [] }]));
  for (let round = 1; round <= rounds; round++) {
    for (const server of servers) {
      const running = await server.start(await freePort());
      try {
        for (const mode of ['max', 'rate'] as const) {
          const m = await k6Run(running.url, running.pid, mode);
          runs.get(server.name)![mode].push(m);
          console.log(
            `bench: round ${round}/${rounds} ${server.name.padEnd(16)} ${mode.padEnd(4)} ` +
              `${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  ` +
              `failed ${(m.failedShare * 100).toFixed(2)}%  RSS ${m.idleRssMb.toFixed(0)}→${m.peakRssMb.toFixed(0)} MB`,
          );
        }
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
      maxRps: median(r.max.map((m) => m.rps)),
      maxP99Ms: median(r.max.map((m) => m.p99Ms)),
      rateP50Ms: median(r.rate.map((m) => m.p50Ms)),
      rateP99Ms: median(r.rate.map((m) => m.p99Ms)),
      failedShare: Math.max(...r.max.map((m) => m.failedShare), ...r.rate.map((m) => m.failedShare)),
      idleRssMb: median(r.max.map((m) => m.idleRssMb)),
      peakRssMb: Math.max(...r.max.map((m) => m.peakRssMb)),
      allMaxRps: r.max.map((m) => Math.round(m.rps)),
    };
  });
  const rps = (name: string) => summary.find((s) => s.name === name)?.maxRps;
  const ratio = (a: string, b: string) => (rps(a) && rps(b) ? rps(a)! / rps(b)! : undefined);
  const ratios = {
    'roque / bare (target ≥ 0.6)': ratio('roque', 'bare'),
    'roque / flask (target ≥ 10)': ratio('roque', 'flask'),
    'roque / roque-no-engine: idle fault engine (target ≥ 0.97)': ratio('roque', 'roque-no-engine'),
    'roque / roque-no-tracing: tracing (target ≥ 0.97)': ratio('roque', 'roque-no-tracing'),
    'nest-fastify / nest-express: adapter': ratio('nest-fastify', 'nest-express'),
  };
  const date = new Date().toISOString().slice(0, 10);
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const k6Version = spawnSync(tools().k6, ['version'], { encoding: 'utf8' }).stdout.trim();
  const machine = `${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, Node ${process.versions.node}, ${k6Version}`;
  const settings = `${flags.rounds} rounds, ${flags.duration} measured per run after a 3 s warm-up, 32 VUs (max), ${flags.rate}/s (fixed rate)`;
  writeFileSync(join(dir, `${date}.json`), JSON.stringify({ date, machine, settings, summary, ratios }, null, 2) + '\n');
  const fmt = (x: number | undefined, d = 2) => (x === undefined ? '–' : x.toFixed(d));
  const md = [
    `# Benchmark ${date}`,
    '',
    `Machine: ${machine}. Server pinned to core 0, k6 to core 1. ${settings}. Medians over rounds.`,
    '',
    '| server | what | max req/s (runs) | p99 at max (ms) | p50 at fixed rate (ms) | p99 at fixed rate (ms) | failed | RSS idle → peak (MB) |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.map(
      (s) =>
        `| ${s.name} | ${s.what} | ${fmt(s.maxRps, 0)} (${s.allMaxRps.join(', ')}) | ${fmt(s.maxP99Ms)} | ${fmt(s.rateP50Ms)} | ${fmt(s.rateP99Ms)} | ${fmt(s.failedShare * 100)}% | ${fmt(s.idleRssMb, 0)} → ${fmt(s.peakRssMb, 0)} |`,
    ),
    '',
    '| ratio of max throughput | value |',
    '|---|---|',
    ...Object.entries(ratios).map(([k, v]) => `| ${k} | ${fmt(v, 3)} |`),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${date}.md`), md);
  console.log(`\n${md}\nbench: wrote bench/results/${date}.md and .json`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
