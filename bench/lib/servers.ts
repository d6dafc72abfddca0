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
export const startBareDice = (port: number) => spawnServer([process.execPath, join(DIST_BENCH, 'peers/bare-dice.js')], port);

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

export const SERVERS: Server[] = [
  { name: 'bare', what: 'node:http, no framework', start: startBareDice },
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
    start: (p) => spawnServer([flaskSeedPython(), FLASK_SEED_APP], p, { LOG_LEVEL: 'WARNING' }),
  },
];
