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
  /** The person's unit (院系、部门), or null. */
  unit?: string | null;
  csrf_token: string;
  max_age_s: number;
  /** The site's offset from UTC: times are shown in the site's time. */
  utc_offset_minutes?: number;
}

/** `GET /api/v1/session`; `csrf_token` is null when the caller used a token, not a session. */
export interface WhoAmI {
  name: string;
  role: Role;
  zones: string[];
  actor: string;
  unit?: string | null;
  session: boolean;
  csrf_token: string | null;
  utc_offset_minutes?: number;
}

export interface Zone {
  id: string;
  path: string;
  name: string;
  parent: string | null;
  /** Its standing risk colour (四色图). */
  risk: string | null;
  /** Where `risk` comes from: its worst assessed risk point (and those of the zones inside it), or hub.toml. */
  risk_from?: 'points' | 'config';
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
  /** `name#login`, as the hub records who did what: whose the outbox's waiting rounds are. */
  actor: string;
  /** The person's unit, or null (`GET /api/v1/program` says which units they answer for). */
  unit: string | null;
}

/** `GET /api/v1/devices`: already narrowed to the caller's zones. */
export type Online = 'online' | 'offline' | 'unknown';

export interface Device {
  id: string;
  /** What people call it (hub.toml `name`); null: show the id. */
  name: string | null;
  driver: string;
  families: string[];
  zone: string;
  address: string | null;
  profile: string | null;
  state: Online;
  last_seen: string | null;
  last_error: string | null;
  /** Why the device is not running (driver missing, refused config, quarantine). */
  problem: string | null;
}

export interface DeviceList {
  devices: Device[];
}

/**
 * The part of a JSON Schema the console turns into a form. Drivers write
 * theirs with schemars, so a type may come as `["integer", "null"]`.
 */
export interface ArgSchema {
  type?: string | string[];
  description?: string;
  title?: string;
  enum?: JsonValue[];
  minimum?: number;
  maximum?: number;
  default?: JsonValue;
  properties?: { [name: string]: ArgSchema };
  required?: string[];
  /** schemars names an enum or struct once and refers to it: `#/definitions/Mode`. */
  $ref?: string;
  /** How schemars wraps a reference that has a description of its own. */
  allOf?: ArgSchema[];
  definitions?: { [name: string]: ArgSchema };
  $defs?: { [name: string]: ArgSchema };
}

export interface CommandSpec {
  name: string;
  description: string;
  /** null when the driver gave none. */
  args_schema: ArgSchema | null;
}

/** `GET /api/v1/drivers` (only what the console uses). */
export interface Driver {
  name: string;
  version: string;
  families: string[];
  commands: string[];
  command_specs: CommandSpec[];
  state: 'running' | 'restarting' | 'quarantined';
}

export interface DriverList {
  drivers: Driver[];
}

/** `POST /api/v1/devices/{id}/commands`, once the device confirmed. */
export interface CommandDone {
  device: string;
  command: string;
  result: string;
  actor: string;
  ms: number;
}

/** `GET /api/v1/clips`. */
export interface Clip {
  hash: string;
  name: string;
  duration_ms: number;
  samples: number;
}

export interface ClipList {
  clips: Clip[];
}

/** Where a broadcast's audio comes from (the console offers text and clips). */
export type BroadcastSource = { text: string } | { clip: string } | { live: string };

/** When a scheduled job plays: once at an RFC 3339 time, or every day at `HH:MM` in the site's time. */
export type BroadcastSchedule = { at: string } | { daily: string };

/** Body of `POST /api/v1/broadcasts` as the console sends it: `zones` are zone ids. */
export interface BroadcastRequest {
  zones: string[];
  source: BroadcastSource;
  priority: number;
  repeat: number;
  schedule?: BroadcastSchedule | null;
}

/** `GET /api/v1/schedules`. */
export interface Scheduled {
  id: string;
  actor: string;
  request: BroadcastRequest;
  next_ms: number;
  next: string;
  runs: string[];
}

export interface ScheduleList {
  schedules: Scheduled[];
}

/** `POST /api/v1/broadcasts` (202). */
export interface BroadcastSubmitted {
  id: string;
  speakers: number;
  next: string | null;
  url: string;
}

export type SpeakerState = 'pending' | 'started' | 'preempted' | 'finished' | 'failed' | 'cancelled';

export interface SpeakerOutcome {
  state: SpeakerState;
  /** Why it failed, or who pre-empted it. */
  reason: string | null;
  started_ms: number | null;
  sent_ms: number | null;
  /** Zone path of the speaker. */
  zone: string;
}

