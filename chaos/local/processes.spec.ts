// The one process helper, on real child processes: readiness, its failure with the child's
// last words, graceful-then-forced stops, and the command-line guard for stops by PID.
import { freePort } from './network';
import { isRunning, spawnProcess, startProcess, stopPid } from './processes';

const node = (script: string) => [process.execPath, '-e', script];

describe('processes', () => {
  it('is ready when the check holds, and SIGTERM stops it', async () => {
    let polls = 0;
    const proc = await startProcess('sleeper', node('setInterval(() => {}, 1000)'), {
      output: { keepChars: 100 },
      ready: async () => ++polls >= 3,
      readyTimeoutMs: 5_000,
    });
    expect(polls).toBe(3);
    expect(await proc.stop()).toBeNull(); // ended by the signal, no exit code
    expect(proc.child.signalCode).toBe('SIGTERM');
  });

  it('is ready when its URL answers 200', async () => {
    const port = await freePort();
    const server = `require('node:http').createServer((_, res) => res.end('ok')).listen(${port}, '127.0.0.1')`;
    const proc = await startProcess('server', node(server), {
      output: { keepChars: 100 },
      ready: `http://127.0.0.1:${port}/`,
      readyTimeoutMs: 10_000,
    });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    await proc.stop();
  });

  it('fails early, with what the child wrote, when it dies before it is ready', async () => {
    const started = Date.now();
    await expect(
      startProcess('quitter', node('console.error("no config here"); process.exit(3)'), {
        output: { keepChars: 100 },
        ready: async () => false,
        readyTimeoutMs: 20_000,
      }),
    ).rejects.toThrow(/quitter exited with code 3 before it was ready[\s\S]*no config here/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills a child that is not ready in time, and says so', async () => {
    const pending = startProcess('slowpoke', node('setInterval(() => {}, 1000)'), {
      output: { keepChars: 100 },
      ready: async () => false,
      readyTimeoutMs: 300,
    });
    await expect(pending).rejects.toThrow(/slowpoke was not ready after 300 ms/);
  });

  it('names a binary that cannot be spawned', async () => {
    await expect(
      startProcess('ghost', ['/nonexistent/ghost'], {
        output: { keepChars: 100 },
        ready: async () => true,
        readyTimeoutMs: 1_000,
      }),
    ).rejects.toThrow(/ghost could not start: spawn \/nonexistent\/ghost ENOENT/);
  });

  it('forces a child that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const proc = spawnProcess(
      'stubborn',
      node('process.on("SIGTERM", () => console.log("ignored")); setInterval(() => {}, 1000); console.log("up")'),
      {
        output: { keepChars: 1000 },
      },
    );
    await new Promise<void>((resolve) => proc.child.stdout!.on('data', () => resolve()));
    const started = Date.now();
    await proc.stop('SIGTERM', 300);
    expect(proc.child.signalCode).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(proc.output()).toContain('ignored');
  });

  it('stops by PID only a process whose command line still carries the marker', async () => {
    const marker = `roque-marker-${process.pid}`;
    const proc = spawnProcess('marked', node(`setInterval(() => {}, 1000); // ${marker}`), {
      output: { keepChars: 100 },
    });
    const pid = proc.child.pid!;
    expect(isRunning(pid, marker)).toBe(true);
    // Another process' marker: the PID is not ours (as after a reuse), so it is left alone.
    await stopPid(pid, 'some-other-stack');
    expect(isRunning(pid, marker)).toBe(true);
    await stopPid(pid, marker);
    await proc.exited;
    expect(isRunning(pid, marker)).toBe(false);
  });
});
