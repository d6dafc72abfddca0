// junit.xml: one test case per check, so CI systems show the verdict as tests.
import { junitDocument, type JUnitCase } from '../contract/junit';
import type { RunResult } from './result-schema';

export function junitXml(result: RunResult): string {
  const suite = `roque.${result.experiment.name}`;
  const cases: JUnitCase[] = result.checks.map((c) => {
    const text = `expected: ${c.expected}\nobserved: ${c.observed}`;
    return {
      classname: `${suite}.${c.kind}`,
      name: c.name,
      failure: c.passed ? undefined : { message: c.observed, type: c.kind, body: text },
      systemOut: text,
    };
  });
  if (result.status === 'aborted') {
    cases.push({ classname: suite, name: 'run completed', error: { message: result.abortReason ?? 'aborted' } });
  }
  return junitDocument({
    tool: 'roque',
    suite,
    seconds: result.wallSeconds,
    timestamp: result.startedAt,
    countErrors: true,
    cases,
  });
}
