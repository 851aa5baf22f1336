// The dual-prevention program's JSON, as the hub answers it
// (hub/src/program: point_json, Hazard::to_json, Task, Round, Missed,
// UnitScore; hub/src/api/risks.rs and hazards.rs).

import type { MediaRef } from './types';

/** The four levels of a risk point (重大 … 低风险). */
export type RiskLevel = 'red' | 'orange' | 'yellow' | 'blue';
export type HazardLevel = 'general' | 'major';
export type HazardState = 'reported' | 'notified' | 'rectifying' | 'submitted' | 'closed' | 'cancelled';
export type Frequency = 'daily' | 'weekly' | 'monthly' | 'term';
export type MeasureKind = 'engineering' | 'management' | 'training' | 'ppe' | 'emergency';

export type Assessment = { method: 'lec'; l: number; e: number; c: number } | { method: 'matrix'; l: number; s: number };

export interface HazardSource {
  name: string;
  category: string;
  consequence?: string | null;
}

export interface Measure {
  kind: MeasureKind;
  text: string;
  person?: string | null;
  unit?: string | null;
}

/** `GET /api/v1/risks/points`: one point of the register. */
export interface RiskPoint {
  id: string;
  name: string;
  /** Zone path. */
  zone: string;
  /** The unit that answers for it (the point's, else the zone's). */
  unit: string | null;
  sources: HazardSource[];
  assessment: Assessment | null;
  measures: Measure[];
  devices: string[];
  review_every_days?: number | null;
  /** `null` until assessed. The hub may also say `info` of a level it never gives a point. */
  level: RiskLevel | null;
  score: number | null;
  reviewed_ms: number;
  review_due_ms: number;
  /** RFC 3339 of `review_due_ms`. */
  review_due: string;
  /** The review is past due, by the hub's clock. */
  review_overdue: boolean;
  reviewed: string;
  saved_by: string | null;
}

export interface PointList {
  points: RiskPoint[];
}

/** `GET /api/v1/lists`. */
export interface ListInfo {
  id: string;
  name: string;
  holds: string;
  importable: boolean;
}

export interface ListIndex {
  lists: ListInfo[];
}

/** `POST /api/v1/lists/{list}`. */
export interface Imported {
  list: string;
  saved: string[];
}

/** A 重大 hazard's treatment plan (第十八条). */
export interface Plan {
  goal: string;
  measures: string;
  funds: string;
  people: string;
  /** `YYYY-MM-DD`. */
  deadline: string;
  safety: string;
}

export interface HazardStep {
  seq: number;
  time_ms: number;
  /** `hazard.opened`, `hazard.notified`, … `hazard.overdue`. */
  kind: string;
  actor: string | null;
  note: string | null;
  media: MediaRef[];
}

/** `GET /api/v1/hazards/{id}` and each of `GET /api/v1/hazards`. */
export interface Hazard {
  id: string;
  zone: string;
  point: string | null;
  origin: 'person' | 'rule';
  rule: string | null;
  condition: string | null;
  condition_active: boolean;
  source: string;
  category: string;
  level: HazardLevel;
  description: string;
  unit: string | null;
  person: string | null;
  deadline_ms: number | null;
  /** RFC 3339, when there is a deadline. */
  deadline?: string;
  plan: Plan | null;
  state: HazardState;
  state_name: string;
  found_by_office: boolean;
  evidence: number[];
  /** The task and period it was found on. */
  round: [string, string] | null;
  opened_ms: number;
  opened: string;
  closed_ms: number | null;
  submitted_ms: number | null;
  notified_ms: number | null;
  progress_ms: number | null;
  escalated: number;
  steps: HazardStep[];
  /** In notice or rectification and past the deadline. */
  overdue: boolean;
  /** Past the deadline, or submitted after it. */
  late: boolean;
}

export interface HazardList {
  hazards: Hazard[];
  /** Of every hazard the caller sees, whatever the filter. */
  open: number;
  overdue: number;
}

export type Which = 'open' | 'closed' | 'all';

export interface HazardFilter {
  state: Which;
  overdue: boolean;
  origin: '' | 'person' | 'rule';
  unit: string;
}

