// The service's environment, parsed and validated once at start. Everything else reads it
// through the injectable AppConfig, never through process.env.
import { z } from 'zod';
import { MAX_DELAY_MS } from '../../../chaos/contract/faults';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An integer environment value in [min, max] with a default. */
const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** An optional secret: unset and empty both mean "off". */
const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

export const configSchema = z.object({
  PORT: integer(8080, 0, 65_535),
  HOST: z.string().min(1).default('127.0.0.1'),
  APP_VERSION: z.string().min(1).default('dev'),
  // The seed used Python's upper-case level names (INFO); accept both spellings.
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() : value),
    z.enum(LOG_LEVELS).default('info'),
  ),
  CHAOS_ADMIN_TOKEN: optionalSecret,
  CHAOS_MEMORY_CAP_MB: integer(512, 1, 16_384),
  /** Active faults at most; the next POST /admin/faults answers 409. */
  CHAOS_MAX_FAULTS: integer(100, 1, 10_000),
  /** The most delay all latency faults together add to one request. */
  CHAOS_MAX_DELAY_MS: integer(MAX_DELAY_MS, 0, 3_600_000),
  CHAOS_ADMIN_BODY_LIMIT_BYTES: integer(16 * 1024, 256, 1024 * 1024),
  /** Failed admin token attempts one client IP may make per minute before it gets 429. */
  CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE: integer(20, 1, 10_000),
  /** When set, /admin is served on its own listener (ADMIN_HOST:ADMIN_PORT) and not on PORT. */
  ADMIN_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  /** How long readiness reports 503 before the server stops taking connections. */
  SHUTDOWN_READINESS_DELAY_MS: integer(0, 0, 60_000),
  /** Upper bound on the whole shutdown; the process is forced out after it. */
  SHUTDOWN_TIMEOUT_MS: integer(10_000, 100, 300_000),
  /** Redis that carries faults to every replica (pub/sub + a hash of active faults); unset = this process only. */
  CHAOS_SYNC_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL')
    .optional(),
  /** Redis password (AUTH), kept out of the URL; a password in the URL works too. */
  CHAOS_SYNC_REDIS_PASSWORD: optionalSecret,
  /** Prefix of the Redis key and channel, so several environments can share one Redis. */
  CHAOS_SYNC_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'expected 1-64 letters, digits or :_.-')
    .default('roque'),
});

export type RawConfig = z.output<typeof configSchema>;

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; message: string };

/** Typed, read-only view of the environment, injectable anywhere in the app. */
export class AppConfig {
  readonly port: number;
  readonly host: string;
  readonly appVersion: string;
  readonly logLevel: RawConfig['LOG_LEVEL'];
  readonly adminToken: string | undefined;
  readonly memoryCapMb: number;
  readonly maxFaults: number;
  readonly maxTotalDelayMs: number;
  readonly adminBodyLimitBytes: number;
  readonly adminAuthFailuresPerMinute: number;
  readonly adminPort: number | undefined;
  readonly adminHost: string;
  readonly shutdownReadinessDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly syncRedisUrl: string | undefined;
  readonly syncRedisPassword: string | undefined;
  readonly syncNamespace: string;

  constructor(raw: RawConfig) {
    this.port = raw.PORT;
    this.host = raw.HOST;
    this.appVersion = raw.APP_VERSION;
    this.logLevel = raw.LOG_LEVEL;
    this.adminToken = raw.CHAOS_ADMIN_TOKEN;
    this.memoryCapMb = raw.CHAOS_MEMORY_CAP_MB;
    this.maxFaults = raw.CHAOS_MAX_FAULTS;
    this.maxTotalDelayMs = raw.CHAOS_MAX_DELAY_MS;
    this.adminBodyLimitBytes = raw.CHAOS_ADMIN_BODY_LIMIT_BYTES;
    this.adminAuthFailuresPerMinute = raw.CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE;
    this.adminPort = raw.ADMIN_PORT;
    this.adminHost = raw.ADMIN_HOST;
    this.shutdownReadinessDelayMs = raw.SHUTDOWN_READINESS_DELAY_MS;
    this.shutdownTimeoutMs = raw.SHUTDOWN_TIMEOUT_MS;
    this.syncRedisUrl = raw.CHAOS_SYNC_REDIS_URL;
    this.syncRedisPassword = raw.CHAOS_SYNC_REDIS_PASSWORD;
    this.syncNamespace = raw.CHAOS_SYNC_NAMESPACE;
    Object.freeze(this);
  }

  get adminEnabled(): boolean {
    return this.adminToken !== undefined;
  }

  /** The admin API has a listener of its own, and the public port answers 404 for /admin. */
  get adminOnOwnPort(): boolean {
    return this.adminEnabled && this.adminPort !== undefined;
  }
}

/** Variables whose values never appear in messages. */
const SECRET_VARIABLES = new Set(['CHAOS_ADMIN_TOKEN', 'CHAOS_SYNC_REDIS_URL', 'CHAOS_SYNC_REDIS_PASSWORD']);

/** Empty strings count as unset, so `PORT=` falls back to the default like a missing PORT. */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

/** Parses the environment; on failure the message names every bad variable, on one line. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const result = configSchema.safeParse(withoutEmptyValues(env));
  if (result.success) return { ok: true, config: new AppConfig(result.data) };
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const shown = SECRET_VARIABLES.has(variable) ? '' : `=${JSON.stringify(env[variable] ?? '')}`;
    return `${variable}${shown}: ${issue.message}`;
  });
  return { ok: false, message: `invalid environment: ${problems.join('; ')}` };
}

/** For tests and tools: a config from a few overrides, throwing on bad input. */
export function configFrom(env: Record<string, string | undefined> = {}): AppConfig {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(result.message);
  return result.config;
}
