// The standard OTEL_* variables the app's tracing reads, parsed once at start (tracing.ts).
// The exporters read the rest themselves: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS,
// _TIMEOUT, _COMPRESSION and the certificate variables.
import { DiagLogLevel } from '@opentelemetry/api';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

const PROPAGATORS = ['tracecontext', 'baggage'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];

export interface BatchSettings {
  maxQueueSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxExportBatchSize?: number;
}

export interface TracingConfig {
  protocol: OtlpProtocol;
  /** Never `always_off`: that starts no tracing at all. */
  sampler: Exclude<SamplerName, 'always_off'>;
  /** The ratio of the traceidratio samplers. */
  ratio: number;
  batch: BatchSettings;
  /** Empty for OTEL_PROPAGATORS=none: every request is a root. */
  propagators: PropagatorName[];
  /** The SDK's own diagnostics on the console (OTEL_LOG_LEVEL), off when unset. */
  logLevel?: DiagLogLevel;
}

/** A tracing variable with a value the app cannot honour; main's config errors read the same. */
export class TracingConfigError extends Error {}

/** The service's name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names it. */
export const DEFAULT_SERVICE_NAME = 'dice-api';

// A service under load test makes thousands of identical traces a second: keep one in ten by
// default (a sampled caller's choice wins).
const DEFAULT_SAMPLER: SamplerName = 'parentbased_traceidratio';
const DEFAULT_RATIO = 0.1;

// A batch is turned into OTLP protobuf in one synchronous step, and every request that arrives
// meanwhile waits: under load the longest export of the SDK's 512 held the event loop 28–43 ms,
// of 32 spans 6–9 ms, for the same total (README, Performance: why spans leave in batches of 32).
const DEFAULT_EXPORT_BATCH_SIZE = 32;

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/**
 * What tracing to start, or null when none: no OTLP endpoint says where spans go,
 * OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none, or a sampler that never samples (`always_off`
 * ignores even a sampled caller: no request could ever make a span). Throws a
 * TracingConfigError naming the variable for a value it cannot honour.
 */
export function tracingConfig(env: NodeJS.ProcessEnv): TracingConfig | null {
  const endpoint = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!endpoint || value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  // Metrics are Prometheus' job (GET /metrics) and logs go to stdout: only traces leave by OTLP.
  for (const signal of ['OTEL_METRICS_EXPORTER', 'OTEL_LOGS_EXPORTER'] as const)
    if (!oneOf(env, signal, ['none'], 'none'))
      throw new TracingConfigError(`${signal}: only "none" is supported (metrics are scraped, logs go to stdout)`);
  const exporter = oneOf(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'none'], 'otlp');
  const sampler = oneOf(env, 'OTEL_TRACES_SAMPLER', SAMPLERS, DEFAULT_SAMPLER);
  if (exporter === 'none' || sampler === 'always_off') return null;
  return {
    protocol: oneOf(
      env,
      value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
        ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
        : 'OTEL_EXPORTER_OTLP_PROTOCOL',
      OTLP_PROTOCOLS,
      'http/protobuf',
    ),
    sampler,
    ratio: ratio(env),
    batch: batchSettings(env),
    propagators: propagators(env),
    logLevel: logLevel(env),
  };
}

/** A variable's trimmed value; unset and empty are the same (the OTel specification's rule). */
function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (!(allowed as readonly string[]).includes(lower))
    throw new TracingConfigError(`${name}: "${raw}" is not one of ${allowed.join(', ')}`);
  return lower as T;
}

function ratio(env: NodeJS.ProcessEnv): number {
  const raw = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (raw === undefined) return DEFAULT_RATIO;
  const parsed = Number(raw);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER_ARG: "${raw}" is not a ratio between 0 and 1`);
  return parsed;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new TracingConfigError(`${name}: "${raw}" is not a positive whole number`);
  return parsed;
}

function batchSettings(env: NodeJS.ProcessEnv): BatchSettings {
  const maxQueueSize = positiveInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE');
  return {
    maxQueueSize,
    scheduledDelayMillis: positiveInteger(env, 'OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: positiveInteger(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
    // A batch cannot be larger than the queue it is taken from.
    maxExportBatchSize:
      positiveInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ??
      Math.min(DEFAULT_EXPORT_BATCH_SIZE, maxQueueSize ?? DEFAULT_EXPORT_BATCH_SIZE),
  };
}

function propagators(env: NodeJS.ProcessEnv): PropagatorName[] {
  const names = (value(env, 'OTEL_PROPAGATORS') ?? PROPAGATORS.join(','))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('none')) return [];
  for (const name of names)
    if (!(PROPAGATORS as readonly string[]).includes(name))
      throw new TracingConfigError(`OTEL_PROPAGATORS: "${name}" is not one of ${PROPAGATORS.join(', ')}, none`);
  return [...new Set(names as PropagatorName[])];
}

function logLevel(env: NodeJS.ProcessEnv): DiagLogLevel | undefined {
  const raw = value(env, 'OTEL_LOG_LEVEL');
  if (raw === undefined) return undefined;
  const level = LOG_LEVELS[raw.toUpperCase()];
  if (level === undefined)
    throw new TracingConfigError(`OTEL_LOG_LEVEL: "${raw}" is not one of ${Object.keys(LOG_LEVELS).join(', ')}`);
  return level;
}
