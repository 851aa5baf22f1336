// Talking to the command centre: same origin, no cookie, an API token of the
// centre in every call (`Authorization: Bearer …`), kept for the tab's life
// in sessionStorage. Refusals come as the hub's: `ApiError`.

import { ApiError, isErrorBody } from '../api';
import type { CentralSummary, Hello, SiteAlarmList, SiteDeviceList, SiteEventList } from './types';

const TOKEN_KEY = 'twinwall-central-token';

/** Storage may be off (private windows): then the token lives until the page reloads. */
let token: string | null = (() => {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
})();

let tokenLost: () => void = () => undefined;

/** Called when the centre answers 401 to a signed-in call: the token was revoked or is wrong. */
export function onTokenLost(handler: () => void): void {
  tokenLost = handler;
}

export function hasToken(): boolean {
  return token !== null;
}

function keep(t: string | null): void {
  token = t;
  try {
    if (t === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, t);
  } catch {
    // Not kept: it still holds until the page reloads.
  }
}

/** Whether the page's own origin is a command centre; null for a hub (`central: false`) or any doubt. */
export async function hello(): Promise<Hello | null> {
  try {
    const res = await fetch('/api/v1/central/hello', {
      headers: { Accept: 'application/json' },
      credentials: 'omit',
    });
    if (res.status !== 200) return null;
    const data: unknown = await res.json();
    if (typeof data !== 'object' || data === null || !('central' in data) || data.central !== true) return null;
    const h = data as Partial<Hello>;
    return { central: true, id: String(h.id ?? ''), name: String(h.name ?? '') };
  } catch {
    return null;
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: object, signingIn = false): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'omit',
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', null);
  }
  const text = await res.text().catch(() => '');
  let data: unknown = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): only the status is known.
  }
  if (!res.ok) {
    if (res.status === 401 && !signingIn) {
      keep(null);
      tokenLost();
    }
    const err = isErrorBody(data) ? data.error : null;
    throw new ApiError(res.status, err?.code ?? 'http', err?.message ?? null);
  }
  return data as T;
}

/** Tries `t` on the centre; kept only when the centre takes it. */
export async function signIn(t: string): Promise<CentralSummary> {
  keep(t);
  try {
    return await call<CentralSummary>('GET', '/api/v1/central', undefined, true);
  } catch (e) {
    keep(null);
    throw e;
  }
}

/** Nothing to tell the centre: a token ends when it is revoked there. */
export function signOut(): void {
  keep(null);
}

/** `?site=…` and the rest, without the ones not given. */
function query(params: Record<string, string | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export function summary(): Promise<CentralSummary> {
  return call<CentralSummary>('GET', '/api/v1/central');
}

/** The wall of one campus, or of every campus (`site` null), in the centre's order. */
export function alarms(site: string | null): Promise<SiteAlarmList> {
  return call<SiteAlarmList>('GET', `/api/v1/alarms${query({ state: 'wall', site })}`);
}

export function devices(site: string | null): Promise<SiteDeviceList> {
  return call<SiteDeviceList>('GET', `/api/v1/devices${query({ site })}`);
}

/** The newest `limit` events of the chosen campuses whose kind matches `kind` (`fire.*`), newest first. */
export function events(site: string | null, kind: string, limit: number): Promise<SiteEventList> {
  return call<SiteEventList>('GET', `/api/v1/events${query({ site, kind: kind.trim(), limit: String(limit) })}`);
}

/** Acknowledges an alarm at the campus that owns it, as the token's person there. */
export function ack(site: string, id: string): Promise<unknown> {
  return call<unknown>('POST', `/api/v1/sites/${encodeURIComponent(site)}/alarms/${encodeURIComponent(id)}/ack`, {});
}
