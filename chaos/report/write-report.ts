// Writes a run's report files into its folder and points `reports/latest` at it.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { junitXml } from './junit';
import { reportHtml } from './report-html';
import { RunResult } from './result-schema';
import { summaryMarkdown } from './summary-md';

export const REPORT_FILES = ['result.json', 'summary.md', 'junit.xml', 'report.html'] as const;

/** Validates `result` against the schema, then writes every report file into `runDir`. */
export function writeReport(runDir: string, result: RunResult): void {
  const checked = RunResult.parse(result);
  writeFileSync(join(runDir, 'result.json'), `${JSON.stringify(checked, null, 2)}\n`);
  writeFileSync(join(runDir, 'summary.md'), summaryMarkdown(checked));
  writeFileSync(join(runDir, 'junit.xml'), junitXml(checked));
  writeFileSync(join(runDir, 'report.html'), reportHtml(checked));
  pointLatestAt(runDir);
}

/** `reports/latest` → the run's folder (relative, so the reports folder can move). */
export function pointLatestAt(runDir: string): void {
  const latest = join(dirname(runDir), 'latest');
  rmSync(latest, { force: true });
  symlinkSync(basename(runDir), latest);
}
