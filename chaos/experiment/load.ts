// Reads an experiment file. YAML is parsed with positions kept, so every problem is
// reported as `file:line field: message`, e.g. `golden-signals.yaml:14 phases[1].faults[0].delayMs: …`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { Experiment } from './schema';

/** Bad input in an experiment file; `problems` has one located line per issue. */
export class ExperimentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ExperimentError';
  }
}

export function loadExperiment(path: string): Experiment {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ExperimentError([
      `${path}: cannot read the experiment file (${(error as NodeJS.ErrnoException).code ?? error})`,
    ]);
  }
  return parseExperiment(text, basename(path));
}

export function parseExperiment(text: string, file = 'experiment.yaml'): Experiment {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lines.linePos(offset).line;
  if (doc.errors.length) {
    throw new ExperimentError(
      doc.errors.map((e) => `${file}:${lineOf(e.pos[0])} invalid YAML: ${e.message.split('\n')[0]}`),
    );
  }
  const result = Experiment.safeParse(doc.toJS());
  if (result.success) return result.data;
  throw new ExperimentError(
    result.error.issues.map((issue) => {
      const { path, offset } = locate(doc, issue);
      return `${file}:${offset === undefined ? '?' : lineOf(offset)} ${formatPath(path) || '(file)'}: ${describe(issue, doc)}`;
    }),
  );
}

/** The deepest node of the issue's path that exists in the file, and where it starts. */
function locate(doc: Document, issue: z.core.$ZodIssue): { path: PropertyKey[]; offset?: number } {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const parent = path.length ? doc.getIn(path, true) : doc.contents;
    const pair = isMap(parent)
      ? parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === issue.keys[0])
      : undefined;
    const keyRange = (pair?.key as Node | undefined)?.range;
    if (keyRange) return { path: [...path, issue.keys[0]], offset: keyRange[0] };
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (depth ? doc.getIn(path.slice(0, depth), true) : doc.contents) as Node | null | undefined;
    if (node?.range) return { path, offset: node.range[0] };
  }
  return { path };
}

function describe(issue: z.core.$ZodIssue, doc: Document): string {
  if (issue.code === 'invalid_union' && 'discriminator' in issue && 'options' in issue) {
    const given = doc.getIn(issue.path);
    const options = (issue.options as unknown[]).join(', ');
    return given === undefined
      ? `${String(issue.discriminator)} is required (one of ${options})`
      : `unknown ${String(issue.discriminator)} "${String(given)}" (expected one of ${options})`;
  }
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}

/** `["phases", 1, "faults", 0, "delayMs"]` → `phases[1].faults[0].delayMs` */
export function formatPath(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}
