// Starts the real target-app as a child process on loopback, the way `npm run app` does,
// for the experiment runner and for end-to-end tests.
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';
import { freePort } from './network';
import { startProcess } from './processes';

export interface AppProcess {
  url: string;
  port: number;
  adminToken: string;
  child: ChildProcess;
  /** Output the app wrote so far (JSON log lines), for error messages and reports. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once it is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface StartAppOptions {
  port?: number;
  adminToken?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** A command the app is started through, e.g. `['taskset', '-c', '0']` to pin it to a core. */
  wrapper?: string[];
}

const DIST_APP = join(REPO_ROOT, 'dist', 'target-app', 'src');

export async function startApp(options: StartAppOptions = {}): Promise<AppProcess> {
  const main = join(DIST_APP, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`node webpack-free-build.mjs\` first`);
  const port = options.port ?? (await freePort());
  const adminToken = options.adminToken ?? randomBytes(16).toString('hex');
  const argv = [...(options.wrapper ?? []), process.execPath, '--import', join(DIST_APP, 'tracing.js'), main];
  const url = `http://127.0.0.1:${port}`;
  const app = await startProcess('target-app', argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CHAOS_ADMIN_TOKEN: adminToken, ...options.env },
    output: { keepChars: 200_000 },
    ready: `${url}/health/ready`,
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) => app.stop(signal, timeoutMs);
  return { url, port, adminToken, child: app.child, output: app.output, stop };
}
