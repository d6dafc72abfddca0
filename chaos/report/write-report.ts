// Writes a run's report files into its folder and points `reports/latest` at it. Each file
// is written under a temporary name and renamed into place, so a reader (or a run killed
// half-way) never sees half a file: a report file is the old one or the whole new one.
import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { junitXml } from './junit';
import { reportHtml } from './report-html';
import { RunResult } from './result-schema';
import { summaryMarkdown } from './summary-md';

export const REPORT_FILES = ['result.json', 'summary.md', 'junit.xml', 'report.html'] as const;

/** Validates `result` against the schema, then writes every report file into `runDir`. */
export function writeReport(runDir: string, result: RunResult): void {
  const checked = RunResult.parse(result);
  writeFileAtomic(join(runDir, 'result.json'), `${JSON.stringify(checked, null, 2)}\n`);
  writeFileAtomic(join(runDir, 'summary.md'), summaryMarkdown(checked));
  writeFileAtomic(join(runDir, 'junit.xml'), junitXml(checked));
  writeFileAtomic(join(runDir, 'report.html'), reportHtml(checked));
  pointLatestAt(runDir);
}

const temporaryNameOf = (file: string) => join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);

/** Writes `data` to a temporary file beside `file`, then renames it over `file`. */
export function writeFileAtomic(file: string, data: string): void {
  const temporary = temporaryNameOf(file);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** `reports/latest` → the run's folder (relative, so the reports folder can move), replaced in one rename. */
export function pointLatestAt(runDir: string): void {
  const latest = join(dirname(runDir), 'latest');
  const temporary = temporaryNameOf(latest);
  rmSync(temporary, { force: true });
  symlinkSync(basename(runDir), temporary);
  renameSync(temporary, latest);
}
