// Turns `roque fault add <type> --flag …` into a contract fault spec, validated locally.
import { FAULT_TYPES, parseFaultSpec, type FaultSpec, type FaultType } from '../contract/faults';
import { parseDuration } from '../contract/duration';

/** The flags of `roque fault add`, as commander hands them over (all strings). */
export interface FaultAddOptions {
  delay?: string;
  jitter?: string;
  distribution?: string;
  status?: string;
  utilization?: string;
  slice?: string;
  megabytes?: string;
  probe?: string;
  routes?: string;
  probability?: string;
  ttl?: string;
  /** Blast radius: a count of replicas (`1`) or a share (`34%`). */
  replicas?: string;
}

/** Which type-specific flags each fault type takes; the rest apply to all. */
const FLAGS_BY_TYPE: Record<FaultType, (keyof FaultAddOptions)[]> = {
  latency: ['delay', 'jitter', 'distribution'],
  error: ['status'],
  abort: [],
  cpu: ['utilization', 'slice'],
  memory: ['megabytes'],
  health: ['probe'],
};
const TYPE_SPECIFIC = new Set(Object.values(FLAGS_BY_TYPE).flat());

export class FaultInputError extends Error {}

export function faultSpecFromOptions(type: string, options: FaultAddOptions): FaultSpec {
  if (!(FAULT_TYPES as readonly string[]).includes(type)) {
    throw new FaultInputError(`unknown fault type "${type}" (expected one of ${FAULT_TYPES.join(', ')})`);
  }
  const faultType = type as FaultType;
  for (const flag of TYPE_SPECIFIC) {
    if (options[flag] !== undefined && !FLAGS_BY_TYPE[faultType].includes(flag)) {
      throw new FaultInputError(`--${flag} does not apply to ${faultType} faults`);
    }
  }
  const spec: Record<string, unknown> = { type: faultType };
  const set = (field: string, value: unknown) => {
    if (value !== undefined) spec[field] = value;
  };
  set('delayMs', duration('delay', options.delay));
  set('jitterMs', duration('jitter', options.jitter));
  set('distribution', options.distribution);
  set('status', number('status', options.status));
  set('utilization', number('utilization', options.utilization));
  set('sliceMs', duration('slice', options.slice));
  set('megabytes', number('megabytes', options.megabytes));
  set('probe', options.probe);
  set('probability', number('probability', options.probability));
  set(
    'routes',
    options.routes
      ?.split(',')
      .map((route) => route.trim())
      .filter(Boolean),
  );
  set(
    'replicas',
    options.replicas === undefined || options.replicas.endsWith('%')
      ? options.replicas
      : number('replicas', options.replicas),
  );
  const ttlMs = duration('ttl', options.ttl);
  if (ttlMs !== undefined) {
    if (ttlMs % 1000 !== 0) throw new FaultInputError(`--ttl ${options.ttl}: the admin API takes whole seconds`);
    spec.ttlSeconds = ttlMs / 1000;
  }
  const parsed = parseFaultSpec(spec);
  if (!parsed.ok) throw new FaultInputError(`invalid ${faultType} fault: ${parsed.message}`);
  return parsed.value;
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (error) {
    throw new FaultInputError(`--${flag}: ${(error as Error).message}`);
  }
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new FaultInputError(`--${flag} "${text}" is not a number`);
  return value;
}
