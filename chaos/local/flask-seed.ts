// The seed's Flask dice app (bench/peers/flask-dice: Flask's own server with
// prometheus-flask-exporter), with its venv made in .tools/bench-venv on first use (pip, once).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';
import { spawnHttpServer, type HttpProcess } from './http-process';

export const FLASK_SEED_APP = join(REPO_ROOT, 'bench', 'peers', 'flask-dice', 'app.py');

/** The venv's python, made on first use. */
export function flaskSeedPython(log: (line: string) => void = console.log): string {
  const venv = join(REPO_ROOT, '.tools', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    log('roque: creating .tools/bench-venv for the Flask seed (pip, once)…');
    const ok =
      spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' }).status === 0 &&
      spawnSync(
        python,
        ['-m', 'pip', 'install', '-q', '-r', join(REPO_ROOT, 'bench/peers/flask-dice/requirements.txt')],
        { stdio: 'inherit' },
      ).status === 0;
    if (!ok) throw new Error('could not set up the Flask seed (python3 -m venv / pip install failed)');
  }
  return python;
}

export type FlaskSeed = HttpProcess;

/** Starts the seed on 127.0.0.1:`port` (prefixed by `wrapper`, e.g. taskset) and waits until GET / answers. */
export function startFlaskSeed(
  port: number,
  { wrapper = [] as string[], log }: { wrapper?: string[]; log?: (line: string) => void } = {},
): Promise<FlaskSeed> {
  return spawnHttpServer([...wrapper, flaskSeedPython(log), FLASK_SEED_APP], port, { LOG_LEVEL: 'WARNING' });
}
