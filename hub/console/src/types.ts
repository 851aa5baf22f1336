// The hub's JSON, as its API answers it (hub/src/api and the README).
// Responses are trusted to have these shapes: the hub is the page's own origin.

export type Level = 'red' | 'orange' | 'yellow' | 'blue' | 'info';
export type Stage = 'new' | 'assigned' | 'on_hold' | 'closed';
export type Resolution = 'real' | 'false' | 'test' | 'maintenance' | 'other';
export type Role = 'viewer' | 'guard' | 'operator' | 'safety' | 'admin';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `{"error": {...}}`, the body of every 4xx/5xx answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** `POST /api/v1/session`. */
export interface SignedIn {
  login: string;
  name: string;
  role: Role;
  /** Zone paths the person covers; the hub already narrows every answer to them. */
  zones: string[];
  csrf_token: string;
  max_age_s: number;
}

/** `GET /api/v1/session`; `csrf_token` is null when the caller used a token, not a session. */
export interface WhoAmI {
  name: string;
  role: Role;
  zones: string[];
  actor: string;
  session: boolean;
  csrf_token: string | null;
}

export interface Zone {
  id: string;
  path: string;
  name: string;
  parent: string | null;
  risk: string | null;
}

export interface ZoneList {
  zones: Zone[];
}

export interface Alarm {
  id: string;
  kind: string;
  level: Level;
  zone: string;
  device: string | null;
  source: string;
  message: string | null;
  opened: string;
  age_s: number;
  active: boolean;
  acknowledged: boolean;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  stage: Stage;
  owner: string | null;
  shelved_until: string | null;
  out_of_service: string | null;
  resolution: Resolution | null;
  closed: string | null;
  re_alarms: number;
  escalations: number;
  state: string;
}

export interface Flood {
  since: string;
  opened_in_window: number;
}

/** `GET /api/v1/alarms?state=wall&group=false`: either the wall or, while the hub replays its log, how far it has read. */
export type WallPage =
  | { ready: boolean; replay?: undefined; total: number; flood: Flood | null; grouped: false; alarms: Alarm[] }
  | { ready: false; replay: { read: number; of: number }; alarms: Alarm[] };

export interface MediaRef {
  role: string;
  hash: string;
  content_type: string;
}

export interface HubEvent {
  seq: number;
  time: string;
  device_time: string | null;
  site: string;
  zone: string;
  device: string | null;
  kind: string;
  level: Level;
  phase: 'begin' | 'end' | null;
  message: string | null;
  attrs: { [key: string]: JsonValue };
  actor: string | null;
  media: MediaRef[];
  correlation: string | null;
}

export interface Transition {
  seq: number;
  time: string;
  kind: string;
  actor: string | null;
  detail: string | null;
}

export interface RuleFiring {
  rule: string | null;
  seq: number;
  time: string;
  cause: number | null;
  cause_kind: string | null;
  actions: string | null;
  message: string | null;
}

export interface Picture {
  role: string;
  url: string;
  content_type: string;
  from: 'device' | { rule: string };
}

/** `GET /api/v1/alarms/{id}`. */
export interface AlarmDetail extends Alarm {
  why: string | null;
  events: HubEvent[];
  transitions: Transition[];
  rules: RuleFiring[];
  pictures: Picture[];
}

/** The signed-in person, as the console keeps them. */
export interface Me {
  name: string;
  role: Role;
}
