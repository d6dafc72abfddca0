import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLock, RunLockedError } from './run-lock';

describe('RunLock', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'roque-lock-'));

  it('refuses a second run naming the run and PID that hold the lock, until it is released', () => {
    const reports = dir();
    const first = RunLock.acquire(reports, 'run-a');
    expect(JSON.parse(readFileSync(join(reports, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid, runId: 'run-a' });
    expect(() => RunLock.acquire(reports, 'run-b')).toThrow(RunLockedError);
    expect(() => RunLock.acquire(reports, 'run-b')).toThrow(`another run holds ${join(reports, '.lock')}: run-a (PID ${process.pid}`);
    first.release();
    expect(existsSync(join(reports, '.lock'))).toBe(false);
    RunLock.acquire(reports, 'run-b').release();
  });

  it('takes over a lock whose process is gone', () => {
    const reports = dir();
    const gone = spawnSync('true').pid;
    writeFileSync(join(reports, '.lock'), JSON.stringify({ pid: gone, runId: 'killed-run', startedAt: new Date().toISOString() }));
    const lock = RunLock.acquire(reports, 'run-c');
    expect(JSON.parse(readFileSync(join(reports, '.lock'), 'utf8')).runId).toBe('run-c');
    lock.release();
  });

  it('does not remove a lock another run has taken since', () => {
    const reports = dir();
    const lock = RunLock.acquire(reports, 'run-d');
    writeFileSync(join(reports, '.lock'), JSON.stringify({ pid: process.pid, runId: 'run-e', startedAt: '' }));
    lock.release();
    expect(existsSync(join(reports, '.lock'))).toBe(true);
  });
});
