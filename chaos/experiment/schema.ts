// The experiment file format (chaos/experiments/*.yaml). Durations are strings like "30s";
// faults are the contract's fault specs (chaos/contract/faults.ts), exactly what the admin
// API takes. experiment.schema.json (for editors: `# yaml-language-server: $schema=…`) is
// generated from it (`experimentJsonSchema`; experiment.spec.ts keeps the two equal).
import { z } from 'zod';
import { FaultSpec } from '../contract/faults';
import { parseDuration } from '../contract/duration';

const name = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1..32 letters, digits, "_" or "-"')
  .refine((n) => n !== 'control', '"control" is reserved for the harness\'s own requests');

/** A duration string, kept in milliseconds. */
const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const positiveDuration = duration.refine((ms) => ms > 0, 'must be longer than 0');
const share = z.number().min(0).max(1);

export const Target = z.strictObject({
  /** Base URL of the app (loopback only). */
  app: z.url(),
  prometheus: z.url(),
  /** Falls back to --admin-token / CHAOS_ADMIN_TOKEN. */
  adminToken: z.string().min(1).optional(),
});

/** A 2-core machine holds a few app replicas; more is a cluster's job. */
export const MAX_LOCAL_REPLICAS = 8;

/** A user's service, put behind the fault proxy (`roque run --upstream URL`). */
export const Upstream = z.strictObject({
  /** Without --upstream the runner starts this service itself: the seed's Flask app (its venv made on first use). */
  seed: z.literal('flask-dice').optional(),
  /** Route patterns the proxy labels requests with and faults name (`/`, `/api/*`); default every path as `/*`. */
  routes: z
    .array(z.string().regex(/^\/[A-Za-z0-9_\-/:.]*\*?$/, 'must be a path starting with "/", optionally ending in "*"'))
    .min(1)
    .max(32)
    .default(['/*']),
  /** Prometheus rule files (paths relative to the experiment file) loaded beside Roque's. */
  rules: z.array(z.string().min(1)).default([]),
});

export const Load = z.strictObject({
  /** The k6 scenario (scenarios/<name>.ts); it must take a TIMELINE. */
  scenario: z.literal('chaos').default('chaos'),
  /** Requests per second, open model (constant arrival rate). */
  rate: z.number().int().min(1).max(2000),
  /** Slowest latency expected, ms, for sizing VUs by Little's law; default: the largest injected delay + 100 ms. */
  maxLatencyMs: z.number().positive().optional(),
  /** App replicas a local run starts (sharing faults through Redis); `roque run --replicas` wins. */
  replicas: z.number().int().min(1).max(MAX_LOCAL_REPLICAS).optional(),
});

export const Phase = z.strictObject({
  name,
  duration: positiveDuration,
  /** Length in quick mode; default: `duration` × the experiment's `quickScale`. */
  quickDuration: positiveDuration.optional(),
  /** Requests per second in this phase (a traffic drop or surge); default: `load.rate`. */
  rate: z.number().int().min(1).max(2000).optional(),
  faults: z.array(FaultSpec).default([]),
});

const checkCommon = {
  /** Shown in the verdict table and as the JUnit test case; default derived from the check. */
  name: z.string().min(1).max(120).optional(),
};

/** The fault's effect as seen by the client equals what was injected, within a tolerance. */
export const FidelityCheck = z.discriminatedUnion('signal', [
  z.strictObject({
    kind: z.literal('fidelity'),
    ...checkCommon,
    signal: z.literal('latency'),
    phase: name,
    /** The phase to compare against; default: the first phase. */
    baseline: name.optional(),
    /** Expected Hodges-Lehmann shift, ms; default: the phase's injected delayMs. */
    expectedShiftMs: z.number().min(0).optional(),
    /** Allowed |observed − expected|, ms; default: 10% of expected, at least 10 ms. */
    toleranceMs: z.number().positive().optional(),
  }),
  z.strictObject({
    kind: z.literal('fidelity'),
    ...checkCommon,
    signal: z.literal('errors'),
    phase: name,
    baseline: name.optional(),
    /** Expected share of failed requests; default: the phase's injected error/abort probability. */
    expectedShare: share.optional(),
    /** Allowed |observed − expected| (absolute share); default 0.03. */
    tolerance: share.default(0.03),
  }),
]);

/** A phase (usually the baseline) stays within its SLO. */
export const SteadyStateCheck = z.strictObject({
  kind: z.literal('steady-state'),
  ...checkCommon,
  phase: name,
  /** p95 of client-side latency below this, ms. */
  p95BelowMs: z.number().positive().optional(),
  p99BelowMs: z.number().positive().optional(),
  /** Share of failed requests below this. */
  errorShareBelow: share.optional(),
});

