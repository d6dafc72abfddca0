// The servers the benchmarks start: Roque itself in several configurations and its peers
// (bench/peers/), each pinned to the server core and ready when start() resolves.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startApp } from '../../chaos/local/app-process';
import { FLASK_SEED_APP, flaskSeedPython } from '../../chaos/local/flask-seed';
import { spawnHttpServer } from '../../chaos/local/http-process';
import { freePort } from '../../chaos/local/network';
import { REPO_ROOT } from '../../chaos/tools';
import { SERVER_CORE } from './k6';

export interface Running {
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

export interface Server {
  name: string;
  what: string;
  start(port: number): Promise<Running>;
}

const DIST_BENCH = join(REPO_ROOT, 'dist', 'bench');

/** Starts `argv` pinned to the server core and waits until GET / answers. */
async function spawnServer(argv: string[], port: number, env: Record<string, string> = {}): Promise<Running> {
  const server = await spawnHttpServer([...SERVER_CORE, ...argv], port, env);
  return { url: server.url, pid: server.child.pid!, stop: server.stop };
}

/** The floor: the dice route on bare node:http. */
export const startBareDice = (port: number) =>
  spawnServer([process.execPath, join(DIST_BENCH, 'peers/bare-dice.js')], port);

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

/** How many request faults the fault engine holds at most (the admin API's cap). */
export const MAX_FAULTS = 100;

/** Adds `count` latency faults on GET /fail only: the engine weighs each on every request to GET /. */
async function addNonMatchingFaults(url: string, token: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/admin/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'latency', delayMs: 100, routes: ['/fail'], ttlSeconds: 3600 }),
    });
    if (res.status !== 201) throw new Error(`adding fault ${i + 1} of ${count}: ${res.status} ${await res.text()}`);
  }
}

interface RoqueVariant {
  /** Admin API (and with it the fault engine in the request path) on. */
  admin: boolean;
  /** Active faults, none matching GET /. */
  faults?: number;
  /** Tracing with OTLP export to a loopback sink; the sampler when not the default. */
  tracing?: { sampler?: string };
}

function roqueServer(name: string, what: string, variant: RoqueVariant): Server {
  return {
    name,
    what,
    async start(port) {
      const sink = variant.tracing ? await startOtlpSink() : null;
      const env: Record<string, string> = { LOG_LEVEL: 'info' };
      if (!variant.admin) env.CHAOS_ADMIN_TOKEN = '';
      if (sink) env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.endpoint;
      if (variant.tracing?.sampler) env.OTEL_TRACES_SAMPLER = variant.tracing.sampler;
      const app = await startApp({ port, wrapper: SERVER_CORE, env });
      const stop = async () => (await app.stop(), sink?.close());
      try {
        if (variant.faults) await addNonMatchingFaults(app.url, app.adminToken, variant.faults);
      } catch (error) {
        await stop();
        throw error;
      }
      return { url: app.url, pid: app.child.pid!, stop };
    },
  };
}

// In the order a round runs them: the servers of each compared pair side by side, so a burst
// of other load hits both alike more often than not.
export const SERVERS: Server[] = [
  {
    name: 'fastify',
    what: 'bare Fastify, dice route only',
    start: (p) => spawnServer([process.execPath, join(DIST_BENCH, 'peers/bare-fastify.js')], p),
  },
  {
    name: 'nest',
    what: 'bare NestJS on Fastify, dice route only',
    start: (p) => spawnServer([process.execPath, join(DIST_BENCH, 'peers/nest-minimal.js')], p, { ADAPTER: 'fastify' }),
  },
  { name: 'bare', what: 'node:http, no framework', start: startBareDice },
  roqueServer('roque-app', '`npm run app`: metrics, JSON logs at info, no admin API, no tracing', { admin: false }),
  roqueServer('roque-admin', 'the same with the admin API on (fault engine in the request path), no fault', {
    admin: true,
  }),
  roqueServer(
    'roque-traced',
    'the full app: admin API on, tracing exported over OTLP to a loopback sink at the default 10% sampling',
    {
      admin: true,
      tracing: {},
    },
  ),
  roqueServer('roque-traced-off', 'the full app with OTEL_TRACES_SAMPLER=always_off', {
    admin: true,
    tracing: { sampler: 'always_off' },
  }),
  roqueServer('roque-faults', `admin API on with ${MAX_FAULTS} active faults, none matching GET / (routes ["/fail"])`, {
    admin: true,
    faults: MAX_FAULTS,
  }),
  {
    name: 'flask',
    what: "the seed's Flask app with prometheus-flask-exporter, Flask's own server",
    start: (p) => spawnServer([flaskSeedPython(), FLASK_SEED_APP], p, { LOG_LEVEL: 'WARNING' }),
  },
];
