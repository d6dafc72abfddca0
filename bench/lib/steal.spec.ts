import { parseProcStat, stealCell, stealShare, stealSummary } from './steal';

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

  describe('the summary line', () => {
    it('says steal stayed low only when every window was read, and not that low steal makes a quiet host', () => {
      expect(stealSummary([0.01, 0.004])).toEqual({
        max: 0.01,
        note: expect.stringContaining(
          'at or below 1.0% of either core in every run (/proc/stat): the host did not take the cores away',
        ),
      });
      expect(stealSummary([0.01]).note).toContain("compare bare node:http's CPU per request with other runs");
      expect(stealSummary([0.01]).note).not.toContain("the machine's own");
    });

    it('does not let one unread window hide the others, nor pass for low steal', () => {
      const low = stealSummary([0.01, Number.NaN, 0.005]);
      expect(low.max).toBe(0.01);
      expect(low.note).toContain('not read for 1 of 3 core windows');
      expect(low.note).not.toContain('in every run');

      const high = stealSummary([0.12, Number.NaN]);
      expect(high.max).toBe(0.12);
      expect(high.note).toContain('**The host took up to 12.0% of a core');
      expect(high.note).toContain('not read for 1 of 2 core windows');
    });

    it('says steal was not read when no window was', () => {
      const none = stealSummary([Number.NaN, Number.NaN]);
      expect(none.max).toBeNaN();
      expect(none.note).toBe('Host steal: not read (no run finished).');
    });
  });

  describe("the table's cell for a server's rounds", () => {
    it('shows the highest round, and counts the rounds it could not read instead of showing a dash', () => {
      expect(stealCell([0.01, 0.034, 0.002])).toBe('3.4%');
      expect(stealCell([0.01, Number.NaN, 0.002])).toBe('1.0% (1 of 3 not read)');
      expect(stealCell([Number.NaN])).toBe('not read');
    });
  });
});
