// Live progress in the terminal: one line refreshed every second on a TTY; on a pipe
// (CI logs), a plain line at every phase change and every 10 seconds.
import pc from 'picocolors';
import type { WindowFigures } from './live-window';

export interface ProgressState {
  phase: string;
  phaseIndex: number;
  phases: number;
  elapsedMs: number;
  totalMs: number;
  figures: WindowFigures;
  firing: string[];
}

const PLAIN_EVERY_MS = 10_000;

/** A terminal, a pipe, or nowhere (`roque run --quiet`). */
export type ProgressOut = Pick<NodeJS.WriteStream, 'isTTY' | 'write'>;

export class Progress {
  private lastPhase = '';
  private lastPlainAt = -Infinity;
  private drawn = false;

  constructor(private readonly out: ProgressOut = process.stderr) {}

  update(state: ProgressState): void {
    const line = describe(state);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (state.phase !== this.lastPhase || state.elapsedMs - this.lastPlainAt >= PLAIN_EVERY_MS) {
      this.out.write(`${line}\n`);
      this.lastPlainAt = state.elapsedMs;
    }
    this.lastPhase = state.phase;
  }

  /** Ends the live line so later output starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  message(text: string): void {
    this.finish();
    this.out.write(`${text}\n`);
  }
}

function describe(s: ProgressState): string {
  const f = s.figures;
  const clock = `${formatClock(s.elapsedMs)}/${formatClock(s.totalMs)}`;
  const errors = f.errorShare === null ? '-' : `${(f.errorShare * 100).toFixed(1)}%`;
  const colouredErrors = f.errorShare && f.errorShare > 0.05 ? pc.red(errors) : errors;
  const firing = s.firing.length ? pc.yellow(` · firing: ${s.firing.join(', ')}`) : '';
  return `${pc.bold(s.phase)} (${s.phaseIndex + 1}/${s.phases}) ${clock} · ${f.rps.toFixed(1)} rps · p95 ${f.p95Ms === null ? '-' : `${f.p95Ms.toFixed(0)} ms`} · errors ${colouredErrors}${firing}`;
}

function formatClock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