export interface Period {
  key: string;
  start_ms: number;
  end_ms: number;
}

/** `GET /api/v1/inspections`: a task with its current period and round. */
export interface Task {
  id: string;
  point: string;
  point_name: string | null;
  zone: string;
  name: string;
  checklist: string[];
  every: Frequency;
  unit: string | null;
  from_ms: number;
  saved_by: string | null;
  /** `null`: a term task outside every term. */
  period: Period | null;
  /** The id of this period's round, `null` while it is owed. */
  done: string | null;
}

export interface ItemResult {
  item: string;
  ok: boolean;
  note?: string | null;
}

export interface Round {
  id: string;
  task: string;
  period: string;
  zone: string;
  by: string | null;
  time_ms: number;
  items: ItemResult[];
  hazards: string[];
  media: MediaRef[];
}

export interface Missed {
  task: string;
  period: string;
  zone: string;
  unit: string | null;
  due_ms: number;
  seq: number;
}

export interface Inspections {
  tasks: Task[];
  rounds: Round[];
  missed: Missed[];
}

/** A picture as the hub takes it: `image/jpeg`, `image/png` or `image/webp`, base64. */
export interface Photo {
  content_type: string;
  data: string;
}

/** `POST /api/v1/inspections/rounds`. */
export interface RoundInput {
  task: string;
  client_id: string;
  items: ItemResult[];
  hazards: { item: string; description: string; level?: HazardLevel; category?: string }[];
  photos: Photo[];
  /** When it was done (the outbox may send it later): the round counts for that day. */
  done_ms?: number;
}

/** `POST /api/v1/hazards`. */
export interface ReportInput {
  zone: string;
  description: string;
  level: HazardLevel;
  category?: string;
  client_id: string;
  photos: Photo[];
}

/** The body of a step of the loop (`StepBody`): each step reads its own fields. */
export interface StepBody {
  note?: string;
  reason?: string;
  unit?: string;
  person?: string;
  deadline?: string;
  plan?: Plan;
  photos?: Photo[];
}

export type StepName = 'fix' | 'notice' | 'plan' | 'start' | 'progress' | 'submit' | 'accept' | 'reject' | 'cancel';

export interface Deduction {
  article: string;
  points: number;
  cause: string;
  links: string[];
  entered: boolean;
}

export interface UnitScore {
  unit: string;
  name: string;
  term: string;
  score: number;
  deductions: Deduction[];
}

/** `GET /api/v1/assessment`. */
export interface AssessmentPage {
  term: string;
  units: UnitScore[];
}

/** A term of the program (`[[program.terms]]`), `YYYY-MM-DD` to `YYYY-MM-DD`. */
export interface Term {
  id: string;
  name: string;
  from: string;
  to: string;
}

/** A unit (院系、部门) of the site, as the hub names it. */
export interface Unit {
  id: string;
  name: string;
  parent: string | null;
  zones: string[];
}

/** `GET /api/v1/program`: what the program's pages fill their forms with. */
export interface ProgramSettings {
  /** Category code → its name (中文). */
  categories: Record<string, string>;
  lec_bands: { red: number; orange: number; yellow: number };
  matrix_bands: Record<string, number>;
  deadline_days: { general: number; major: number };
  office_unit: string;
  terms: Term[];
  /** The term holding today, or null. */
  term: string | null;
  units: Unit[];
  you: {
    unit: string | null;
    /** The units the caller answers for: their own and those below it. */
    units: string[];
    /** Of the program office (领导小组办公室). */
    office: boolean;
  };
}

/** `GET /api/v1/program/figures` (hub/src/program/figures.rs): the last `weeks` weeks. */
export interface ProgramFigures {
  /** Oldest first, this week last; `week` as `2026-W49`. */
  weeks: { week: string; found: number; closed: number }[];
  /** Hours from opening to closing of the hazards closed in those weeks. */
  time_to_close: { closed: number; median_h: number | null; p90_h: number | null };
  /** Units with open hazards, most overdue first; `unit` is `-` for hazards with none yet. */
  by_unit: { unit: string; open: number; overdue: number; overdue_share: number }[];
  points_by_level: Partial<Record<RiskLevel | 'none', number>>;
}
