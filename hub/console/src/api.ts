// Talking to the hub: same origin, its session cookie, JSON both ways. The
// CSRF token the hub gave at sign-in goes with every change (POST, DELETE).

import type {
  Alarm,
  AlarmDetail,
  BroadcastJob,
  BroadcastList,
  BroadcastRequest,
  BroadcastSubmitted,
  CampusMap,
  Clip,
  ClipList,
  CommandDone,
  DeviceList,
  DriverList,
  ErrorBody,
  EventPage,
  Health,
  HubEvent,
  JsonValue,
  Kpis,
  MapPlace,
  Me,
  Northbound,
  PeopleStats,
  ScheduleList,
  Resolution,
  SignedIn,
  StatisticsPage,
  VehiclesPresent,
  Violations,
  Visitors,
  WallPage,
  WhoAmI,
  ZoneList,
} from './types';

import { setSiteOffset } from './sitetime';

/** A refusal or a failure; `hubMessage` is the hub's own words when it sent some. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when no answer came. */
    readonly status: number,
    /** The hub's code (`conflict`), or `network` / `client` for failures of our own. */
    readonly code: string,
    readonly hubMessage: string | null,
  ) {
    super(hubMessage ?? code);
  }
}

/** Whatever a promise rejected with, as an ApiError, so views handle one kind. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(0, 'client', e instanceof Error ? e.message : String(e));
}

const SESSION = '/api/v1/session';

let csrf: string | null = null;
let sessionLost: () => void = () => undefined;

/** Called when the hub answers 401 to a signed-in request: the session expired or was revoked. */
export function onSessionLost(handler: () => void): void {
  sessionLost = handler;
}

/** Whether an answer's body is the `{"error": {...}}` of a refusal (the centre's too). */
export function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = v.error;
  return typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string';
}

/** A body sent as it is (an audio file, a spreadsheet), with its type. */
export interface RawBody {
  raw: Blob;
  type: string;
}

/** One call to the hub with the session; the views' own modules build theirs on it. */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: object | RawBody): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const raw = body !== undefined && 'raw' in body && body.raw instanceof Blob ? (body as RawBody) : null;
  if (body !== undefined) headers['Content-Type'] = raw === null ? 'application/json' : raw.type;
  if (method !== 'GET' && csrf !== null) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: raw !== null ? raw.raw : body === undefined ? null : JSON.stringify(body),
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
    // The session routes answer 401 for "not signed in" and "wrong password": not a lost session.
    if (res.status === 401 && path !== SESSION) sessionLost();
    const err = isErrorBody(data) ? data.error : null;
    throw new ApiError(res.status, err?.code ?? 'http', err?.message ?? null);
  }
  return data as T;
}

export async function signIn(login: string, password: string): Promise<Me> {
  const s = await request<SignedIn>('POST', SESSION, { login, password });
  csrf = s.csrf_token;
  setSiteOffset(s.utc_offset_minutes ?? null);
  return { name: s.name, role: s.role, actor: `${s.name}#${s.login}`, unit: s.unit ?? null };
}

