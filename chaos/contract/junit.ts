// The JUnit XML both verdicts are written in (k6's thresholds in scenarios/lib/summary.ts, an
// experiment's checks in chaos/report/junit.ts), so CI systems show each as tests. Pure and
// bundle-safe: it runs inside k6's handleSummary too.

export interface JUnitCase {
  classname: string;
  name: string;
  /** A failed test; with `body`, the failure element carries it as text. */
  failure?: { message: string; type?: string; body?: string };
  /** A test that could not run (an aborted run). */
  error?: { message: string };
  systemOut?: string;
}

export interface JUnitSuite {
  /** The `<testsuites>` name: the tool that wrote it. */
  tool: string;
  suite: string;
  seconds: number;
  /** ISO 8601 start time of the suite, when known. */
  timestamp?: string;
  /** Write the `errors` counts (JUnit readers treat a missing count as 0). */
  countErrors?: boolean;
  cases: JUnitCase[];
}

export function junitDocument(s: JUnitSuite): string {
  const failures = s.cases.filter((c) => c.failure).length;
  const errors = s.cases.filter((c) => c.error).length;
  const time = s.seconds.toFixed(3);
  const counts = `tests="${s.cases.length}" failures="${failures}"${s.countErrors ? ` errors="${errors}"` : ''} time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(s.tool)}" ${counts}>`,
    `  <testsuite name="${xml(s.suite)}" ${counts}${s.timestamp ? ` timestamp="${s.timestamp}"` : ''}>`,
    ...s.cases.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(c: JUnitCase): string {
  const open = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}" time="0">`;
  const children: string[] = [];
  if (c.failure) {
    const type = c.failure.type === undefined ? '' : ` type="${xml(c.failure.type)}"`;
    const attrs = `message="${xml(c.failure.message)}"${type}`;
    children.push(
      c.failure.body === undefined ? `<failure ${attrs}/>` : `<failure ${attrs}>${xml(c.failure.body)}</failure>`,
    );
  }
  if (c.error) children.push(`<error message="${xml(c.error.message)}"/>`);
  if (c.systemOut !== undefined) children.push(`<system-out>${xml(c.systemOut)}</system-out>`);
  if (!children.length) return `${open}</testcase>`;
  return [open, ...children.map((child) => `      ${child}`), '    </testcase>'].join('\n');
}

function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
