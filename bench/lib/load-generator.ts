// Runs one of the bench's load generators (wrk, oha) pinned to the load core, bounded in time:
// killed 30 s after the run it was asked for should have ended.
import { spawn } from 'node:child_process';
import { LOAD_CORE } from './k6';

/** Runs `argv` for about `seconds`; its standard output, or an error naming it with all it printed. */
export async function runLoadGenerator(name: string, argv: string[], seconds: number): Promise<string> {
  const [command, ...args] = [...LOAD_CORE, ...argv];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c ?? 137));
  }).finally(() => clearTimeout(killer));
  if (code !== 0) throw new Error(`${name} exited ${code}:\n${errors}${output}`);
  return output;
}