/** The session the cookie holds, or null when there is none. */
export async function restoreSession(): Promise<Me | null> {
  try {
    const w = await request<WhoAmI>('GET', SESSION);
    if (!w.session || w.csrf_token === null) return null;
    csrf = w.csrf_token;
    setSiteOffset(w.utc_offset_minutes ?? null);
    return { name: w.name, role: w.role, actor: w.actor, unit: w.unit ?? null };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signOut(): Promise<void> {
  try {
    await request<unknown>('DELETE', SESSION);
  } catch (e) {
    // 401: the hub had already ended it, which is what was asked.
    if (!(e instanceof ApiError && e.status === 401)) throw e;
  }
  csrf = null;
}

export function zones(): Promise<ZoneList> {
  return request<ZoneList>('GET', '/api/v1/zones');
}

/** The most alarms one page of the wall holds (the hub's cap). */
export const WALL_PAGE = 1000;

/** One page of the wall, from `offset` in the hub's order. */
export function wall(offset: number): Promise<WallPage> {
  return request<WallPage>('GET', `/api/v1/alarms?state=wall&group=false&limit=${WALL_PAGE}&offset=${offset}`);
}

const alarmPath = (id: string): string => `/api/v1/alarms/${encodeURIComponent(id)}`;

export function alarm(id: string): Promise<AlarmDetail> {
  return request<AlarmDetail>('GET', alarmPath(id));
}

/** The body each action takes. */
export interface ActionBodies {
  ack: { note?: string };
  assign: { to?: string };
  hold: { note?: string };
  shelve: { minutes: number; reason: string };
  unshelve: Record<string, never>;
  close: { resolution: Resolution; note: string };
}

export type Action = keyof ActionBodies;

/** Acts on an alarm; the answer is the alarm as it now stands. */
export function act<A extends Action>(id: string, action: A, body: ActionBodies[A]): Promise<Alarm> {
  return request<Alarm>('POST', `${alarmPath(id)}/${action}`, body);
}

export function devices(): Promise<DeviceList> {
  return request<DeviceList>('GET', '/api/v1/devices');
}

export function drivers(): Promise<DriverList> {
  return request<DriverList>('GET', '/api/v1/drivers');
}

/** Sends a command; the hub answers once the device confirmed it. */
export function command(device: string, name: string, args: { [key: string]: JsonValue }): Promise<CommandDone> {
  return request<CommandDone>('POST', `/api/v1/devices/${encodeURIComponent(device)}/commands`, {
    command: name,
    args,
  });
}

export function clips(): Promise<ClipList> {
  return request<ClipList>('GET', '/api/v1/clips');
}

/** What the hub is told a recording is: browsers name a WAV audio/wav, audio/x-wav or nothing, and raw G.711 nothing. */
function clipType(file: Blob): string {
  const name = file instanceof File ? file.name.toLowerCase() : '';
  if (name.endsWith('.ul') || name.endsWith('.pcmu')) return 'audio/PCMU';
  if (name.endsWith('.al') || name.endsWith('.pcma')) return 'audio/PCMA';
  return file.type === '' || file.type === 'application/octet-stream' ? 'audio/wav' : file.type;
}

/** Uploads an audio file as a clip named `name`; the hub checks and stores it (WAV or G.711). */
export function uploadClip(name: string, file: Blob): Promise<Clip> {
  return request<Clip>('POST', `/api/v1/clips?${new URLSearchParams({ name }).toString()}`, {
    raw: file,
    type: clipType(file),
  });
}

const BROADCASTS = '/api/v1/broadcasts';
const broadcastPath = (id: string): string => `${BROADCASTS}/${encodeURIComponent(id)}`;

export function broadcasts(): Promise<BroadcastList> {
  return request<BroadcastList>('GET', BROADCASTS);
}

/** Starts a job; the hub answers its id at once (202) and asks the speakers after. */
export function startBroadcast(body: BroadcastRequest): Promise<BroadcastSubmitted> {
  return request<BroadcastSubmitted>('POST', BROADCASTS, body);
}

export function broadcast(id: string): Promise<BroadcastJob> {
  return request<BroadcastJob>('GET', broadcastPath(id));
}

export function schedules(): Promise<ScheduleList> {
  return request<ScheduleList>('GET', '/api/v1/schedules');
}

/** Ends a schedule (the jobs it already started play on). */
export function unschedule(id: string): Promise<unknown> {
  return request<unknown>('DELETE', `/api/v1/schedules/${encodeURIComponent(id)}`);
}

/** Stops a job everywhere; the answer is the job as it now stands. */
export function cancelBroadcast(id: string): Promise<BroadcastJob> {
  return request<BroadcastJob>('DELETE', broadcastPath(id));
}

export const STREAM_URL = '/api/v1/alarms/stream';

export function campusMap(): Promise<CampusMap> {
  return request<CampusMap>('GET', '/api/v1/map');
}

/** Puts a device at `at` on its zone's plan (admin); the answer is its place. */
export function placeDevice(device: string, at: [number, number]): Promise<MapPlace> {
  return request<MapPlace>('PUT', `/api/v1/map/devices/${encodeURIComponent(device)}`, { at });
}

/**
 * The `n` newest events matching `filter` (`device`, `kind`), since `since`
 * when given; oldest first. The hub reads them from the end of its log.
 */
export async function latestEvents(filter: Record<string, string>, since: Date | null, n: number): Promise<HubEvent[]> {
  const q = new URLSearchParams({ ...filter, limit: String(n), newest: 'true' });
  if (since !== null) q.set('since', since.toISOString());
  return (await request<EventPage>('GET', `/api/v1/events?${q.toString()}`)).events;
}

/** The figures of the days `from` to `to` (`YYYY-MM-DD`, the site's days); null: the hub's default week. */
export function statistics(range: { from: string; to: string } | null): Promise<StatisticsPage> {
  const q = range === null ? '' : `?${new URLSearchParams(range).toString()}`;
  return request<StatisticsPage>('GET', `/api/v1/statistics${q}`);
}

export function kpis(): Promise<Kpis> {
  return request<Kpis>('GET', '/api/v1/alarms/kpis');
}

export function peopleStats(): Promise<PeopleStats> {
  return request<PeopleStats>('GET', '/api/v1/people/stats');
}

export function visitors(): Promise<Visitors> {
  return request<Visitors>('GET', '/api/v1/people/visitors');
}

export function vehiclesPresent(): Promise<VehiclesPresent> {
  return request<VehiclesPresent>('GET', '/api/v1/vehicles/present');
}

export function violations(): Promise<Violations> {
  return request<Violations>('GET', '/api/v1/vehicles/violations');
}

export function health(): Promise<Health> {
  return request<Health>('GET', '/api/v1/health');
}

/** The bridge's status; null when the hub has none configured (404). */
export async function northbound(): Promise<Northbound | null> {
  try {
    return await request<Northbound>('GET', '/api/v1/northbound');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export function releaseDevice(id: string): Promise<unknown> {
  return request<unknown>('POST', `/api/v1/devices/${encodeURIComponent(id)}/release`, {});
}

export function releaseDriver(name: string): Promise<unknown> {
  return request<unknown>('POST', `/api/v1/drivers/${encodeURIComponent(name)}/release`, {});
}

/** Where a stored picture is served. */
export const mediaUrl = (hash: string): string => `/api/v1/media/${encodeURIComponent(hash)}`;
