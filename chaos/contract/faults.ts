// The one fault vocabulary. The app's admin API validates against it, the CLI and the
// experiment runner build faults with it, and the k6 scenarios bundle it. Field names and
// limits are the contract's (docs/contract.md); change them here and nowhere else.
import { z } from 'zod';

export const FAULT_TYPES = ['latency', 'error', 'abort', 'cpu', 'memory', 'health'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export const MAX_DELAY_MS = 60_000;
export const MAX_TTL_SECONDS = 3600;
export const DEFAULT_TTL_SECONDS = 300;
/** Upper bound the schema accepts; the app applies its own, lower cap (CHAOS_MEMORY_CAP_MB). */
export const MAX_MEMORY_MB = 16_384;

const routeTemplate = z.string().regex(/^\/[A-Za-z0-9_\-/:.*]*$/, 'must be a route template starting with "/"');

/** Most replicas a fault's blast radius may count. */
export const MAX_BLAST_REPLICAS = 64;

/**
 * Where a fault acts when replicas share faults (CHAOS_SYNC_REDIS_URL): a count of the live
 * replicas (`1`) or a share of them (`"34%"`, rounded, at least one); default every replica.
 */
const blastRadius = z.union([
  z.number().int().min(1).max(MAX_BLAST_REPLICAS),
  z
    .string()
    .regex(/^\d+(\.\d+)?%$/, 'must be a count of replicas (1) or a share of them ("34%")')
    .refine(
      (share) => Number(share.slice(0, -1)) > 0 && Number(share.slice(0, -1)) <= 100,
      'a share must be more than 0% and at most 100%',
    ),
]);

/** Fields every fault type has. */
const common = {
  routes: z.array(routeTemplate).min(1).max(32).optional(),
  replicas: blastRadius.optional(),
  probability: z.number().min(0).max(1).default(1),
  ttlSeconds: z.number().int().min(1).max(MAX_TTL_SECONDS).default(DEFAULT_TTL_SECONDS),
};

export const LatencyFaultSpec = z.strictObject({
  type: z.literal('latency'),
  ...common,
  delayMs: z.number().min(0).max(MAX_DELAY_MS),
  jitterMs: z.number().min(0).max(MAX_DELAY_MS).default(0),
  distribution: z.enum(['fixed', 'uniform', 'normal']).default('fixed'),
});

export const ErrorFaultSpec = z.strictObject({
  type: z.literal('error'),
  ...common,
  status: z.number().int().min(400).max(599).default(500),
});

export const AbortFaultSpec = z.strictObject({
  type: z.literal('abort'),
  ...common,
});

/** The longest a cpu fault may hold the event loop in one go: a minute, like the longest delay. */
export const MAX_CPU_SLICE_MS = 60_000;

export const CpuFaultSpec = z.strictObject({
  type: z.literal('cpu'),
  ...common,
  utilization: z.number().gt(0).max(1),
  /**
   * Optional: hold the event loop for this many ms in one go, then rest so that `utilization`
   * is kept on average. Absent: short slices (a few ms), the loop stays responsive. Long
   * slices stall every request (event-loop lag); past the scrape timeout they make the app
   * unscrapable (the "down" fault).
   */
  sliceMs: z.number().int().min(1).max(MAX_CPU_SLICE_MS).optional(),
});

export const MemoryFaultSpec = z.strictObject({
  type: z.literal('memory'),
  ...common,
  megabytes: z.number().int().min(1).max(MAX_MEMORY_MB),
});

export const HealthFaultSpec = z.strictObject({
  type: z.literal('health'),
  ...common,
  probe: z.enum(['readiness', 'liveness']),
});

/** What a client sends to `POST /admin/faults`. */
export const FaultSpec = z.discriminatedUnion('type', [
  LatencyFaultSpec,
  ErrorFaultSpec,
  AbortFaultSpec,
  CpuFaultSpec,
  MemoryFaultSpec,
  HealthFaultSpec,
]);
/** A fault spec after defaults are applied. */
export type FaultSpec = z.output<typeof FaultSpec>;
/** A fault spec as a client may write it (defaults optional). */
export type FaultSpecInput = z.input<typeof FaultSpec>;

/** A replica a fault acts on: its name in the sync messages and the host:port it serves on. */
export interface FaultReplica {
  replica: string;
  instance: string;
}

/** What the admin API answers: the spec plus its identity and lifetime. */
export type Fault = FaultSpec & {
  id: string;
  createdAt: string;
  expiresAt: string;
  /** With a blast radius (`replicas`): the replicas chosen when it was created, the only ones it acts on. */
  actsOn?: FaultReplica[];
};

/** How many of `live` replicas a blast radius takes; an error message when it cannot be met. */
export function blastRadiusCount(
  replicas: number | string,
  live: number,
): { ok: true; count: number } | { ok: false; message: string } {
  if (typeof replicas === 'number') {
    return replicas <= live
      ? { ok: true, count: replicas }
      : { ok: false, message: `replicas: ${replicas} asked, but ${live} replica(s) are live` };
  }
  return { ok: true, count: Math.min(live, Math.max(1, Math.round((Number(replicas.slice(0, -1)) / 100) * live))) };
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates unknown input; the message names every offending field (`delayMs: ...`). */
export function parseFaultSpec(input: unknown): ValidationResult<FaultSpec> {
  const result = FaultSpec.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: formatIssues(result.error) };
}

/** One line per problem, each led by the path of the field it concerns. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : '(body)';
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      return `${path}: ${issue.message}${keys}`;
    })
    .join('; ');
}

/** JSON Schema of the fault spec as clients write it, for docs and other tools. */
export function faultSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FaultSpec, { io: 'input' }) as Record<string, unknown>;
}
