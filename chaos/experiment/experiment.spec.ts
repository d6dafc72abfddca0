import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';
import { ExperimentError, loadExperiment, parseExperiment } from './load';
import { injectedDelayMs, injectedErrorShare, planExperiment } from './plan';
import { experimentJsonSchema } from './schema';

const EXPERIMENTS = join(REPO_ROOT, 'chaos', 'experiments');

/** The problems an invalid file gives, one `file:line field: message` each. */
function problemsOf(text: string): string[] {
  try {
    parseExperiment(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ExperimentError) return error.problems;
    throw error;
  }
  throw new Error('the experiment was accepted');
}

const VALID = `name: demo
load:
  rate: 20
phases:
  - name: baseline
    duration: 20s
  - name: degraded
    duration: 30s
    faults:
      - type: latency
        delayMs: 200
checks:
  - kind: fidelity
    signal: latency
    phase: degraded
`;

describe('experiment files', () => {
  it.each(readdirSync(EXPERIMENTS).filter((f) => f.endsWith('.yaml')))('%s is valid', (file) => {
    expect(loadExperiment(join(EXPERIMENTS, file)).phases.length).toBeGreaterThan(0);
  });

  it('the default experiment fits in 4 minutes with start-up, and quick mode keeps enough samples', () => {
    const experiment = loadExperiment(join(EXPERIMENTS, 'golden-signals.yaml'));
    const full = planExperiment(experiment, false);
    const quick = planExperiment(experiment, true);
    expect(full.totalMs).toBeLessThanOrEqual(180_000);
    expect(quick.totalMs).toBeLessThan(full.totalMs);
    for (const phase of quick.phases)
      expect((phase.durationMs / 1000) * experiment.load.rate).toBeGreaterThanOrEqual(400);
  });
});

describe('parseExperiment', () => {
  it('fills defaults and plans offsets, check names and expectations', () => {
    const plan = planExperiment(parseExperiment(VALID), false);
    expect(plan.phases.map((p) => [p.name, p.startMs, p.durationMs])).toEqual([
      ['baseline', 0, 20_000],
      ['degraded', 20_000, 30_000],
    ]);
    expect(plan.checks[0]).toMatchObject({
      baseline: 'baseline',
      name: 'degraded: latency shift matches injected (200 ms)',
    });
    expect(injectedDelayMs(plan.phases[1])).toBe(200);
    expect(injectedErrorShare(plan.phases[1])).toBeUndefined();
    expect(planExperiment(parseExperiment(VALID), true).phases.map((p) => p.durationMs)).toEqual([10_000, 15_000]);
  });

  it('combines independent error and abort faults into one expected share', () => {
    const plan = planExperiment(
      parseExperiment(
        VALID.replace(
          '- type: latency\n        delayMs: 200',
          '- type: error\n        probability: 0.1\n      - type: abort\n        probability: 0.1',
        ),
      ),
      false,
    );
    expect(injectedErrorShare(plan.phases[1])).toBeCloseTo(0.19, 10);
  });

  it('expects the shift and error share of faults on /* (every route), and none from faults on other routes', () => {
    const wildcard = planExperiment(
      parseExperiment(VALID.replace('delayMs: 200', 'delayMs: 200\n        routes: ["/*"]')),
      false,
    );
    expect(injectedDelayMs(wildcard.phases[1])).toBe(200);
    expect(wildcard.checks[0].name).toBe('degraded: latency shift matches injected (200 ms)');
    const failing = planExperiment(
      parseExperiment(
        VALID.replace(
          '- type: latency\n        delayMs: 200',
          '- type: error\n        probability: 0.1\n        routes: ["/*"]',
        ),
      ),
      false,
    );
    expect(injectedErrorShare(failing.phases[1])).toBeCloseTo(0.1, 10);
    const elsewhere = planExperiment(
      parseExperiment(VALID.replace('delayMs: 200', 'delayMs: 200\n        routes: ["/f*"]')),
      false,
    );
    expect(injectedDelayMs(elsewhere.phases[1])).toBeUndefined();
  });

  it('names line and field of a bad fault value', () => {
    expect(problemsOf(VALID.replace('delayMs: 200', 'delayMs: -5'))).toEqual([
      'bad.yaml:11 phases[1].faults[0].delayMs: Too small: expected number to be >=0',
    ]);
  });

  it('names an unknown fault type and the known ones', () => {
    expect(problemsOf(VALID.replace('type: latency', 'type: slowness'))).toEqual([
      'bad.yaml:10 phases[1].faults[0].type: unknown type "slowness" (expected one of latency, error, abort, cpu, memory, health)',
    ]);
  });

  it('names an unknown field at its own line', () => {
    expect(problemsOf(VALID.replace('    duration: 30s', '    duration: 30s\n    color: red'))).toEqual([
      'bad.yaml:9 phases[1].color: unknown field color',
    ]);
  });

  it('names a bad duration and a missing field', () => {
    const problems = problemsOf(
      VALID.replace('duration: 20s', 'duration: 20').replace('  rate: 20\n', '  scenario: chaos\n'),
    );
    expect(problems).toContain('bad.yaml:3 load.rate: Invalid input: expected number, received undefined');
    expect(problems).toContain('bad.yaml:6 phases[0].duration: Invalid input: expected string, received number');
    expect(problemsOf(VALID.replace('duration: 20s', 'duration: 20 days'))).toEqual([
      'bad.yaml:6 phases[0].duration: "20 days" is not a duration (use a number with ms, s, m or h, e.g. 200ms, 1.5s, 2m, 1m30s)',
    ]);
  });

  it('refuses a check on a phase that does not exist', () => {
    expect(problemsOf(VALID.replace('phase: degraded', 'phase: degarded'))).toEqual([
      'bad.yaml:15 checks[0].phase: no phase "degarded" (phases: baseline, degraded)',
    ]);
  });

  it('reports invalid YAML with its line', () => {
    const [problem] = problemsOf(VALID.replace('  rate: 20', '  rate: 20\n  rate: 30'));
    expect(problem).toMatch(/^bad\.yaml:4 invalid YAML: Map keys must be unique/);
  });

  it('reports a missing file', () => {
    expect(() => loadExperiment('/nonexistent/x.yaml')).toThrow(/cannot read the experiment file \(ENOENT\)/);
  });

  // To regenerate after changing schema.ts: node webpack-free-build.mjs --only node && node -e
  // "fs.writeFileSync('chaos/experiment/experiment.schema.json', JSON.stringify(require('./dist/chaos/experiment/schema.js').experimentJsonSchema(), null, 2) + '\n')"
  it('has a JSON Schema for editors, committed beside the code and up to date', () => {
    const schema = experimentJsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['name', 'load', 'phases', 'checks']),
    });
    expect(JSON.parse(readFileSync(join(__dirname, 'experiment.schema.json'), 'utf8'))).toEqual(schema);
  });
});
