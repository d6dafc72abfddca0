import { parseProcStat, stealShare } from './steal';

const stat = (cpu0: string, cpu1: string) =>
  [`cpu  1 2 3 4 5 6 7 8 0 0`, `cpu0 ${cpu0} 0 0`, `cpu1 ${cpu1} 0 0`, 'intr 12345 0', 'ctxt 999'].join('\n');

describe('steal time from /proc/stat', () => {
  it('reads each core, not the all-cores line, with steal as the eighth figure', () => {
    const cores = parseProcStat(stat('100 0 50 800 10 0 20 20', '10 0 5 80 1 0 2 2'));
    expect([...cores.keys()]).toEqual([0, 1]);
    expect(cores.get(0)).toEqual({ total: 1000, steal: 20 });
  });

  it("gives the host's share of one core between two readings", () => {
    const before = parseProcStat(stat('100 0 50 800 10 0 20 20', '0 0 0 0 0 0 0 0'));
    const after = parseProcStat(stat('160 0 70 850 10 0 30 80', '0 0 0 100 0 0 0 0'));
    // 200 ticks passed on core 0, 60 of them stolen; none on core 1.
    expect(stealShare(before, after, 0)).toBeCloseTo(0.3);
    expect(stealShare(before, after, 1)).toBe(0);
  });

  it('says so when no time passed, and names a core /proc/stat does not have', () => {
    const same = parseProcStat(stat('1 0 0 0 0 0 0 0', '1 0 0 0 0 0 0 0'));
    expect(stealShare(same, same, 0)).toBeNaN();
    expect(() => stealShare(same, same, 2)).toThrow('no line for cpu2');
  });

  it('refuses a line it cannot read instead of reading zero steal', () => {
    expect(() => parseProcStat('cpu0 1 2 3')).toThrow('cannot read the line "cpu0 1 2 3"');
  });
});