/** `GET /api/v1/broadcasts/{id}`, and each of `GET /api/v1/broadcasts`. */
/** The request as a job shows it: a job of the CLI or a rule may have asked for `all`. */
export interface JobRequest extends BroadcastRequest {
  all: boolean;
}

export interface BroadcastJob {
  id: string;
  actor: string;
  request: JobRequest;
  clip: string | null;
  created: string;
  cancelled: boolean;
  /** Speaker device id → its outcome. */
  speakers: { [device: string]: SpeakerOutcome };
  summary: { [state: string]: number };
  /** Every speaker has answered (started or failed). */
  answered: boolean;
  /** Nothing more will happen. */
  done: boolean;
}

export interface BroadcastList {
  broadcasts: BroadcastJob[];
}

/** `GET /api/v1/map`: plans, zone outlines, device places (`[x, y]` in plan units). */
export interface PlanInfo {
  zone: string | null;
  url: string;
  width: number;
  height: number;
}

export interface MapArea {
  zone: string;
  on: string | null;
  points: [number, number][];
}

export interface MapPlace {
  device: string;
  zone: string;
  on: string | null;
  at: [number, number];
  /** `config` (hub.toml) or `moved` (dragged by an admin). */
  from: 'config' | 'moved';
}

export interface CampusMap {
  plans: PlanInfo[];
  areas: MapArea[];
  devices: MapPlace[];
  /** Devices with a plan and no place on it yet. */
  unplaced: { device: string; zone: string; on: string | null }[];
}

export interface EventPage {
  events: HubEvent[];
  next_after: number | null;
}

/** `GET /api/v1/statistics`. */
export type Dimension = 'personal' | 'environment' | 'active_defence' | 'special' | 'operation' | 'mechanism' | 'other';

export interface Named {
  name: string;
  n: number;
}

export interface Report {
  from: string;
  to: string;
  utc_offset_minutes: number;
  days: string[];
  dimensions: { id: Dimension; per_day: number[]; total: number }[];
  events: {
    per_day: number[];
    total: number;
    by_zone: Named[];
    by_kind: { kind: string; dimension: Dimension; n: number }[];
  };
  alarms: {
    per_day: number[];
    total: number;
    acknowledged: number;
    ack_median_s_per_day: (number | null)[];
    by_zone: Named[];
    by_kind: Named[];
    by_level: Named[];
  };
}

export type StatisticsPage = { ready: true; statistics: Report } | { ready: false; replay: { read: number; of: number } };

/** `GET /api/v1/alarms/kpis` (the part shown). */
export interface Duration {
  n: number;
  median_s: number | null;
  p90_s: number | null;
}

export interface KpiGroup {
  alarms: number;
  acknowledge: Duration;
  close: Duration;
}

export interface Kpis {
  kpis: { alarms: number; by_level: Partial<Record<Level, KpiGroup>>; by_zone: Record<string, KpiGroup> };
}

/** `GET /api/v1/people/stats`, `/people/visitors`, `/vehicles/present`, `/vehicles/violations`. */
export interface InOut {
  in: number;
  out: number;
}

export type PeopleStats =
  | { ready: true; totals: Record<string, InOut>; zones: ({ zone: string; category: string } & InOut)[] }
  | { ready: false };

export interface Visitor {
  person_id: string;
  name: string | null;
  gate: string;
  zone: string;
  since: string;
  minutes: number;
  overdue: boolean;
}

export type Visitors = { ready: true; limit_s: number; present: Visitor[] } | { ready: false };

export interface Vehicle {
  plate: string;
  plate_color: string | null;
  category: string;
  gate: string;
  zone: string;
  since: string;
  minutes: number;
  overstay: boolean;
}

export interface VehiclesPresent {
  present: Vehicle[];
}

/** `GET /api/v1/health` (the part shown). */
export interface DriverHealth {
  name: string;
  version: string;
  contract: string;
  state: 'running' | 'restarting' | 'quarantined';
  crashes: number;
  last_trap: string | null;
  quarantined_devices: string[];
  families: string[];
}

export interface Health {
  status: string;
  version: string;
  site: string;
  site_name: string;
  uptime_s: number;
  bus: { bytes: number; first_seq: number; next_seq: number; write_error: string | null; write_failures: number };
  drivers: DriverHealth[];
  driver_load_failures: { path: string; error: string }[];
}

export interface Northbound {
  connected: boolean;
  commands_ready: boolean;
  cursor: number;
  lag_events: number;
  lag_seconds: number;
  published: number;
  reconnects: number;
  last_error: string | null;
}

export interface Violations {
  violations: HubEvent[];
  next_after: number | null;
}
