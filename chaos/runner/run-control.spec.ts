// RunControl: the first reason to stop a run is kept with its exit code, faults are reverted
// each time, and what the stages registered is undone last first.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdminClient } from '../admin/admin-client';
import { EXIT, RunError } from './exit-codes';
import { Journal } from './journal';
import { Progress } from './progress';
import { RunControl } from './run-control';

function control() {
  const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'roque-control-')), 'journal.ndjson'));
  const lines: string[] = [];
  const progress = new Progress({ isTTY: false, write: (line: string) => (lines.push(line), true) });
  return { run: new RunControl(journal, progress), journal, lines };
}

describe('RunControl', () => {
  it('keeps the first reason and its exit code, stops the load, and reverts the faults', async () => {
    const { run, journal, lines } = control();
    let clears = 0;
    run.admin = { clear: async () => void clears++ } as unknown as AdminClient;
    run.abort(new RunError('p95 above 2 s for 10 s', EXIT.failed));
    run.loseStack('the app (PID 1) exited mid-run (SIGKILL)');
    expect(run.stoppedBy).toMatchObject({ message: 'p95 above 2 s for 10 s', exitCode: EXIT.failed });
    expect(run.stopLoad.signal.aborted).toBe(true);
    // A lost stack still ends every wait, though it came second.
    expect(run.hurry.signal.aborted).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(clears).toBe(1);
    expect(lines.join('')).toContain('aborting: p95 above 2 s for 10 s; reverting every fault');
    const events = readFileSync(journal.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event);
    expect(events).toEqual(['run.abort', 'faults.cleared']);
  });

  it('reports a failed kill switch instead of throwing', async () => {
    const { run } = control();
    run.admin = {
      clear: async () => {
        throw new Error('HTTP 401');
      },
    } as unknown as AdminClient;
    expect(await run.revert('load finished')).toEqual({ cleared: false, error: 'HTTP 401' });
  });

  it('turns a signal into its exit code, and undoes what was registered last first', async () => {
    const { run } = control();
    const undone: string[] = [];
    run.atEnd(async () => undone.push('children'));
    run.atEnd(async () => undone.push('target'));
    run.atEnd(async () => undone.push('watcher'));
    run.listen();
    process.emit('SIGTERM');
    expect(run.stoppedBy).toMatchObject({ message: 'SIGTERM received', exitCode: EXIT.SIGTERM });
    await run.end();
    expect(undone).toEqual(['watcher', 'target', 'children']);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});
