// The generated JSON type-checks, as JSON literals, against the foundation SDK's Dashboard and
// @grafana/schema's Dashboard (Grafana 12.1's own types), excess properties included. Enums
// are compared by their JSON values. Only the Prometheus annotation fields neither schema
// models (PrometheusAnnotation in definitions.ts) are allowed on top.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../tools';
import { DASHBOARDS_DIR } from './write-json';

jest.setTimeout(120_000);

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const PRELUDE = `
import type * as sdk from '@grafana/grafana-foundation-sdk/dashboard';
import type { dataquery as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import type { Dashboard as SchemaDashboard } from '@grafana/schema';
import type { PrometheusAnnotation } from '../definitions';
/** A type as JSON spells it: string enums become their values. */
type AsJson<T> = T extends string ? \`\${T}\` : T extends readonly (infer U)[] ? AsJson<U>[] : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;
/** What Grafana's Prometheus datasource reads from an annotation, beyond the schemas. */
type PromAnnotationFields = Partial<Pick<PrometheusAnnotation, 'expr' | 'step' | 'titleFormat' | 'textFormat' | 'tagKeys' | 'useValueForTime'>>;
type WithPromAnnotations<D extends { annotations?: { list?: unknown[] } }> = Omit<D, 'annotations'> & {
  annotations?: { list?: (NonNullable<NonNullable<D['annotations']>['list']>[number] & PromAnnotationFields)[] };
};
/** The SDK types a panel's targets as any Dataquery variant; these are Prometheus ones. */
type PromTarget = Omit<PromQuery, '_implementsDataqueryVariant'>;
type SdkPanel = Omit<sdk.Panel, 'targets'> & { targets?: PromTarget[] };
type SdkRow = Omit<sdk.RowPanel, 'panels'> & { panels: SdkPanel[] };
export type Sdk = AsJson<WithPromAnnotations<Omit<sdk.Dashboard, 'panels'> & { panels?: (SdkPanel | SdkRow)[] }>>;
export type Schema = AsJson<WithPromAnnotations<SchemaDashboard>>;
`;

function typecheck(files: Record<string, string>): string {
  // Inside the project, so the tsconfig, node_modules and '../definitions' resolve.
  const dir = mkdtempSync(join(__dirname, '.typecheck-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: relative(dir, join(REPO_ROOT, 'tsconfig.json')), include: ['*.ts'] }),
    );
    try {
      execFileSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json'), '--noEmit', '--pretty', 'false'], {
        encoding: 'utf8',
        cwd: REPO_ROOT,
      });
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const literal = (name: string, json: string) =>
  `import type { Sdk, Schema } from './prelude';\nexport const sdk: Sdk = ${json};\nexport const schema: Schema = ${json};\n// ${name}\n`;

test('every generated dashboard type-checks against the SDK and @grafana/schema; a wrong one does not', () => {
  const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBe(3);
  const sources: Record<string, string> = { 'prelude.ts': PRELUDE };
  for (const file of files)
    sources[file.replace(/\W/g, '_') + '.ts'] = literal(file, readFileSync(join(DASHBOARDS_DIR, file), 'utf8'));
  // The check itself: a misspelt field, a string for a number and a wrong enum value each fail, against both.
  const good = JSON.parse(readFileSync(join(DASHBOARDS_DIR, files[0]), 'utf8'));
  const mistakes = {
    misspelt: { ...good, graphTooltp: 1 },
    'string-for-number': { ...good, schemaVersion: '41' },
    'wrong-enum': { ...good, templating: { list: [{ ...good.templating.list[0], type: 'querry' }] } },
  };
  for (const [name, dashboard] of Object.entries(mistakes))
    sources[`broken_${name.replace(/\W/g, '_')}.ts`] = literal(name, JSON.stringify(dashboard));
  const output = typecheck(sources);
  const errors = output.split('\n').filter((l) => /error TS/.test(l));
  expect(errors.filter((l) => !l.includes('/broken_'))).toEqual([]);
  for (const name of Object.keys(mistakes)) {
    const file = `broken_${name.replace(/\W/g, '_')}.ts`;
    expect([name, errors.filter((l) => l.includes(`/${file}(2,`)).length]).toEqual([name, 1]); // against the SDK
    expect([name, errors.filter((l) => l.includes(`/${file}(3,`)).length]).toEqual([name, 1]); // against @grafana/schema
  }
});
