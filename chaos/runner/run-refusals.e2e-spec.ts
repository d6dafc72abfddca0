// `roque run` when the claim is false, when it is interrupted, and when its input is bad.
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../stack';
import { AdminClient } from '../admin/admin-client';
import { startApp, type AppProcess } from '../local/app-process';
import { freePort } from '../local/network';
import { roque, startRoque } from '../local/roque-cli';
import type { RunResult } from '../report/result-schema';

const work = mkdtempSync(join(tmpdir(), 'roque-refusals-'));
const reports = join(work, 'reports');

describe('with a running app and Prometheus given as the target', () => {
  let app: AppProcess;
  let stack: Stack;
  let targetArgs: string[];

  beforeAll(async () => {
    app = await startApp();
    stack = await startStack({
      dataDir: join(work, 'stack'),
      prometheusPort: await freePort(),
      alertmanagerPort: null,
      appTargets: [`127.0.0.1:${app.port}`],
    });
    targetArgs = [
      '--target',
      app.url,
      '--prometheus',
      stack.prometheusUrl,
      '--admin-token',
      app.adminToken,
      '--reports',
      reports,
    ];
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await stack?.stop();
  });

  test('a false claim (500 ms expected where 200 ms is injected; an alert that cannot fire) exits 1 naming the failing checks', async () => {
    const run = await roque(
      ['run', 'chaos/experiments/false-claim.yaml', ...targetArgs, '--no-dashboards'],
      {},
      150_000,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED false-claim');
    expect(run.stdout).toMatch(/FAILED\s+│ latency: latency shift matches\s+│ shift 500\.0 ms ± 50\.0 ms/);
    expect(run.stdout).toContain('RoqueHighLatency did not fire');
    const result = JSON.parse(readFileSync(join(reports, 'latest', 'result.json'), 'utf8')) as RunResult;
    expect(result.status).toBe('failed');
    expect(result.target.startedLocally).toBe(false);
    expect(result.checks.map((c) => c.passed)).toEqual([false, false]);
    expect(result.checks[0].details.shiftMs as number).toBeCloseTo(200, -1);
    // --no-dashboards: no pages and no k6 web dashboard.
    expect(result.files.dashboards).toBeUndefined();
    expect(existsSync(join(reports, 'latest', 'dashboards'))).toBe(false);
    expect(existsSync(join(reports, 'latest', 'k6', 'k6-dashboard.html'))).toBe(false);
  }, 180_000);

  test('SIGINT in the degraded phase clears the faults at once and keeps what was measured', async () => {
    const file = join(work, 'interrupted.yaml');
    writeFileSync(
      file,
      [
        'name: interrupted',
        'load: { rate: 20 }',
        'phases:',
        '  - { name: baseline, duration: 5s }',
        '  - name: degraded',
        '    duration: 60s',
        '    faults: [{ type: error, probability: 0.3 }]',
        'checks:',
        '  - { kind: fidelity, signal: errors, phase: degraded }',
        '',
      ].join('\n'),
    );
    const admin = new AdminClient({ target: app.url, token: app.adminToken });
    const run = startRoque(['run', file, ...targetArgs], {}, 90_000);
    const deadline = Date.now() + 40_000;
    while ((await admin.list()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await admin.list()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 2_000));
    run.child.kill('SIGINT');
    const interruptedAt = Date.now();
    while ((await admin.list()).length > 0 && Date.now() - interruptedAt < 5_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(await admin.list()).toEqual([]);
    expect(Date.now() - interruptedAt).toBeLessThan(1_000);

    const result = await run.done;
    expect(result.code).toBe(130);
    const runDir = join(reports, 'latest');
    const written = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;
    expect(written).toMatchObject({ status: 'aborted', abortReason: 'SIGINT received' });
    expect(written.phases.find((p) => p.name === 'degraded')!.client.requests).toBeGreaterThan(0);
    expect(existsSync(join(runDir, 'k6', 'requests.csv.gz'))).toBe(true);
    expect(readFileSync(join(runDir, 'journal.ndjson'), 'utf8')).toContain(
      '"event":"faults.cleared","why":"SIGINT received"',
    );
  }, 120_000);

  test('a final kill switch that fails makes a run whose checks held fail, and says so', async () => {
    // A proxy in front of the app refuses the runner's DELETE /admin/faults once the load has
    // begun (k6's own, from its teardown, still passes: the fault does end).
    let loadBegan = false;
    const proxy = createServer((req, res) => {
      if (req.url === '/') loadBegan = true;
      const fromRunner = !/\bk6\//.test(String(req.headers['user-agent']));
      if (loadBegan && fromRunner && req.method === 'DELETE' && req.url === '/admin/faults') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"refused by the test proxy"}');
        return;
      }
      const upstream = request(`${app.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    const file = join(work, 'kill-switch.yaml');
    writeFileSync(
      file,
      [
        'name: kill-switch',
        'load: { rate: 25 }',
        'phases:',
        '  - { name: baseline, duration: 6s }',
        '  - name: slow',
        '    duration: 6s',
        '    faults: [{ type: latency, delayMs: 5 }]',
        'checks:',
        '  - { kind: steady-state, phase: baseline, p95BelowMs: 1000 }',
        '',
      ].join('\n'),
    );
    try {
      const run = await roque(
        ['run', file, ...targetArgs.map((arg) => (arg === app.url ? `http://127.0.0.1:${port}` : arg))],
        {},
        90_000,
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('FAILED kill-switch: 1/1 checks held');
      expect(run.stdout).toContain('the final kill switch failed (');
      const written = JSON.parse(readFileSync(join(reports, 'latest', 'result.json'), 'utf8')) as RunResult;
      expect(written).toMatchObject({
        status: 'failed',
        abortReason: null,
        checks: [{ passed: true }],
        killSwitch: { cleared: false },
      });
      expect(written.killSwitch!.error).toMatch(/500/);
      expect(await new AdminClient({ target: app.url, token: app.adminToken }).list()).toEqual([]);
    } finally {
      proxy.close();
    }
  }, 120_000);

  test('an abort condition stops the run, reverts the faults and exits 1 with status aborted', async () => {
    const file = join(work, 'abort.yaml');
    writeFileSync(
      file,
      [
        'name: abort-on-errors',
        'load: { rate: 30 }',
        'phases:',
        '  - { name: baseline, duration: 5s }',
        '  - name: broken',
        '    duration: 60s',
        '    faults: [{ type: error, probability: 0.9 }]',
        'checks:',
        '  - { kind: fidelity, signal: errors, phase: broken }',
        'abort:',
        '  - { errorShareAbove: 0.5, for: 3s }',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const run = await roque(['run', file, ...targetArgs], {}, 90_000);
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(run.stderr).toMatch(/aborting: abort condition: error share \d+% above 50% for 3 s/);
    const written = JSON.parse(readFileSync(join(reports, 'latest', 'result.json'), 'utf8')) as RunResult;
    expect(written.status).toBe('aborted');
    expect(written.abortReason).toMatch(/^abort condition: error share/);
    expect(await new AdminClient({ target: app.url, token: app.adminToken }).list()).toEqual([]);
  }, 120_000);
});

describe('bad input exits 2 with a clear message', () => {
  const experiment = (name: string, text: string) => {
    const file = join(work, name);
    writeFileSync(file, text);
    return file;
  };

  test('invalid YAML', async () => {
    const run = await roque([
      'run',
      experiment('broken.yaml', 'name: broken\nload:\n  rate: [40\nphases: []\n'),
      '--reports',
      reports,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid experiment:\n {2}broken\.yaml:\d+ invalid YAML: /);
  });

  test('an unknown fault type', async () => {
    const text = readFileSync('chaos/experiments/false-claim.yaml', 'utf8').replace('type: latency', 'type: slowness');
    const run = await roque(['run', experiment('unknown-fault.yaml', text), '--reports', reports]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /unknown-fault\.yaml:\d+ phases\[1\]\.faults\[0\]\.type: unknown type "slowness" \(expected one of latency, error, abort, cpu, memory, health\)/,
    );
  });

  test('an unreachable Prometheus', async () => {
    const prometheus = `http://127.0.0.1:${await freePort()}`;
    const run = await roque([
      'run',
      'chaos/experiments/false-claim.yaml',
      '--target',
      'http://127.0.0.1:1',
      '--prometheus',
      prometheus,
      '--admin-token',
      't',
      '--reports',
      reports,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Prometheus at ${prometheus} is unreachable`);
  });

  test('a missing file', async () => {
    const run = await roque(['run', 'nope.yaml', '--reports', reports]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.yaml: cannot read the experiment file (ENOENT)');
  });
});
