import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { junitXml } from './junit';
import { reportHtml } from './report-html';
import { resultJsonSchema, type RunResult, type CheckResult } from './result-schema';
import { summaryMarkdown } from './summary-md';
import { writeFileAtomic, writeReport } from './write-report';

const estimate = (value: number | null, n: number) => ({
  value,
  low: value === null ? null : value * 0.9,
  high: value === null ? null : value * 1.1,
  confidence: 0.95,
  n,
});
const client = (p50: number, share: number, shift: number | null) => ({
  requests: 600,
  failed: Math.round(600 * share),
  errorShare: estimate(share, 600),
  latencyMs: { p50: estimate(p50, 600), p95: estimate(p50 * 2, 600), p99: estimate(p50 * 3, 600) },
  latencyShiftMs: shift === null ? null : estimate(shift, 360_000),
  achievedRps: 40,
  droppedIterations: 0,
});
const check = (name: string, passed: boolean, observed: string): CheckResult => ({
  name,
  kind: 'fidelity',
  phase: 'latency',
  passed,
  expected: 'shift 500.0 ms ± 50.0 ms',
  observed,
  details: { shiftMs: 200.3, nPhase: 600 },
});

function result(checks: CheckResult[]): RunResult {
  const t0 = Date.parse('2026-11-22T01:00:00Z');
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  const series = [0, 1, 2].map((s) => ({ t: t0 + s * 1000, v: s === 1 ? null : 2 }));
  return {
    schemaVersion: 1,
    runId: '20261122T010000-demo-abcd',
    experiment: { name: 'demo', description: 'a <demo> & "test"', file: 'demo.yaml' },
    quick: true,
    status: checks.every((c) => c.passed) ? 'passed' : 'failed',
    abortReason: null,
    startedAt: iso(-5),
    finishedAt: iso(40),
    wallSeconds: 45,
    target: { app: 'http://127.0.0.1:1', prometheus: 'http://127.0.0.1:2', startedLocally: true },
    load: { scenario: 'chaos', rate: 40, k6ExitCode: 0, k6Meaning: 'passed' },
    phases: [
      {
        name: 'baseline',
        start: iso(0),
        end: iso(15),
        durationMs: 15_000,
        faults: [],
        client: client(2, 0, null),
        server: null,
      },
      {
        name: 'latency',
        start: iso(15),
        end: iso(30),
        durationMs: 15_000,
        faults: [
          { type: 'latency', delayMs: 200, jitterMs: 0, distribution: 'fixed', probability: 1, ttlSeconds: 300 },
        ],
        client: client(202, 0, 200),
        server: {
          requests: 600,
          errorShare: 0,
          p50Ms: 223,
          p95Ms: 247,
          p99Ms: 249,
          injectedDelayMs: 200.4,
          injections: { latency: 600 },
        },
      },
    ],
    checks,
    detection: [
      {
        alert: 'X',
        phase: 'latency',
        faultStart: iso(15),
        faultEnd: iso(30),
        firedAt: iso(20),
        resolvedAt: null,
        timeToDetectSeconds: 5,
        timeToResolveSeconds: null,
      },
    ],
    alerts: [{ alert: 'X', firedAt: iso(20), resolvedAt: null }],
    series: {
      clientP50Ms: series,
      clientP95Ms: series,
      clientRps: series,
      clientErrorShare: series,
      serverP95Ms: series,
      serverRps: series,
      serverErrorShare: series,
      injectedDelayMs: series,
      cpuCores: series,
      eventLoopLagMs: series,
      residentMemoryMb: series,
    },
    files: { raw: 'k6/requests.csv.gz', k6Summary: 'k6/summary.json', journal: 'journal.ndjson' },
  };
}

/** A small well-formedness check: tags nest and close, attributes are quoted, no bare < or &. */
function assertWellFormedXml(text: string): void {
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = text.slice(text.indexOf('\n') + 1);
  const stack: string[] = [];
  const token =
    /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:lt|gt|amp|quot|apos);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  let consumed = 0;
  for (const m of body.matchAll(token)) {
    consumed += m[0].length;
    const [, closing, name, , selfClosing, textPart] = m;
    if (textPart !== undefined) {
      expect(textPart).not.toMatch(/&(?!(lt|gt|amp|quot|apos);)/);
      continue;
    }
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name);
  }
  expect(consumed).toBe(body.length);
  expect(stack).toEqual([]);
}

