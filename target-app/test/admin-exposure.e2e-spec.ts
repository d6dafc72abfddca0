// The admin API's exposure: ADMIN_PORT moves it to a loopback listener of its own (the
// public port answers 404 for /admin) sharing the one fault engine; failed token attempts
// are rate-limited per client; the token appears in no log line and no answer.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createAdminApp, createApp } from '../src/app.factory';
import { configFrom } from '../src/config/app-config';
import { ADMIN_TOKEN, admin, get, startApp, type RunningApp } from './e2e-helpers';

const ROOT = join(__dirname, '..', '..');

function urlOf(app: NestFastifyApplication): string {
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://${address.address}:${address.port}`;
}

describe('ADMIN_PORT: the admin API on its own loopback listener (e2e)', () => {
  let service: NestFastifyApplication;
  let adminApp: NestFastifyApplication;
  let publicUrl: string;
  let adminUrl: string;

  beforeAll(async () => {
    // The public side on every interface, as in a container: /admin must still not be there.
    const config = configFrom({ LOG_LEVEL: 'silent', CHAOS_ADMIN_TOKEN: ADMIN_TOKEN, ADMIN_PORT: '0' });
    service = await createApp(config);
    adminApp = await createAdminApp(config, service);
    await adminApp.listen(0, config.adminHost);
    await service.listen(0, '0.0.0.0');
    publicUrl = `http://127.0.0.1:${(service.getHttpServer().address() as { port: number }).port}`;
    adminUrl = urlOf(adminApp);
  });
  afterAll(async () => {
    await adminApp?.close();
    await service?.close();
  });

  it('binds the admin listener to 127.0.0.1 by default', () => {
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 404 for /admin on the public port, token or not', async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const path of ['/admin/faults', '/admin/openapi.json', '/admin']) {
      expect((await get(`${publicUrl}${path}`, { headers })).status).toBe(404);
    }
    expect((await admin(publicUrl).add({ type: 'error' })).status).toBe(404);
    expect((await get(`${publicUrl}/`)).status).toBe(200);
  });

  it("drives the service's one fault engine from the admin port, and serves only /admin there", async () => {
    const client = admin(adminUrl);
    const added = await client.add({ type: 'error', status: 503, routes: ['/'], ttlSeconds: 30 });
    expect(added.status).toBe(201);
    expect((await get(`${publicUrl}/`)).status).toBe(503);
    expect((await client.list()).json<{ faults: unknown[] }>().faults).toHaveLength(1);
    expect((await client.clear()).status).toBe(204);
    expect((await get(`${publicUrl}/`)).status).toBe(200);
    expect(
      (await get(`${adminUrl}/admin/openapi.json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json(),
    ).toHaveProperty('paths./admin/faults');
    expect((await get(`${adminUrl}/`)).status).toBe(404);
    expect((await get(`${adminUrl}/metrics`)).status).toBe(404);
  });
});

describe('failed token attempts (e2e)', () => {
  const LIMIT = 5;
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE: String(LIMIT) });
  });
  afterAll(() => running.close());

  it(`answers 401 to the first ${LIMIT} per minute, then 429 with Retry-After; the right token is never limited`, async () => {
    const wrong = admin(running.url, 'not-the-token');
    for (let attempt = 1; attempt <= LIMIT; attempt++) expect((await wrong.list()).status).toBe(401);
    const limited = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>(
      (resolve, reject) => {
        fetch(`${running.url}/admin/faults`, { headers: { authorization: 'Bearer still-wrong' } })
          .then(async (res) =>
            resolve({
              status: res.status,
              retryAfter: res.headers.get('retry-after') ?? undefined,
              body: await res.text(),
            }),
          )
          .catch(reject);
      },
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    expect(limited.body).toContain('too many failed admin token attempts');
    expect((await get(`${running.url}/admin/faults`)).status).toBe(429);

    const right = admin(running.url);
    expect((await right.list()).status).toBe(200);
    expect((await right.add({ type: 'latency', delayMs: 1, ttlSeconds: 5 })).status).toBe(201);
    expect((await right.clear()).status).toBe(204);
    expect((await wrong.list()).status).toBe(429);
  });
});

describe("the token in the real process's output (e2e)", () => {
  it('never appears in its logs (debug level) nor in any answer, with ADMIN_PORT set', async () => {
    const { PORT: _p, HOST: _h, CHAOS_ADMIN_TOKEN: _t, OTEL_EXPORTER_OTLP_ENDPOINT: _o, ...env } = process.env;
    const token = `tok-${Date.now().toString(36)}-secret`;
    const child = spawn(
      process.execPath,
      ['--import', './dist/target-app/src/tracing.js', 'dist/target-app/src/main.js'],
      {
        cwd: ROOT,
        env: {
          ...env,
          PORT: '0',
          ADMIN_PORT: '0',
          LOG_LEVEL: 'debug',
          CHAOS_ADMIN_TOKEN: token,
          CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE: '2',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 20_000;
      while (!/listening on http:\/\/\S+"[\s\S]*listening on/.test(output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const adminUrl = /admin API listening on (http:\/\/[^"\s]+)/.exec(output)![1];
      const publicUrl = /"listening on (http:\/\/[^"\s]+)/.exec(output)![1];
      const answers: string[] = [];
      const right = admin(adminUrl, token);
      const wrong = admin(adminUrl, `${token}x`);
      for (const call of [
        () => right.add({ type: 'error', status: 503, ttlSeconds: 5 }),
        () => right.addRaw('{"type":"latency","delayMs":-1}'),
        () => right.addRaw('{not json'),
        () => right.remove('no-such-fault'),
        () => get(`${publicUrl}/`),
        () => wrong.list(),
        () => wrong.list(),
        () => wrong.list(),
        () => right.clear(),
        () => get(`${publicUrl}/admin/faults`, { headers: { authorization: `Bearer ${token}` } }),
      ]) {
        answers.push((await call()).body);
      }
      expect(answers.some((body) => body.includes('too many failed'))).toBe(true);
      child.kill('SIGTERM');
      await exited;
      expect(output).toContain('/admin/faults');
      expect(output).not.toContain(token);
      expect(answers.filter((body) => body.includes(token))).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
