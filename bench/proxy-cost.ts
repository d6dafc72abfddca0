// The fault proxy's cost: the seed's Flask app (and bare node:http, which keeps connections
// open) alone vs behind the idle proxy (no faults),
// measured with wrk pinned to core 1 while the servers share core 0. Interleaved rounds on a
// shared machine; min–max over rounds.
//   npm run build && node dist/bench/proxy-cost.js [--rounds 5] [--seconds 8]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startFlaskSeed } from '../chaos/local/flask-seed';
import { freePort } from '../chaos/local/network';
import { startProcess } from '../chaos/local/processes';
import { REPO_ROOT } from '../chaos/tools';
import { SERVER_CORE } from './lib/k6';
import { cpuSeconds } from './lib/results';
import { startBareDice } from './lib/servers';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const ROUNDS = arg('--rounds', 5);
const SECONDS = arg('--seconds', 8);

interface WrkFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time per request of each server process (µs), from /proc/<pid>/stat: a generator-free figure. */
  cpuUs: Record<string, number>;
}

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) throw new Error(`wrk latency "${text}"`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
}

/**
 * wrk on core 1, `connections` connections for SECONDS. Asynchronous: the seed logs every
 * request to the stderr pipe this process drains, and a blocked event loop would stall it.
 */
async function wrk(url: string, connections: number, pids: Record<string, number>): Promise<WrkFigures> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const { stdout: out } = await promisify(execFile)(
    'taskset',
    ['-c', '1', 'wrk', '-t1', `-c${connections}`, `-d${SECONDS}s`, '--latency', url],
    { encoding: 'utf8' },
  );
  const percentile = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)![1]);
  const requests = Number(/(\d+) requests in/.exec(out)![1]);
  const cpuUs = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, ((cpuSeconds(pid) - before[name]) / requests) * 1e6]),
  );
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    cpuUs,
  };
}

interface Upstream {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

/** The proxy (`roque proxy`, idle: no faults) in front of `upstream`, on the server core. */
async function startProxy(upstream: string): Promise<{ url: string; pid: number; stop(): Promise<unknown> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proxy = await startProcess(
    'roque proxy',
    [
      ...SERVER_CORE,
      process.execPath,
      join(REPO_ROOT, 'chaos', 'bin', 'roque.cjs'),
      'proxy',
      '--upstream',
      upstream,
      '--port',
      String(port),
      '--routes',
      '/,/fail',
    ],
    {
      env: { ...process.env, CHAOS_ADMIN_TOKEN: 'bench', LOG_LEVEL: 'warn' },
      output: { keepChars: 4000 },
      ready: `${url}/`,
      readyTimeoutMs: 20_000,
    },
  );
  return { url, pid: proxy.child.pid!, stop: () => proxy.stop() };
}

const range = (values: number[], digits: number) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/** ROUNDS interleaved rounds of the upstream alone and behind the proxy; prints its table. */
async function measure(upstream: Upstream): Promise<void> {
  const proxy = await startProxy(upstream.url);
  try {
    const rows: Record<string, WrkFigures[]> = {};
    const record = (key: string, figures: WrkFigures) => (rows[key] ??= []).push(figures);
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which goes first, so a drift in the machine's load falls on both.
      const order = round % 2 ? ['alone', 'proxy'] : ['proxy', 'alone'];
      for (const which of order) {
        const url = `${which === 'alone' ? upstream.url : proxy.url}/`;
        const pids: Record<string, number> =
          which === 'alone' ? { upstream: upstream.pid } : { upstream: upstream.pid, proxy: proxy.pid };
        record(`${which} c=1`, await wrk(url, 1, pids));
        record(`${which} c=16`, await wrk(url, 16, pids));
      }
      console.error(`${upstream.name}: round ${round}/${ROUNDS} done`);
    }
    console.log(
      `\n| server | connections | req/s | p50 ms | p99 ms | CPU µs/request (upstream; proxy) |\n|---|---|---|---|---|---|`,
    );
    for (const [key, figures] of Object.entries(rows).sort()) {
      const [which, connections] = key.split(' ');
      const cpu = ['upstream', 'proxy']
        .filter((n) => n in figures[0].cpuUs)
        .map((n) =>
          range(
            figures.map((f) => f.cpuUs[n]),
            0,
          ),
        );
      console.log(
        `| ${upstream.name} ${which === 'alone' ? 'alone' : 'behind the idle proxy'} | ${connections.slice(2)} | ${range(
          figures.map((f) => f.rps),
          0,
        )} | ${range(
          figures.map((f) => f.p50Ms),
          2,
        )} | ${range(
          figures.map((f) => f.p99Ms),
          2,
        )} | ${cpu.join('; ')} |`,
      );
    }
    // Paired per round: the proxy's added p50 at one connection and its share of throughput at saturation.
    const added = rows['proxy c=1'].map((f, i) => f.p50Ms - rows['alone c=1'][i].p50Ms);
    const share = rows['proxy c=16'].map((f, i) => 1 - f.rps / rows['alone c=16'][i].rps);
    console.log(
      `\n${upstream.name}: added p50 at c=1, per round: ${range(added, 2)} ms; throughput lost at c=16, per round: ${range(
        share.map((s) => s * 100),
        1,
      )}%`,
    );
  } finally {
    await proxy.stop();
  }
}

async function main(): Promise<void> {
  // The seed closes every connection (Werkzeug); bare node:http keeps them: the proxy's own cost.
  const starters: [string, () => Promise<Upstream>][] = [
    [
      'Flask seed',
      async () => {
        const seed = await startFlaskSeed(await freePort(), { wrapper: SERVER_CORE });
        return { name: 'Flask seed', url: seed.url, pid: seed.child.pid!, stop: seed.stop };
      },
    ],
    [
      'bare node:http',
      async () => {
        const bare = await startBareDice(await freePort());
        return { name: 'bare node:http', url: bare.url, pid: bare.pid, stop: bare.stop };
      },
    ],
  ];
  for (const [, start] of starters) {
    const upstream = await start();
    try {
      await measure(upstream);
    } finally {
      await upstream.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
