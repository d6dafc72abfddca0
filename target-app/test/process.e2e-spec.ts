// The real entry point as a separate process: start-up validation and graceful shutdown.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ADMIN_TOKEN, admin, get, sleep } from './e2e-helpers';

const ROOT = join(__dirname, '..', '..');
const MAIN = ['--import', './dist/target-app/src/tracing.js', 'dist/target-app/src/main.js'];

/** The environment of a child: this one without anything the app reads, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const {
    PORT: _port,
    HOST: _host,
    CHAOS_ADMIN_TOKEN: _token,
    OTEL_EXPORTER_OTLP_ENDPOINT: _otlp,
    ...rest
  } = process.env;
  return { ...rest, ...env };
}

/** Collects a child's stdout; `url` resolves once the app logs where it listens. */
function watchOutput(child: ChildProcess): { url: Promise<string>; text: () => string } {
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const match = /listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`app exited before listening:\n${output}`)));
  });
  return { url, text: () => output };
}

describe('the service process (e2e)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['webpack-free-build.mjs', '--only', 'node'], { cwd: ROOT, stdio: 'ignore' });
  });

  it('PORT=abc stops it with exit code 1 and one line on stderr naming PORT', () => {
    const result = spawnSync(process.execPath, MAIN, {
      cwd: ROOT,
      env: childEnv({ PORT: 'abc' }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
  });

  it('a tracing variable it cannot honour stops it with exit code 1 and one line on stderr naming it', () => {
    const result = spawnSync(process.execPath, MAIN, {
      cwd: ROOT,
      env: childEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_SAMPLER: 'sometimes' }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER: "sometimes"/)]);
  });

  it('exports spans as OTLP protobuf by default, and loads neither the SDK nor an exporter when untraced', async () => {
    const bodies: { url?: string; type?: string; body: Buffer }[] = [];
    const sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push({ url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const child = spawn(process.execPath, MAIN, {
      cwd: ROOT,
      env: childEnv({
        PORT: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await watchOutput(child).url;
      expect((await get(`${url}/`)).status).toBe(200);
      for (let waited = 0; bodies.length === 0 && waited < 10_000; waited += 100) await sleep(100);
      expect(bodies[0]).toMatchObject({ url: '/v1/traces', type: 'application/x-protobuf' });
      // Protobuf keeps strings as they are: the span's name and the service's are in the body.
      expect(bodies[0].body.includes('GET /')).toBe(true);
      expect(bodies[0].body.includes('dice-api')).toBe(true);
    } finally {
      child.kill('SIGKILL');
      sink.close();
    }

    const loaded = spawnSync(
      process.execPath,
      [
        MAIN[0],
        MAIN[1],
        '-e',
        'console.log(Object.keys(require.cache).filter((f) => /@opentelemetry\\/(sdk|exporter)-/.test(f)).length)',
      ],
      { cwd: ROOT, env: childEnv({}), encoding: 'utf8', timeout: 20_000 },
    );
    expect(loaded.stdout.trim()).toBe('0');
  }, 30_000);

  it('loads node-redis only once a Redis client is made (none without CHAOS_SYNC_REDIS_URL)', () => {
    const script = [
      "const loaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/redis/'))",
      "const { redisClientFactory } = require('./dist/target-app/src/chaos/sync-store-client')",
      "require('./dist/target-app/src/app.module')",
      'const before = loaded()',
      "const client = redisClientFactory({ url: 'redis://127.0.0.1:1' })",
      'console.log(JSON.stringify({ before, after: loaded(), client: typeof client.connect }))',
    ].join(';');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env: childEnv({}), encoding: 'utf8' });
    expect(JSON.parse(result.stdout)).toEqual({ before: false, after: true, client: 'function' });
  });

  it("names target-app's TypeScript in stack traces, and node_modules' compiled files as they are", () => {
    // An error thrown inside the app's code and inside a dependency's, under the same preload.
    const script = [
      "try { require('./dist/target-app/src/config/app-config').parseConfig(null) } catch (e) { console.log(e.stack) }",
      "const api = require('@opentelemetry/api')",
      "try { api.context.with(api.ROOT_CONTEXT, () => { throw new Error('x') }) } catch (e) { console.log(e.stack) }",
    ].join(';');
    const result = spawnSync(process.execPath, [MAIN[0], MAIN[1], '-e', script], {
      cwd: ROOT,
      env: childEnv({}),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stdout).toMatch(/target-app\/src\/config\/app-config\.ts:\d+:\d+/);
    expect(result.stdout).not.toContain('dist/target-app/src/config/app-config.js');
    // @opentelemetry/api ships source maps; they are not loaded.
    expect(result.stdout).toMatch(/node_modules\/@opentelemetry\/api\/dist\/api\/context\.cjs:\d+/);
  });

  it('on SIGTERM, readiness turns 503, an in-flight slow request finishes, and it exits 0; logs are JSON without the token', async () => {
    const child = spawn(process.execPath, MAIN, {
      cwd: ROOT,
      env: childEnv({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        CHAOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SHUTDOWN_READINESS_DELAY_MS: '400',
        SHUTDOWN_TIMEOUT_MS: '8000',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    const output = watchOutput(child);
    try {
      const url = await output.url;
      expect((await get(`${url}/health/ready`)).status).toBe(200);
      expect((await admin(url).add({ type: 'latency', delayMs: 1200 })).status).toBe(201);

      const started = performance.now();
      const inFlight = get(`${url}/`);
      await sleep(200);
      child.kill('SIGTERM');
      await sleep(100);
      const readiness = await get(`${url}/health/ready`);
      expect(readiness.status).toBe(503);
      expect(readiness.json()).toMatchObject({ status: 'shutting_down' });

      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.json()).toHaveProperty('dice_value');
      expect(performance.now() - started).toBeGreaterThanOrEqual(1150);

      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });

      // One JSON object a line; the fault change as one event saying what and from where;
      // the admin request logged (at debug) with its Authorization header redacted.
      const records = output
        .text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.find((record) => record.event === 'fault_added')).toMatchObject({
        fault: { type: 'latency', delayMs: 1200 },
        origin: { source: 'admin-api', ip: '127.0.0.1' },
      });
      expect(records.some((record) => (record.req as { url?: string } | undefined)?.url === '/admin/faults')).toBe(
        true,
      );
      expect(output.text()).not.toContain(ADMIN_TOKEN);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
