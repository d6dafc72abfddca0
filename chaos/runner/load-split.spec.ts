import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { K6RunResult } from '../k6/k6-runner';
import {
  combinedK6Result,
  runnerFigures,
  runnerK6Options,
  segmentSequence,
  splitLoad,
  type RunnerOutcome,
} from './load-split';
import { mergeRawFiles, readRawResults } from './raw-results';

const k6Result = (exitCode: number, meaning: string): K6RunResult => ({
  exitCode,
  meaning,
  summaryFile: null,
  rawFile: null,
  webDashboardFile: null,
});

describe('splitLoad', () => {
  it('gives each runner one equal execution segment of one shared sequence; only the first switches faults', () => {
    expect(segmentSequence(3)).toBe('0,1/3,2/3,1');
    expect(splitLoad(3)).toEqual([
      { instanceId: '1', segment: '0:1/3', share: 1 / 3, switchesFaults: true },
      { instanceId: '2', segment: '1/3:2/3', share: 1 / 3, switchesFaults: false },
      { instanceId: '3', segment: '2/3:1', share: 1 / 3, switchesFaults: false },
    ]);
    expect(splitLoad(1)).toEqual([{ instanceId: '1', segment: '0:1', share: 1, switchesFaults: true }]);
  });

  it.each([0, 1.5, 17, Number.NaN])('refuses %p runners', (n) => {
    expect(() => splitLoad(n)).toThrow(/runners must be a whole number from 1 to 16/);
  });

  it('tags, segments and silences the runners that do not switch; one runner runs as before', () => {
    const shared = {
      scenario: 'chaos',
      testid: 't',
      summaryDir: '/k6',
      webDashboardExport: '/k6/d.html',
      env: { RATE: '40' },
      tags: { a: 'b' },
    };
    const [first, second] = splitLoad(2);
    expect(runnerK6Options(shared, second, 2, '/k6/requests-2.csv', '/k6/runner-2')).toEqual({
      ...shared,
      rawOutputFile: '/k6/requests-2.csv',
      summaryDir: '/k6/runner-2',
      tags: { a: 'b', instance_id: '2' },
      extraArgs: ['--execution-segment', '1/2:1', '--execution-segment-sequence', '0,1/2,1'],
      env: { RATE: '40', FAULT_SWITCH: 'off' },
      webDashboardExport: undefined,
    });
    expect(runnerK6Options(shared, first, 2, '/r.csv', '/k6/runner-1')).toMatchObject({
      env: { FAULT_SWITCH: 'on' },
      webDashboardExport: '/k6/d.html',
    });
    expect(runnerK6Options(shared, splitLoad(1)[0], 1, '/r.csv', '/k6')).toEqual({
      ...shared,
      rawOutputFile: '/r.csv',
      summaryDir: '/k6',
    });
  });
});

describe('combinedK6Result', () => {
  const outcome = (instanceId: string, exitCode: number, meaning: string, exitedAt: number): RunnerOutcome => ({
    ...splitLoad(3)[Number(instanceId) - 1],
    result: k6Result(exitCode, meaning),
    exitedAt,
  });

  it('is the runner that ended early first, named, so the run is aborted for it', () => {
    const combined = combinedK6Result([
      outcome('1', 105, 'aborted by a signal (e.g. SIGINT)', 30),
      outcome('2', 137, 'killed by signal 9', 20),
      outcome('3', 0, 'passed', 40),
    ]);
    expect(combined).toMatchObject({ exitCode: 137, meaning: 'runner 2 of 3: killed by signal 9' });
  });

  it('is a threshold failure when no runner ended early, else the first runner', () => {
    expect(combinedK6Result([outcome('1', 0, 'passed', 1), outcome('2', 99, 'thresholds failed', 1)])).toMatchObject({
      exitCode: 99,
    });
    expect(combinedK6Result([outcome('1', 0, 'passed', 1), outcome('2', 0, 'passed', 1)])).toMatchObject({
      exitCode: 0,
      meaning: 'runner 1 of 2: passed',
    });
  });
});

describe('merged raw results', () => {
  const header =
    'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,status,extra_tags,metadata';
  const line = (metric: string, t: number, value: number, instance: string, status = '200') =>
    `${metric},${t},${value},,,,${status === '200'},,GET,/,HTTP/1.1,load_baseline,${status},phase=baseline&testid=x&instance_id=${instance},`;

  it("are every runner's lines after one header, each request keeping its runner", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roque-merge-'));
    writeFileSync(
      join(dir, 'a.csv'),
      [header, line('http_req_duration', 1, 5, '1'), line('http_req_duration', 3, 7, '1', '500'), ''].join('\n'),
    );
    writeFileSync(
      join(dir, 'b.csv'),
      [header, line('http_req_duration', 2, 6, '2'), line('dropped_iterations', 2, 3, '2'), ''].join('\n'),
    );
    await mergeRawFiles([join(dir, 'a.csv'), join(dir, 'b.csv')], join(dir, 'all.csv'));
    expect(
      readFileSync(join(dir, 'all.csv'), 'utf8')
        .split('\n')
        .filter((l) => l === header),
    ).toHaveLength(1);
    const { requests, dropped } = await readRawResults(join(dir, 'all.csv'));
    expect(requests.map((r) => [r.t, r.instance])).toEqual([
      [1, '1'],
      [3, '1'],
      [2, '2'],
    ]);
    const figures = runnerFigures(splitLoad(2), null, 41, requests, dropped);
    expect(figures.map((f) => [f.instanceId, f.rate, f.requests, f.failedRequests, f.droppedIterations])).toEqual([
      ['1', 20.5, 2, 1, 0],
      ['2', 20.5, 1, 0, 3],
    ]);
  });

  it('refuse files whose columns differ (not the same script)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roque-merge-'));
    writeFileSync(join(dir, 'a.csv'), `${header}\n`);
    writeFileSync(join(dir, 'b.csv'), 'metric_name,timestamp\n');
    await expect(mergeRawFiles([join(dir, 'a.csv'), join(dir, 'b.csv')], join(dir, 'all.csv'))).rejects.toThrow(
      /b\.csv has other columns/,
    );
  });
});
