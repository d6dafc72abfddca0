import { parseExperiment } from '../experiment/load';
import { planExperiment } from '../experiment/plan';
import type { PhaseResult, ServerPhaseFigures } from '../report/result-schema';
import { evaluateChecks, withServerFidelity } from './evaluate';
import { clientFigures, phaseData } from './phase-data';
import type { RequestSample } from './raw-results';

const EXPERIMENT = `name: unit
load: { rate: 50 }
phases:
  - { name: baseline, duration: 10s }
  - name: latency
    duration: 10s
    faults: [{ type: latency, delayMs: 200 }]
checks:
  - { kind: fidelity, signal: latency, phase: latency, toleranceMs: 20 }
  - { kind: steady-state, phase: baseline, p95BelowMs: 50 }
`;

const plan = planExperiment(parseExperiment(EXPERIMENT), false);
const requests: RequestSample[] = ['baseline', 'latency'].flatMap((phase, index) =>
  Array.from({ length: 500 }, (_, i) => {
    const durationMs = 1 + (i % 7) / 10 + (phase === 'latency' ? 200 : 0);
    return { t: 1_000_000 + index * 10_000 + i * 20 + durationMs, phase, durationMs, status: 200, failed: false };
  }),
);
const phases = phaseData(plan.phases, 1_000_000, requests, []);
const clientVerdict = evaluateChecks(plan, phases, []);

function results(server: (name: string) => Partial<ServerPhaseFigures> | null): PhaseResult[] {
  return phases.map((p) => {
    const figures = server(p.planned.name);
    return {
      name: p.planned.name,
      start: new Date(p.startMs).toISOString(),
      end: new Date(p.endMs).toISOString(),
      durationMs: p.planned.durationMs,
      faults: p.planned.faults,
      client: clientFigures(p, p === phases[0] ? null : phases[0], 1),
      server: figures && {
        requests: 500,
        errorShare: 0,
        p50Ms: null,
        p95Ms: null,
        p99Ms: null,
        injectedDelayMs: null,
        injections: {},
        ...figures,
      },
    };
  });
}

const fidelity = (verdict: ReturnType<typeof withServerFidelity>) => verdict.checks.find((c) => c.kind === 'fidelity')!;

describe('the server beside the client in the latency fidelity check', () => {
  it('records the server shift and how far its percentiles read from the client’s', () => {
    const verdict = withServerFidelity(
      clientVerdict,
      plan,
      results((name) => (name === 'latency' ? { p50Ms: 201.6, p95Ms: 203 } : { p50Ms: 1.2, p95Ms: 1.6 })),
    );
    const check = fidelity(verdict);
    expect(check.passed).toBe(true);
    expect(check.details.serverShiftMs).toBeCloseTo(200.4, 5);
    expect(check.details.serverP50Deviation as number).toBeCloseTo(201.6 / 201.3 - 1, 3);
    expect(check.observed).toMatch(
      /server shift 200\.4 ms \(histogram p50\), server p50\/p95 201\.6 ms\/203\.0 ms, \+0\.1\d%\/\+0\.\d+% from the client's$/,
    );
    expect(verdict.checks.find((c) => c.kind === 'steady-state')).toEqual(
      clientVerdict.checks.find((c) => c.kind === 'steady-state'),
    );
  });

  it('fails when the server saw another shift than the one injected, though the client agreed', () => {
    const check = fidelity(
      withServerFidelity(
        clientVerdict,
        plan,
        results((name) => ({ p50Ms: name === 'latency' ? 247 : 1.2, p95Ms: 250 })),
      ),
    );
    expect(clientVerdict.checks.find((c) => c.kind === 'fidelity')!.passed).toBe(true);
    expect(check.passed).toBe(false);
    expect(check.details.serverShiftMs).toBeCloseTo(245.8, 5);
  });

  it('fails closed without server figures, and says so', () => {
    const check = fidelity(
      withServerFidelity(
        clientVerdict,
        plan,
        results(() => null),
      ),
    );
    expect(check.passed).toBe(false);
    expect(check.observed).toMatch(/server: no histogram figures from Prometheus for latency and baseline$/);
  });
});