/** An alert fires within `firesWithin` of the phase start and resolves within `resolvesWithin` of its end. */
export const DetectionCheck = z.strictObject({
  kind: z.literal('detection'),
  ...checkCommon,
  phase: name,
  alert: z.string().regex(/^[A-Za-z_:][A-Za-z0-9_:]*$/, 'must be a Prometheus alert name'),
  firesWithin: positiveDuration,
  resolvesWithin: positiveDuration.optional(),
  /**
   * false: the alert must stay silent from the phase start for `firesWithin` (a blind spot
   * pinned down: monitoring that cannot see this fault). It must be a loaded alerting rule.
   */
  fires: z.boolean().default(true),
});

/** No alert fires during a phase (false alarms); `ignore` lists alerts that may. */
export const QuietCheck = z.strictObject({
  kind: z.literal('quiet'),
  ...checkCommon,
  phase: name,
  ignore: z.array(z.string()).default([]),
});

/** After the faults end, the signals are back to the baseline's. */
export const RecoveryCheck = z.strictObject({
  kind: z.literal('recovery'),
  ...checkCommon,
  phase: name,
  baseline: name.optional(),
  /** Samples of the first part of the phase are left out (the system may settle). */
  settle: duration.default(0),
  /** Allowed |Hodges-Lehmann shift| against the baseline, ms. */
  latencyToleranceMs: z.number().positive().default(10),
  /** Allowed error share above the baseline's. */
  errorShareTolerance: share.default(0.01),
});

export const Check = z.discriminatedUnion('kind', [
  FidelityCheck,
  SteadyStateCheck,
  DetectionCheck,
  QuietCheck,
  RecoveryCheck,
]);

/** Stop the run (and revert every fault) when a condition holds for `for`. */
export const AbortCondition = z
  .strictObject({
    errorShareAbove: share.optional(),
    p95AboveMs: z.number().positive().optional(),
    for: positiveDuration,
  })
  .refine((c) => c.errorShareAbove !== undefined || c.p95AboveMs !== undefined, 'give errorShareAbove or p95AboveMs');

export const Experiment = z
  .strictObject({
    name,
    description: z.string().optional(),
    /** Absent: the runner starts the local stack and the app itself. */
    target: Target.optional(),
    /** The service under test behind the fault proxy, instead of the dice app. */
    upstream: Upstream.optional(),
    load: Load,
    /**
     * Where `roque matrix` runs it: `shared`, on the stack it starts once for every run, or `own`,
     * on a stack started for this run alone (a fresh Prometheus, every rule file loaded), for an
     * experiment whose claims need windows that hold only this run. More than one replica, or an
     * upstream, always gets its own.
     */
    stack: z.enum(['shared', 'own']).default('shared'),
    /** Quick mode multiplies phase durations by this, unless a phase gives `quickDuration`. */
    quickScale: z.number().gt(0).max(1).default(0.5),
    phases: z.array(Phase).min(1).max(16),
    checks: z.array(Check).min(1),
    abort: z.array(AbortCondition).default([]),
  })
  .superRefine((experiment, ctx) => {
    if (experiment.target && experiment.upstream)
      ctx.addIssue({
        code: 'custom',
        path: ['upstream'],
        message: 'give target (a running dice app) or upstream (a service behind the proxy), not both',
      });
    const names = experiment.phases.map((p) => p.name);
    experiment.phases.forEach((phase, i) => {
      if (names.indexOf(phase.name) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['phases', i, 'name'],
          message: `phase "${phase.name}" is defined twice`,
        });
    });
    experiment.checks.forEach((check, i) => {
      for (const field of ['phase', 'baseline'] as const) {
        const ref = (check as { phase: string; baseline?: string })[field];
        if (ref !== undefined && !names.includes(ref)) {
          ctx.addIssue({
            code: 'custom',
            path: ['checks', i, field],
            message: `no phase "${ref}" (phases: ${names.join(', ')})`,
          });
        }
      }
    });
  });

export type Experiment = z.output<typeof Experiment>;
export type ExperimentPhase = z.output<typeof Phase>;
export type Check = z.output<typeof Check>;
export type AbortCondition = z.output<typeof AbortCondition>;
export type Upstream = z.output<typeof Upstream>;

/** JSON Schema of the file format (as written), for editors and docs. */
export function experimentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Experiment, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
