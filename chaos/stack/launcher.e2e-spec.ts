// The local stack with the real Prometheus and Alertmanager binaries, on free loopback ports.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../local/network';
import { tools } from '../tools';
import { downDetached, PortBusyError, startStack, statusDetached, upDetached, type Stack } from '.';
import { isRunning } from '../local/processes';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'roque-stack-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const hasBlackbox = tools().blackboxExporter !== null;
const hasAlertmanager = tools().alertmanager !== null;

describe('startStack', () => {
  let stack: Stack;
  let readyMs: number;
  let dir: string;

  beforeAll(async () => {
    dir = dataDir();
    const started = performance.now();
    stack = await startStack({
      dataDir: dir,
      prometheusPort: await freePort(),
      alertmanagerPort: await freePort(),
      appTargets: ['127.0.0.1:1'],
    });
    readyMs = performance.now() - started;
  });
  afterAll(() => stack?.stop());

  test('is ready within 10 s', async () => {
    console.log(`stack ready in ${Math.round(readyMs)} ms`);
    expect(readyMs).toBeLessThan(10_000);
    expect((await fetch(`${stack.prometheusUrl}/-/ready`)).status).toBe(200);
    if (hasAlertmanager) expect((await fetch(`${stack.alertmanagerUrl}/-/ready`)).status).toBe(200);
  });

  test('listens on loopback only, with the remote-write receiver and exemplar storage on (and OTLP on v3)', async () => {
    expect(stack.prometheusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // An empty write request is a bad request for the receiver, and a 404 without it.
    const res = await fetch(`${stack.prometheusUrl}/api/v1/write`, { method: 'POST', body: '' });
    expect(res.status).not.toBe(404);
    const flags = (await (await fetch(`${stack.prometheusUrl}/api/v1/status/flags`)).json()) as {
      data: Record<string, string>;
    };
    const build = (await (await fetch(`${stack.prometheusUrl}/api/v1/status/buildinfo`)).json()) as {
      data: { version: string };
    };
    const v3 = build.data.version.startsWith('3.');
    expect(flags.data['enable-feature'].split(',')).toEqual(
      v3 ? ['exemplar-storage'] : ['native-histograms', 'exemplar-storage'],
    );
    if (v3) {
      // The OTLP receiver answers an empty request as bad, and 404 without the flag.
      const otlp = await fetch(`${stack.prometheusUrl}/api/v1/otlp/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: 'x',
      });
      expect(otlp.status).not.toBe(404);
    }
  });

  test('setTargets re-points the target-app job without a restart', async () => {
    const port = await freePort();
    stack.setTargets([`127.0.0.1:${port}`]);
    const deadline = Date.now() + 15_000;
    let scraped: string[] = [];
    while (Date.now() < deadline) {
      const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: { labels: { job: string }; scrapeUrl: string }[] };
      };
      scraped = body.data.activeTargets.filter((t) => t.labels.job === 'target-app').map((t) => t.scrapeUrl);
      if (scraped.includes(`http://127.0.0.1:${port}/metrics`)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(scraped).toEqual([`http://127.0.0.1:${port}/metrics`]);
  });

  test('the blackbox exporter probes both health endpoints of the target', async () => {
    if (!hasBlackbox) return;
    const port = await freePort();
    stack.setTargets([`127.0.0.1:${port}`]);
    const deadline = Date.now() + 15_000;
    let probed: string[] = [];
    while (Date.now() < deadline) {
      const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: { labels: { job: string; instance: string } }[] };
      };
      probed = body.data.activeTargets
        .filter((t) => t.labels.job === 'target-app-probes')
        .map((t) => t.labels.instance)
        .sort();
      if (probed.length === 2 && probed[0].includes(`:${port}/`)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(probed).toEqual([`http://127.0.0.1:${port}/health/live`, `http://127.0.0.1:${port}/health/ready`]);
  });

  test('stop() leaves no process behind', async () => {
    const pids = [stack.pids.prometheus, stack.pids.alertmanager, stack.pids.blackbox].filter((pid) => pid !== null);
    await stack.stop();
    for (const pid of pids) expect(isRunning(pid, dir)).toBe(false);
  });
});

describe('a busy port', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => blocker.close(resolve)));

  test('fails before spawning, naming the port and what to do', async () => {
    const dir = dataDir();
    const attempt = startStack({ dataDir: dir, prometheusPort: port, alertmanagerPort: null });
    await expect(attempt).rejects.toThrow(PortBusyError);
    expect(readdirSync(dir)).toEqual([]);
    await expect(attempt).rejects.toThrow(
      new RegExp(`Prometheus cannot start: 127\\.0\\.0\\.1:${port} is already in use.*--prometheus-port`),
    );
  });

  test('for Alertmanager too', async () => {
    const attempt = startStack({ dataDir: dataDir(), prometheusPort: await freePort(), alertmanagerPort: port });
    if (hasAlertmanager)
      await expect(attempt).rejects.toThrow(`Alertmanager cannot start: 127.0.0.1:${port} is already in use`);
    else await (await attempt).stop();
  });
});

test('a missing binary says what to do', async () => {
  const saved = process.env.ROQUE_PROMETHEUS;
  process.env.ROQUE_PROMETHEUS = '/nonexistent/prometheus';
  try {
    await expect(
      startStack({ dataDir: dataDir(), prometheusPort: await freePort(), alertmanagerPort: null }),
    ).rejects.toThrow(/prometheus could not start: spawn \/nonexistent\/prometheus ENOENT.*npm run setup/);
  } finally {
    if (saved === undefined) delete process.env.ROQUE_PROMETHEUS;
    else process.env.ROQUE_PROMETHEUS = saved;
  }
});

test('stack up / status / down (detached, as the CLI runs them) leaves no process', async () => {
  const dir = dataDir();
  const options = { dataDir: dir, prometheusPort: await freePort(), alertmanagerPort: await freePort() };
  const { state, started } = await upDetached(options);
  expect(started).toBe(true);
  try {
    // A second `up` keeps the running stack and re-points its targets.
    expect((await upDetached({ ...options, appTargets: ['127.0.0.1:4321'] })).started).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'targets', 'target-app.json'), 'utf8'))[0].targets).toEqual([
      '127.0.0.1:4321',
    ]);
    const status = await statusDetached(dir);
    expect(status.every((s) => s.running && s.ready)).toBe(true);
    const names = [
      'prometheus',
      ...(hasAlertmanager ? ['alertmanager'] : []),
      ...(hasBlackbox ? ['blackbox-exporter'] : []),
    ];
    expect(status.map((s) => s.name)).toEqual(names);
  } finally {
    expect((await downDetached(dir)).length).toBe(1 + Number(hasAlertmanager) + Number(hasBlackbox));
  }
  if (state.blackbox) expect(isRunning(state.blackbox.pid, dir)).toBe(false);
  expect(isRunning(state.prometheus.pid, dir)).toBe(false);
  if (state.alertmanager) expect(isRunning(state.alertmanager.pid, dir)).toBe(false);
  expect(await statusDetached(dir)).toEqual([]);
});
