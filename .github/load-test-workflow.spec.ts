// Issue 9: the users' CI workflow (.github/workflows/load-test.yml) is a valid GitHub workflow
// (SchemaStore's schema), uses grafana/setup-k6-action with a pinned k6 and Node 24, publishes
// the summary, uploads the reports, and every command it runs is one README.md documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT } from '../chaos/tools';

const WORKFLOW = join(REPO_ROOT, '.github', 'workflows', 'load-test.yml');
const SCHEMA = join(REPO_ROOT, '.github', 'schemas', 'github-workflow.json');

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> };

/** Every command line of the workflow's `run:` steps, as written (trimmed, blank lines dropped). */
export function runLines(workflow: { jobs: Record<string, { steps: Step[] }> }): string[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    job.steps.flatMap((step) =>
      (step.run ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    ),
  );
}

describe('.github/workflows/load-test.yml', () => {
  const text = readFileSync(WORKFLOW, 'utf8');
  const workflow = parse(text);
  const steps: Step[] = workflow.jobs['load-test'].steps;
  const uses = (prefix: string) => steps.find((step) => step.uses?.startsWith(prefix));

  it('validates against the GitHub workflow JSON schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
    const valid = validate(workflow);
    expect(valid ? [] : validate.errors).toEqual([]);
    // …and the schema does reject a broken workflow.
    expect(
      validate({
        ...workflow,
        jobs: { 'load-test': { ...workflow.jobs['load-test'], 'runs-on': undefined, stepz: [] } },
      }),
    ).toBe(false);
  });

  it('pins k6 v2.2.0 through grafana/setup-k6-action and Node 24 through actions/setup-node', () => {
    expect(uses('grafana/setup-k6-action@')?.with).toMatchObject({ 'k6-version': '2.2.0' });
    expect(String(uses('actions/setup-node@')?.with?.['node-version'])).toBe('24');
    expect(text).not.toMatch(/k6-version:\s*latest/);
  });

  it('runs smoke and the quick golden-signals experiment, publishes summary.md and uploads the reports', () => {
    const lines = runLines(workflow);
    expect(lines).toContainEqual(expect.stringMatching(/^npx roque k6 run smoke /));
    expect(lines).toContainEqual(
      expect.stringMatching(/^npx roque run chaos\/experiments\/golden-signals\.yaml --quick /),
    );
    expect(lines.join('\n')).toMatch(/cat reports\/latest\/summary\.md >> "\$GITHUB_STEP_SUMMARY"/);
    const upload = uses('actions/upload-artifact@');
    expect(upload?.if).toMatch(/always\(\)/);
    expect(String(upload?.with?.path)).toMatch(/^reports\//m);
    // A failed threshold (k6 exits 99) or check (roque run exits 1) fails its step, hence the job:
    // no step of the load may swallow its exit code.
    for (const step of steps.filter((s) => /roque (k6 run|run) /.test(s.run ?? ''))) {
      expect(step).not.toHaveProperty('continue-on-error');
      expect(step.run).not.toMatch(/\|\|\s*true|;\s*true\b|set \+e/);
    }
  });

  it('runs only commands that README.md documents', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const missing = runLines(workflow).filter((line) => !readme.includes(line));
    expect(missing).toEqual([]);
  });
});
