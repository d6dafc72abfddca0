// The flask-seed experiment's rule files, checked and unit-tested by the real promtool: the
// seed's own alerts can fire when its own metrics move, so their silence behind the proxy is a finding.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, tools } from '../tools';

const dir = join(REPO_ROOT, 'chaos', 'experiments', 'rules');
const promtool = (...args: string[]) =>
  execFileSync(tools().promtool, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });

test('promtool check rules', () => {
  expect(promtool('check', 'rules', 'flask-seed-ingress.yml', 'flask-seed-own.yml')).toMatch(
    /SUCCESS: 2 rules found[\s\S]*SUCCESS: 2 rules found/,
  );
});

test('promtool test rules', () => {
  expect(promtool('test', 'rules', join('tests', 'flask-seed.test.yml'))).toMatch(/SUCCESS/);
});