describe('report writers', () => {
  const failing = result([
    check('latency: shift "500" < > & ms', false, 'shift 200.3 ms [199.0, 201.0] | n=600'),
    check('holds', true, 'fine'),
  ]);

  it('writes every file, result.json valid against the committed JSON Schema, and points latest at the run', () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'roque-report-')), failing.runId);
    mkdirSync(runDir);
    writeReport(runDir, failing);
    const written = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
    const schema = JSON.parse(readFileSync(join(__dirname, 'result.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    validate(written);
    expect(validate.errors).toBeNull();
    expect(written).toMatchObject({
      status: 'failed',
      checks: [{ name: 'latency: shift "500" < > & ms', passed: false }, { passed: true }],
    });
    expect(lstatSync(join(runDir, '..', 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(runDir, '..', 'latest'))).toBe(failing.runId);
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('id="verdict"');
    expect(html).not.toMatch(/<script src=|<link [^>]*href="http/); // self-contained
    expect(html).toContain('a &lt;demo&gt; &amp; &quot;test&quot;');
  });

  it("links the run's dashboard pages and k6's report beside each other, and none when there are none", () => {
    const withPages = {
      ...failing,
      files: {
        ...failing.files,
        dashboards: ['dashboards/golden-signals.html', 'dashboards/k6-results.html'],
        k6Dashboard: 'k6/k6-dashboard.html',
      },
    };
    expect(reportHtml(withPages)).toContain(
      '<p id="dashboards">Dashboards: <a href="dashboards/golden-signals.html">golden signals</a> · <a href="dashboards/k6-results.html">k6 results</a> · <a href="k6/k6-dashboard.html">k6 web dashboard</a></p>',
    );
    expect(reportHtml(failing)).not.toContain('id="dashboards"');
  });

  it('replaces each file in one rename: an open reader keeps the whole old file, no temporary file is left', () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'roque-report-')), failing.runId);
    mkdirSync(runDir);
    writeReport(runDir, failing);
    const before = statSync(join(runDir, 'result.json'));
    const reader = openSync(join(runDir, 'result.json'), 'r');
    try {
      writeReport(runDir, { ...failing, status: 'aborted', abortReason: 'SIGINT received' });
      const after = statSync(join(runDir, 'result.json'));
      expect(after.ino).not.toBe(before.ino);
      const old = Buffer.alloc(before.size);
      readSync(reader, old, 0, before.size, 0);
      expect(JSON.parse(old.toString('utf8')).status).toBe('failed');
    } finally {
      closeSync(reader);
    }
    expect(JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')).status).toBe('aborted');
    expect(readdirSync(runDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(runDir, '..')).sort()).toEqual([failing.runId, 'latest']);
  });

  it('leaves no temporary file when a write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roque-report-'));
    mkdirSync(join(dir, 'result.json'));
    expect(() => writeFileAtomic(join(dir, 'result.json'), '{}')).toThrow(/EISDIR|EEXIST|ENOTEMPTY/);
    expect(readdirSync(dir)).toEqual(['result.json']);
  });

  // To regenerate after changing result-schema.ts: node webpack-free-build.mjs --only node && node -e
  // "fs.writeFileSync('chaos/report/result.schema.json', JSON.stringify(require('./dist/chaos/report/result-schema.js').resultJsonSchema(), null, 2) + '\n')"
  it('the committed JSON Schema is the one generated from the zod schema', () => {
    expect(JSON.parse(readFileSync(join(__dirname, 'result.schema.json'), 'utf8'))).toEqual(resultJsonSchema());
  });

  it('refuses to write a result that does not match its schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roque-report-'));
    expect(() => writeReport(dir, { ...failing, status: 'unknown' } as unknown as RunResult)).toThrow(/status/);
  });

  it('junit.xml is well-formed with one test case per check', () => {
    const xml = junitXml(failing);
    assertWellFormedXml(xml);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('tests="2" failures="1" errors="0"');
    expect(xml).toContain('<failure message="shift 200.3 ms [199.0, 201.0] | n=600" type="fidelity">');
    expect(xml).toContain('name="latency: shift &quot;500&quot; &lt; &gt; &amp; ms"');
    const aborted = junitXml({ ...failing, status: 'aborted', abortReason: 'SIGINT received' });
    assertWellFormedXml(aborted);
    expect(aborted).toContain('<error message="SIGINT received"/>');
  });

  it('the well-formedness check itself catches broken XML', () => {
    expect(() => assertWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>')).toThrow();
    expect(() => assertWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>x & y</a>')).toThrow();
  });

  it('summary.md has the verdict and a table row per check, pipes escaped', () => {
    const md = summaryMarkdown(failing);
    expect(md).toMatch(/^## ❌ demo: failed\n/);
    expect(md).toContain('1/2 checks held');
    expect(md).toContain(
      '| ❌ | latency: shift "500" < > & ms | shift 500.0 ms ± 50.0 ms | shift 200.3 ms [199.0, 201.0] \\| n=600 |',
    );
    expect(md).toContain(
      '| latency | latency 200 ms | 600 | 0 | 202.0 ms | 404.0 ms [363.6, 444.4] | 200.0 ms [180.0, 220.0] | 0.0% | 247.0 ms | 0.0% | 200.4 ms |',
    );
    expect(md).toContain('| X | latency | 5.0 s | – |');
  });

  it('a split load: the runners and replicas, valid against the schema, in both the HTML and the Markdown; absent otherwise', () => {
    const base = result([check('holds', true, 'fine')]);
    const runner = (instanceId: string, segment: string, switchesFaults: boolean) => ({
      instanceId,
      segment,
      rate: 20,
      switchesFaults,
      k6ExitCode: 0,
      k6Meaning: 'passed',
      requests: 600,
      failedRequests: 3,
      droppedIterations: 1,
    });
    const split: RunResult = {
      ...base,
      target: { ...base.target, replicas: ['http://127.0.0.1:1', 'http://127.0.0.1:3'] },
      load: { ...base.load, runners: [runner('1', '0:1/2', true), runner('2', '1/2:1', false)] },
      phases: base.phases.map((p) =>
        p.server
          ? {
              ...p,
              server: {
                ...p.server,
                replicas: [
                  { instance: '127.0.0.1:1', requests: 300, injections: { latency: 300 } },
                  { instance: '127.0.0.1:3', requests: 300, injections: {} },
                ],
              },
              placements: [{ faultId: 'f1', type: 'latency', instances: ['127.0.0.1:1'] }],
            }
          : p,
      ),
    };
    const runDir = join(mkdtempSync(join(tmpdir(), 'roque-report-')), split.runId);
    mkdirSync(runDir);
    writeReport(runDir, split);
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(
      JSON.parse(readFileSync(join(__dirname, 'result.schema.json'), 'utf8')),
    );
    validate(JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')));
    expect(validate.errors).toBeNull();
    const html = reportHtml(split);
    expect(html).toContain(
      '<tr><td>2</td><td>1/2:1</td><td>20 req/s</td><td>no</td><td>600</td><td>3</td><td>1</td><td>0 (passed)</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>latency</td><td>127.0.0.1:1</td><td>300</td><td>latency</td><td>latency 300</td></tr>',
    );
    expect(html).toContain('<tr><td>latency</td><td>127.0.0.1:3</td><td>300</td><td>–</td><td>–</td></tr>');
    const md = summaryMarkdown(split);
    expect(md).toContain('| 1 | 0:1/2 | 20 req/s | yes | 600 | 3 | 1 | 0 (passed) |');
    expect(md).toContain('| latency | 127.0.0.1:1 | 300 | latency | latency 300 |');
    for (const text of [reportHtml(base), summaryMarkdown(base)]) expect(text).not.toMatch(/k6 runners|Replicas/);
  });
});
