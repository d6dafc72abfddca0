// `roque --version` prints the version and nothing else, also through `npx` on the machine's
// older Node, where npm once printed ten lines of EBADENGINE warnings before Roque started.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../tools';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ownBin = join(REPO_ROOT, 'node_modules', '.bin');

/** The PATH without the project's Node 24, as a user's shell has it. */
const systemPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ownBin);

/** A Node older than 24 on the system PATH, with its npx beside it (Node 20 on these machines). */
function olderNode(): { dir: string; version: string } | null {
  for (const dir of systemPath) {
    const node = join(dir, 'node');
    if (!existsSync(node) || !existsSync(join(dir, 'npx'))) continue;
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    return Number(version.replace(/^v/, '').split('.')[0]) < 24 ? { dir, version } : null;
  }
  return null;
}

describe('the roque bin', () => {
  it('prints the version, and nothing else', () => {
    const res = spawnSync(process.execPath, [join(REPO_ROOT, 'chaos', 'bin', 'roque.cjs'), '--version'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect({ status: res.status, stdout: res.stdout, stderr: res.stderr }).toEqual({
      status: 0,
      stdout: `${VERSION}\n`,
      stderr: '',
    });
  });

  const older = olderNode();
  (older ? it : it.skip)(
    `runs quietly through npx on the system's ${older?.version ?? 'older Node (none found)'}`,
    () => {
      // A fresh npm cache: npx links the project into it on first use, which is when npm checks engines.
      const cache = mkdtempSync(join(tmpdir(), 'roque-npx-cache-'));
      try {
        const res = spawnSync(join(older!.dir, 'npx'), ['roque', '--version'], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            PATH: systemPath.join(delimiter),
            npm_config_cache: cache,
            npm_config_update_notifier: 'false',
          },
          timeout: 60_000,
        });
        expect({ status: res.status, stdout: res.stdout, stderr: res.stderr }).toEqual({
          status: 0,
          stdout: `${VERSION}\n`,
          stderr: '',
        });
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
  );
});
