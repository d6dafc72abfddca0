import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLock, RunLockedError } from './run-lock';

const dir = () => mkdtempSync(join(tmpdir(), 'roque-lock-'));
const lockOf = (reports: string) => JSON.parse(readFileSync(join(reports, '.lock'), 'utf8'));
const writeLock = (reports: string, pid: number, runId: string) =>
  writeFileSync(join(reports, '.lock'), JSON.stringify({ pid, runId, startedAt: new Date().toISOString() }));

describe('RunLock', () => {
  it('refuses a second run naming the run and PID that hold the lock', () => {
    const reports = dir();
    const holder = spawn('sleep', ['30']);
    try {
      writeLock(reports, holder.pid!, 'run-a');
      expect(() => RunLock.acquire(reports, 'run-b')).toThrow(RunLockedError);
      expect(() => RunLock.acquire(reports, 'run-b')).toThrow(
        `another run holds ${join(reports, '.lock')}: run-a (PID ${holder.pid}`,
      );
      expect(lockOf(reports).runId).toBe('run-a');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('is taken and released', () => {
    const reports = dir();
    const lock = RunLock.acquire(reports, 'run-a');
    expect(lockOf(reports)).toMatchObject({ pid: process.pid, runId: 'run-a' });
    lock.release();
    expect(existsSync(join(reports, '.lock'))).toBe(false);
  });

  it('takes over a lock whose process is gone, and one naming this very process (a reused PID)', () => {
    const reports = dir();
    writeLock(reports, spawnSync('true').pid!, 'killed-run');
    RunLock.acquire(reports, 'run-c');
    expect(lockOf(reports).runId).toBe('run-c');
    writeLock(reports, process.pid, 'before-a-restart');
    const lock = RunLock.acquire(reports, 'run-d');
    expect(lockOf(reports).runId).toBe('run-d');
    lock.release();
  });

  it('does not remove a lock another run has taken since', () => {
    const reports = dir();
    const lock = RunLock.acquire(reports, 'run-d');
    writeFileSync(join(reports, '.lock'), JSON.stringify({ pid: process.pid, runId: 'run-e', startedAt: '' }));
    lock.release();
    expect(existsSync(join(reports, '.lock'))).toBe(true);
  });

  it('has exactly one holder when four processes race for a stale lock, 200 rounds', async () => {
    const ROUNDS = 200;
    const racers: ChildProcess[] = Array.from({ length: 4 }, () =>
      fork(join(__dirname, 'fixtures', 'lock-racer.cjs'), [], {
        execArgv: ['--experimental-transform-types', '--disable-warning=ExperimentalWarning'],
      }),
    );
    type Reply = { ready?: boolean; got?: boolean; pid?: number; released?: boolean };
    const next = (racer: ChildProcess) =>
      new Promise<Reply>((resolve, reject) => {
        const died = (code: number | null) => reject(new Error(`a racer exited (${code})`));
        racer.once('exit', died).once('message', (m) => {
          racer.off('exit', died);
          resolve(m as Reply);
        });
      });
    try {
      await Promise.all(racers.map(next));
      const reports = dir();
      const dead = spawnSync('true').pid!;
      const holders: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        writeLock(reports, dead, `killed-${round}`);
        const replies = racers.map(next);
        const at = Date.now() + 3;
        for (const racer of racers) racer.send({ round, dir: reports, at });
        const got = (await Promise.all(replies)).filter((r) => r.got);
        holders.push(got.length);
        if (got.length === 1) expect(lockOf(reports).pid).toBe(got[0].pid);
        const released = racers.map(next);
        for (const racer of racers) racer.send({ release: true });
        await Promise.all(released);
      }
      expect(holders.filter((n) => n !== 1)).toEqual([]);
      expect(existsSync(join(reports, '.lock.takeover'))).toBe(false);
    } finally {
      for (const racer of racers) racer.kill('SIGKILL');
    }
  }, 60_000);
});
