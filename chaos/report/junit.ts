// junit.xml: one test case per check, so CI systems show the verdict as tests.
import type { RunResult } from './result-schema';

export function junitXml(result: RunResult): string {
  const failures = result.checks.filter((c) => !c.passed).length;
  const errors = result.status === 'aborted' ? 1 : 0;
  const tests = result.checks.length + errors;
  const time = result.wallSeconds.toFixed(3);
  const suite = `roque.${result.experiment.name}`;
  const cases = result.checks.map((c) => {
    const open = `    <testcase classname="${xml(`${suite}.${c.kind}`)}" name="${xml(c.name)}" time="0">`;
    const out = `      <system-out>${xml(`expected: ${c.expected}\nobserved: ${c.observed}`)}</system-out>`;
    const failure = c.passed
      ? ''
      : `      <failure message="${xml(c.observed)}" type="${xml(c.kind)}">${xml(`expected: ${c.expected}\nobserved: ${c.observed}`)}</failure>\n`;
    return `${open}\n${failure}${out}\n    </testcase>`;
  });
  if (errors) {
    cases.push(
      `    <testcase classname="${xml(suite)}" name="run completed" time="0">\n      <error message="${xml(result.abortReason ?? 'aborted')}"/>\n    </testcase>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="roque" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}" timestamp="${result.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
