import { CpuBurner } from './cpu-burner';

/** The longest a 5 ms timer was late during `ms`: how long the event loop was held at a time. */
async function longestStallMs(ms: number): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 5);
    last = now;
  }, 5);
  await new Promise((r) => setTimeout(r, ms));
  clearInterval(timer);
  return longest;
}

test('short slices keep the event loop responsive; a long slice holds it that long', async () => {
  const burner = new CpuBurner();
  try {
    burner.setUtilization(0.5);
    // Default slices are 4 ms: a timer is never held back much (50 ms leaves room for a loaded host).
    expect(await longestStallMs(400)).toBeLessThan(50);
    burner.setUtilization(0.5, 150);
    expect(await longestStallMs(700)).toBeGreaterThanOrEqual(140);
  } finally {
    burner.setUtilization(0);
  }
});
