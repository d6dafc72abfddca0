// Typed client for the target-app's admin API (docs/contract.md, "The admin API").
// Used by `roque fault` and by the experiment runner's kill switch.
import { parseFaultSpec, type Fault, type FaultSpecInput } from '../contract/faults';
import { assertLoopback } from '../local/network';

/** Why a call failed, so callers can choose an exit code (server refused vs. could not ask). */
export type AdminErrorKind = 'unreachable' | 'unauthorized' | 'invalid' | 'not-found' | 'server';

export class AdminError extends Error {
  constructor(
    readonly kind: AdminErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export interface AdminClientOptions {
  /** Base URL of the target app, e.g. http://127.0.0.1:8080; must be loopback. */
  target: string;
  token: string;
  timeoutMs?: number;
}

export class AdminClient {
  private readonly base: string;

  constructor(private readonly options: AdminClientOptions) {
    this.base = assertLoopback(options.target, 'target').href.replace(/\/$/, '');
    if (!options.token) throw new AdminError('invalid', 'no admin token: pass --token or set CHAOS_ADMIN_TOKEN');
  }

  /** Validates locally first, so a bad spec never reaches the server. */
  async add(spec: FaultSpecInput): Promise<Fault> {
    const parsed = parseFaultSpec(spec);
    if (!parsed.ok) throw new AdminError('invalid', `invalid fault: ${parsed.message}`);
    return (await this.call('POST', '/admin/faults', parsed.value)) as Fault;
  }

  async list(): Promise<Fault[]> {
    const body = (await this.call('GET', '/admin/faults')) as { faults: Fault[] };
    return body.faults;
  }

  async remove(id: string): Promise<void> {
    await this.call('DELETE', `/admin/faults/${encodeURIComponent(id)}`);
  }

  /** The kill switch: every fault removed at once. */
  async clear(): Promise<void> {
    await this.call('DELETE', '/admin/faults');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      const cause =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new AdminError('unreachable', `target ${this.base} is unreachable (${cause})`);
    }
    const text = await res.text();
    if (res.ok) return text ? JSON.parse(text) : undefined;
    const serverMessage = messageOf(text);
    switch (res.status) {
      case 401:
        throw new AdminError('unauthorized', `401 unauthorized: the admin token was refused by ${this.base}`, 401);
      case 400:
        throw new AdminError('invalid', `400 bad request: ${serverMessage}`, 400);
      case 404:
        throw new AdminError(
          'not-found',
          path.startsWith('/admin/faults/')
            ? `404: no fault ${decodeURIComponent(path.slice('/admin/faults/'.length))}`
            : `404: ${url} not found (is CHAOS_ADMIN_TOKEN set for the app?)`,
          404,
        );
      default:
        throw new AdminError('server', `${res.status} from ${method} ${url}: ${serverMessage}`, res.status);
    }
  }
}

/** NestJS answers `{message: string | string[]}`; fall back to the raw text. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = body.message ?? body.error;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: use the text as it is
  }
  return text.trim() || '(empty body)';
}
