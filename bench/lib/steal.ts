// The hypervisor's share of each core (steal time, /proc/stat): on a shared VM the host can
// take whole milliseconds from a vCPU at a time, which reads as event-loop stalls and a p99
// that no server change moves. Every throughput figure carries the steal of its run, so a
// reader can tell the server's figure from the host's contention.
import { readFileSync } from 'node:fs';
import { fixed } from './results';

/** One core's CPU time since boot, in clock ticks: all of it, and the part the host stole. */
export interface CoreTicks {
  total: number;
  steal: number;
}

/**
 * The per-core lines of /proc/stat (`cpu0 user nice system idle iowait irq softirq steal …`),
 * by core number. Guest time is already inside user and nice, so it is not added again.
 */
export function parseProcStat(text: string): Map<number, CoreTicks> {
  const cores = new Map<number, CoreTicks>();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].trim().split(/\s+/).map(Number);
    if (![user, nice, system, idle, iowait, irq, softirq, steal].every(Number.isFinite))
      throw new Error(`/proc/stat: cannot read the line "${line}"`);
    cores.set(Number(m[1]), { total: user + nice + system + idle + iowait + irq + softirq + steal, steal });
  }
  return cores;
}

export const readCoreTicks = (): Map<number, CoreTicks> => parseProcStat(readFileSync('/proc/stat', 'utf8'));

/** The share of `core`'s time between two readings that the host took; NaN when no time passed. */
export function stealShare(before: Map<number, CoreTicks>, after: Map<number, CoreTicks>, core: number): number {
  const a = before.get(core);
  const b = after.get(core);
  if (!a || !b) throw new Error(`/proc/stat has no line for cpu${core}`);
  const total = b.total - a.total;
  return total > 0 ? (b.steal - a.steal) / total : Number.NaN;
}

/** Steal on the server's core and the load generator's core over one measured run. */
export interface RunSteal {
  server: number;
  load: number;
}

/** Starts a steal reading of the two cores; the function it returns ends it. */
export function measureSteal(serverCore: number, loadCore: number): () => RunSteal {
  const before = readCoreTicks();
  return () => {
    const after = readCoreTicks();
    return { server: stealShare(before, after, serverCore), load: stealShare(before, after, loadCore) };
  };
}

/** Host steal above this share of a core (an idle quiet VM here reads 0.2–1.7%) is said next to the figures. */
export const STEAL_NOTICEABLE = 0.02;

// Seen on 2026-12-03: 0.0% steal while bare node:http cost 33–42 µs of CPU per request, against
// 13–14 on a quiet day of the same machine.
const SLOWER_WITHOUT_STEAL =
  "A host can also run the cores slower without stealing them, so compare bare node:http's CPU per request with other runs before comparing this run's figures with theirs.";

export const stealPercent = (share: number) => `${fixed(share * 100, 1)}%`;

/** The highest steal among the windows that could be read (NaN if none could), and how many could not. */
export function highestSteal(readings: number[]): { max: number; unread: number } {
  const read = readings.filter(Number.isFinite);
  return { max: read.length > 0 ? Math.max(...read) : Number.NaN, unread: readings.length - read.length };
}

/** A table cell: the highest steal read, and how many windows were not read, if any. */
export function stealCell(readings: number[]): string {
  const { max, unread } = highestSteal(readings);
  if (unread === readings.length) return 'not read';
  return unread > 0 ? `${stealPercent(max)} (${unread} of ${readings.length} not read)` : stealPercent(max);
}

/**
 * The highest steal among the windows that could be read, and the line that says what it means
 * for the figures. An unreadable window (NaN: no time passed) neither hides the others nor
 * passes for low steal.
 */
export function stealSummary(readings: number[]): { max: number; note: string } {
  const { max, unread } = highestSteal(readings);
  if (unread === readings.length) return { max, note: 'Host steal: not read (no run finished).' };
  const unreadWindows = `${unread} of ${readings.length} core windows`;
  if (max > STEAL_NOTICEABLE)
    return {
      max,
      note:
        `**The host took up to ${stealPercent(max)} of a core during these runs** (steal time, /proc/stat; the steal column and the latency line say where). ` +
        "A shared VM's host takes whole milliseconds from a vCPU at a time, so CPU per request, p99 and the spread between rounds include the host's contention; ratios within a round are the figures that compare." +
        (unread > 0 ? ` Steal was not read for ${unreadWindows}.` : ''),
    };
  return {
    max,
    note:
      unread > 0
        ? `Host steal read at most ${stealPercent(max)} where it was read (/proc/stat), but steal was not read for ${unreadWindows}, so the host may have taken the cores during those runs.`
        : `Host steal stayed at or below ${stealPercent(max)} of either core in every run (/proc/stat): the host did not take the cores away. ${SLOWER_WITHOUT_STEAL}`,
  };
}
