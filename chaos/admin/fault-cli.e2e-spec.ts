// `roque fault` against the real app: the admin API from a shell, with its exit codes.
import { startApp, type AppProcess } from '../local/app-process';
import { freePort } from '../local/network';
import { roque } from '../local/roque-cli';
import type { Fault } from '../contract/faults';

let app: AppProcess;
let env: Record<string, string>;

beforeAll(async () => {
  app = await startApp();
  env = { ROQUE_TARGET_URL: app.url, CHAOS_ADMIN_TOKEN: app.adminToken };
});
afterAll(async () => {
  await app?.stop();
});

test('add, list, rm and clear faults, readable and --json', async () => {
  const added = await roque(
    ['fault', 'add', 'latency', '--delay', '200ms', '--jitter', '20ms', '--ttl', '2m', '--routes', '/', '--json'],
    env,
  );
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  const fault = JSON.parse(added.stdout) as Fault;
  expect(fault).toMatchObject({ type: 'latency', delayMs: 200, jitterMs: 20, ttlSeconds: 120, routes: ['/'] });

  const error = await roque(['fault', 'add', 'error', '--status', '503', '--probability', '0.2'], env);
  expect(error.code).toBe(0);
  expect(error.stdout).toMatch(/added [0-9a-f-]{36}/);
  expect(error.stdout).toContain('status 503');

  const table = await roque(['fault', 'list'], env);
  expect(table.code).toBe(0);
  expect(table.stdout).toContain('200ms ± 20ms (fixed)');
  expect(table.stdout).toMatch(/1[12]\ds/); // expires in about 2 minutes

  const listed = JSON.parse((await roque(['fault', 'list', '--json'], env)).stdout) as { faults: Fault[] };
  expect(listed.faults.map((f) => f.type).sort()).toEqual(['error', 'latency']);

  const removed = await roque(['fault', 'rm', fault.id], env);
  expect(removed).toMatchObject({ code: 0 });
  expect(removed.stdout).toContain(`removed ${fault.id}`);

  const unknown = await roque(['fault', 'rm', fault.id], env);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain(`no fault ${fault.id}`);

  expect((await roque(['fault', 'clear'], env)).code).toBe(0);
  expect(JSON.parse((await roque(['fault', 'list', '--json'], env)).stdout)).toEqual({ faults: [] });
});

test('a refused token exits 1 and says 401', async () => {
  const result = await roque(['fault', 'list', '--token', 'wrong'], env);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('401 unauthorized: the admin token was refused');
});

test('an unreachable target exits 2 and names it', async () => {
  const target = `http://127.0.0.1:${await freePort()}`;
  const result = await roque(['fault', 'list', '--target', target], env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`target ${target} is unreachable`);
});

test.each([
  [['fault', 'add', 'latency', '--delay', '200'], '--delay: "200" is not a duration'],
  [['fault', 'add', 'slowness'], 'unknown fault type "slowness"'],
  [['fault', 'add', 'error', '--probability', '1.5'], 'probability'],
  [['fault', 'list', '--target', 'http://10.0.0.1:8080'], 'is not a loopback address'],
  [['fault', 'add'], "missing required argument 'type'"],
])('bad input %j exits 2 before anything is sent', async (args, message) => {
  const result = await roque(args, env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

test('a bad fault the server refuses exits 1 with its message', async () => {
  // The schema allows a memory fault up to 16 GB; the app caps memory lower and answers 400.
  const result = await roque(['fault', 'add', 'memory', '--megabytes', '16000', '--ttl', '5s'], env);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/400 bad request: .*megabytes/);
});
