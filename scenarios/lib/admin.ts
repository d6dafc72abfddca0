// The admin API client k6 uses to switch faults on and off mid-run (docs/contract.md).
import exec from 'k6/execution';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import type { Fault, FaultSpec } from '../../chaos/contract/faults';
import type { Settings } from './settings';
import { CONTROL_PHASE } from './phase';

type Method = 'GET' | 'POST' | 'DELETE';

function adminRequest(
  settings: Settings,
  method: Method,
  path: string,
  name: string,
  expected: number[],
  body?: unknown,
) {
  return http.request(method, `${settings.baseUrl}${path}`, body === undefined ? null : JSON.stringify(body), {
    headers: { Authorization: `Bearer ${settings.adminToken ?? ''}`, 'Content-Type': 'application/json' },
    tags: { name, phase: CONTROL_PHASE },
    timeout: '10s',
    responseCallback: http.expectedStatuses(...expected),
  });
}

function describe(res: RefinedResponse<ResponseType | undefined>): string {
  return res.status === 0 ? String(res.error) : `${res.status} ${String(res.body ?? '').slice(0, 300)}`;
}

/** For setup(): stops the test unless the admin API answers with this token. */
export function requireAdminApi(settings: Settings): Fault[] {
  if (!settings.adminToken)
    exec.test.abort('CHAOS_ADMIN_TOKEN is required: the timeline switches faults through the admin API');
  const res = adminRequest(settings, 'GET', '/admin/faults', '/admin/faults', [200]);
  if (res.status === 404)
    exec.test.abort(`the admin API of ${settings.baseUrl} is off: start the app with CHAOS_ADMIN_TOKEN set`);
  if (res.status === 401) exec.test.abort('CHAOS_ADMIN_TOKEN was refused by the admin API (401)');
  if (res.status !== 200) exec.test.abort(`GET /admin/faults failed: ${describe(res)}`);
  return (res.json() as unknown as { faults: Fault[] }).faults;
}

export function addFault(settings: Settings, spec: FaultSpec): Fault {
  const res = adminRequest(settings, 'POST', '/admin/faults', '/admin/faults', [201], spec);
  if (res.status !== 201) throw new Error(`POST /admin/faults ${JSON.stringify(spec)} failed: ${describe(res)}`);
  return res.json() as unknown as Fault;
}

/** Removes one fault; one that already expired (404) is fine. */
export function removeFault(settings: Settings, id: string): void {
  const res = adminRequest(
    settings,
    'DELETE',
    `/admin/faults/${encodeURIComponent(id)}`,
    '/admin/faults/:id',
    [204, 404],
  );
  if (res.status !== 204 && res.status !== 404) throw new Error(`DELETE /admin/faults/${id} failed: ${describe(res)}`);
}

/** The kill switch: every fault removed at once. */
export function clearFaults(settings: Settings): void {
  const res = adminRequest(settings, 'DELETE', '/admin/faults', '/admin/faults', [204]);
  if (res.status !== 204) throw new Error(`DELETE /admin/faults failed: ${describe(res)}`);
}
