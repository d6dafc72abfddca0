// Top frames of a `node --cpu-prof` profile taken under wrk (README, Performance):
//   node dist/bench/profile-top.js app.cpuprofile [--us 24.5] [--vs nest.cpuprofile --vs-us 21.8] [--top 30]
// --us: the server's measured CPU µs per request, so rows read as µs per request (else % of
// busy samples); --vs: a second profile, rows then show its figure, this one's, and the change.
import { parseArgs } from 'node:util';
import { frameTimes, readProfile, topRows } from './lib/cpu-profile';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { us: { type: 'string' }, vs: { type: 'string' }, 'vs-us': { type: 'string' }, top: { type: 'string' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [--us N] [--vs <base.cpuprofile> --vs-us N] [--top N]\n');
  process.exit(2);
}
const limit = Number(values.top ?? 30);
const scale = values.us ? Number(values.us) : 100;
const unit = values.us ? 'µs/request' : '% of busy samples';
const times = frameTimes(readProfile(positionals[0]));
// Each profile's shares are scaled by its own CPU per request, so the difference is in µs.
const base = values.vs ? frameTimes(readProfile(values.vs)) : undefined;
const baseScale = values['vs-us'] ? Number(values['vs-us']) : scale;
const scaled = (map: Map<string, number> | undefined, by: number) =>
  map && new Map([...map].map(([k, v]) => [k, (v * by) / scale]));
for (const [title, key] of [
  ['self time', 'self'],
  ['self time by module', 'module'],
  ['inclusive time', 'inclusive'],
] as const) {
  console.log(`\n== ${title}, ${unit}${base ? ` (${values.vs}, this, change)` : ''}; ${times.busy} busy samples`);
  for (const row of topRows(times[key], scale, limit, scaled(base?.[key], baseScale))) console.log(row);
}
