import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, tools } from '../tools';
import {
  prometheusFeatureFlags,
  renderPrometheusConfig,
  writeProbeTargets,
  writeTargets,
  type RuleSelection,
} from './prometheus-config';

const canonicalPath = join(REPO_ROOT, 'stack', 'prometheus', 'prometheus.yml');
const canonical = readFileSync(canonicalPath, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'roque-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const render = (alertmanager: string | null, blackbox: string | null = '127.0.0.1:19115', rules?: RuleSelection) =>
  renderPrometheusConfig(
    canonical,
    canonicalPath,
    {
      prometheus: '127.0.0.1:19090',
      alertmanager,
      targetsFile: join(dir, 'target-app.json'),
      blackbox,
      probesFile: join(dir, 'probes.json'),
    },
    rules,
  );

test('the local copy keeps the local jobs on loopback and drops the compose-only ones', () => {
  const config = parse(render('127.0.0.1:19093'));
  const jobs = Object.fromEntries(config.scrape_configs.map((job: { job_name: string }) => [job.job_name, job]));
  expect(Object.keys(jobs).sort()).toEqual(['alertmanager', 'prometheus', 'target-app', 'target-app-probes']);
  expect(jobs['target-app-probes'].file_sd_configs[0].files).toEqual([join(dir, 'probes.json')]);
  expect(
    jobs['target-app-probes'].relabel_configs.find((r: { target_label: string }) => r.target_label === '__address__')
      .replacement,
  ).toBe('127.0.0.1:19115');
  expect(jobs['target-app'].static_configs).toBeUndefined();
  expect(jobs['target-app'].file_sd_configs[0].files).toEqual([join(dir, 'target-app.json')]);
  expect(jobs.prometheus.static_configs[0].targets).toEqual(['127.0.0.1:19090']);
  expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:19093']);
  expect(config.rule_files).toEqual([join(REPO_ROOT, 'stack', 'prometheus', 'rules', '*.yml')]);
  expect(config.storage.tsdb.out_of_order_time_window).toBe('10m');
});

test('without Alertmanager there is no alerting section and no alertmanager job', () => {
  const config = parse(render(null));
  expect(config.alerting).toBeUndefined();
  expect(config.scrape_configs.map((job: { job_name: string }) => job.job_name)).not.toContain('alertmanager');
});

test('without the blackbox exporter there is no probe job', () => {
  const config = parse(render(null, null));
  expect(config.scrape_configs.map((job: { job_name: string }) => job.job_name)).not.toContain('target-app-probes');
});

test("the user's rule files are loaded beside Roque's, or instead of them", () => {
  expect(parse(render(null, null, { roque: true, extra: ['/x/mine.yml'] })).rule_files).toEqual([
    join(REPO_ROOT, 'stack', 'prometheus', 'rules', '*.yml'),
    '/x/mine.yml',
  ]);
  expect(parse(render(null, null, { roque: false, extra: ['/x/mine.yml'] })).rule_files).toEqual(['/x/mine.yml']);
  expect(parse(render(null, null, { roque: true, skip: ['slo.yml'], extra: [] })).rule_files).toEqual([
    join(REPO_ROOT, 'stack', 'prometheus', 'rules', 'golden-signals.yml'),
  ]);
});

test('writeProbeTargets lists both health endpoints of every target, labelled by probe', () => {
  const file = join(dir, 'probes.json');
  writeProbeTargets(file, ['127.0.0.1:1']);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
    { targets: ['http://127.0.0.1:1/health/ready'], labels: { probe: 'readiness' } },
    { targets: ['http://127.0.0.1:1/health/live'], labels: { probe: 'liveness' } },
  ]);
});

test('promtool accepts the rendered copy and its rule files', () => {
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, render('127.0.0.1:19093'));
  writeTargets(join(dir, 'target-app.json'), ['127.0.0.1:8080']);
  writeProbeTargets(join(dir, 'probes.json'), ['127.0.0.1:8080']);
  expect(execFileSync(tools().promtool, ['check', 'config', file], { encoding: 'utf8' })).toMatch(
    /SUCCESS: 2 rule files found/,
  );
});

test('writeTargets writes a file_sd group, and none for no targets', () => {
  const file = join(dir, 'targets.json');
  writeTargets(file, ['127.0.0.1:1', '127.0.0.1:2']);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([{ targets: ['127.0.0.1:1', '127.0.0.1:2'], labels: {} }]);
  writeTargets(file, []);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
});

test('Prometheus gets the flags of its major version: OTLP on v3, native histograms by flag on 2.x', () => {
  const v3 = prometheusFeatureFlags('prometheus, version 3.16.0 (branch: HEAD, revision: v0.316.0)');
  expect(v3).toEqual(
    expect.arrayContaining([
      '--web.enable-remote-write-receiver',
      '--web.enable-otlp-receiver',
      '--enable-feature=exemplar-storage',
    ]),
  );
  expect(v3.join(' ')).not.toContain('native-histograms');
  expect(prometheusFeatureFlags('prometheus, version 2.42.0+ds (branch: debian/sid)')).toEqual([
    '--web.enable-remote-write-receiver',
    '--enable-feature=native-histograms,exemplar-storage',
  ]);
});

test('an upstream behind the fault proxy is scraped as job upstream', () => {
  const config = parse(
    renderPrometheusConfig(canonical, canonicalPath, {
      prometheus: '127.0.0.1:19090',
      alertmanager: null,
      targetsFile: join(dir, 'target-app.json'),
      blackbox: null,
      probesFile: join(dir, 'probes.json'),
      upstream: ['127.0.0.1:5000'],
    }),
  );
  const upstream = config.scrape_configs.find((job: { job_name: string }) => job.job_name === 'upstream');
  expect(upstream).toEqual({
    job_name: 'upstream',
    metrics_path: '/metrics',
    static_configs: [{ targets: ['127.0.0.1:5000'] }],
  });
  expect(parse(render(null)).scrape_configs.map((job: { job_name: string }) => job.job_name)).not.toContain('upstream');
});
