// `fires: false`: an alert expected to stay silent, so an experiment can pin down a blind spot.
import { parseExperiment } from '../experiment/load';
import { planExperiment } from '../experiment/plan';
import type { AlertEpisode } from './alert-watcher';
import { evaluateChecks } from './evaluate';
import { phaseData } from './phase-data';
import type { RequestSample } from './raw-results';

const EXPERIMENT = `name: blind
load: { rate: 10 }
phases:
  - { name: baseline, duration: 10s }
  - name: latency
    duration: 20s
    faults: [{ type: latency, delayMs: 200 }]
checks:
  - { kind: detection, phase: latency, alert: OwnLatency, fires: false, firesWithin: 20s, name: silent }
`;

const loadStart = 1_700_000_000_000;
const plan = planExperiment(parseExperiment(EXPERIMENT), false);
const requests: RequestSample[] = Array.from({ length: 300 }, (_, i) => ({
  t: loadStart + i * 100,
  phase: i < 100 ? 'baseline' : 'latency',
  durationMs: 5,
  status: 200,
  failed: false,
}));
const phases = phaseData(plan.phases, loadStart, requests, []);
const latencyStart = phases[1].startMs;
const check = (episodes: AlertEpisode[], loaded?: ReadonlySet<string>) =>
  evaluateChecks(plan, phases, episodes, 1, loaded).checks[0];

it('holds while the alert stays silent through its window', () => {
  const result = check([{ alert: 'Other', firedAt: latencyStart + 1_000, resolvedAt: null }], new Set(['OwnLatency']));
  expect(result).toMatchObject({
    passed: true,
    expected: 'OwnLatency stays silent for 20s (fires: false: a blind spot)',
  });
  expect(result.observed).toBe('stayed silent: the metrics behind OwnLatency did not move');
});

it('fails when the alert fires in the window, or was already firing at its start', () => {
  expect(
    check([{ alert: 'OwnLatency', firedAt: latencyStart + 12_000, resolvedAt: null }], new Set(['OwnLatency'])),
  ).toMatchObject({
    passed: false,
    observed: 'fired 12.0 s after the phase start: this monitoring does see the fault',
  });
  expect(
    check(
      [{ alert: 'OwnLatency', firedAt: latencyStart - 5_000, resolvedAt: latencyStart + 1_000 }],
      new Set(['OwnLatency']),
    ).passed,
  ).toBe(false);
});

it('an episode after the window does not count', () => {
  expect(
    check([{ alert: 'OwnLatency', firedAt: latencyStart + 21_000, resolvedAt: null }], new Set(['OwnLatency'])).passed,
  ).toBe(true);
});

it('fails closed when the alert is not a loaded rule, or the rules could not be read', () => {
  expect(check([], new Set(['Else']))).toMatchObject({
    passed: false,
    observed: 'OwnLatency is not an alerting rule Prometheus loaded: its silence proves nothing',
  });
  expect(check([], undefined)).toMatchObject({
    passed: false,
    observed: "Prometheus's loaded rules could not be read: its silence proves nothing",
  });
});
