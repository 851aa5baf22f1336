// The program's calls (hub/src/api/routes.rs `program`): the register and
// its lists, inspections, hazards and their loop, the assessment. Rounds
// and reports go through the outbox (outbox.ts), which calls `send` below.

import { request } from './api';
import type {
  AssessmentPage,
  Hazard,
  HazardFilter,
  HazardList,
  Imported,
  Inspections,
  ListIndex,
  PointList,
  ProgramFigures,
  ProgramSettings,
  RiskPoint,
  StepBody,
  StepName,
} from './programtypes';

/** The program's settings: categories, terms, units, and which units the caller answers for. */
export function settings(): Promise<ProgramSettings> {
  return request<ProgramSettings>('GET', '/api/v1/program');
}

export function points(): Promise<PointList> {
  return request<PointList>('GET', '/api/v1/risks/points');
}

/** Records a point's yearly review (safety); the answer is the point with its next review. */
export function reviewPoint(id: string): Promise<RiskPoint> {
  return request<RiskPoint>('POST', `/api/v1/risks/points/${encodeURIComponent(id)}/review`, {});
}

export function lists(): Promise<ListIndex> {
  return request<ListIndex>('GET', '/api/v1/lists');
}

/**
 * Where a list downloads as `format`. The session cookie goes with a plain
 * link (GET needs no CSRF token), and the hub names the file.
 */
export function listUrl(list: string, format: 'xlsx' | 'csv'): string {
  return `/api/v1/lists/${encodeURIComponent(list)}?format=${format}`;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Imports a spreadsheet into `list`: all rows or none; a 400 names each row and column at fault. */
export function importList(list: string, file: Blob): Promise<Imported> {
  const name = file instanceof File ? file.name.toLowerCase() : '';
  const type = name.endsWith('.csv') ? 'text/csv' : name.endsWith('.xlsx') ? XLSX : file.type || 'application/octet-stream';
  return request<Imported>('POST', `/api/v1/lists/${encodeURIComponent(list)}`, { raw: file, type });
}

export function inspections(): Promise<Inspections> {
  return request<Inspections>('GET', '/api/v1/inspections');
}

export function hazards(f: HazardFilter): Promise<HazardList> {
  const q = new URLSearchParams({ state: f.state });
  if (f.overdue) q.set('overdue', 'true');
  if (f.origin !== '') q.set('origin', f.origin);
  if (f.unit !== '') q.set('unit', f.unit);
  return request<HazardList>('GET', `/api/v1/hazards?${q.toString()}`);
}

/** Takes a step of the loop; the answer is the hazard as it now stands. */
export function step(id: string, name: StepName, body: StepBody): Promise<Hazard> {
  return request<Hazard>('POST', `/api/v1/hazards/${encodeURIComponent(id)}/${name}`, body);
}

/** The scores of `term` (null: the hub's current term). */
export function assessment(term: string | null): Promise<AssessmentPage> {
  const q = term === null || term === '' ? '' : `?${new URLSearchParams({ term }).toString()}`;
  return request<AssessmentPage>('GET', `/api/v1/assessment${q}`);
}

export function assessmentXlsxUrl(term: string): string {
  return `/api/v1/assessment?${new URLSearchParams({ term, format: 'xlsx' }).toString()}`;
}

/** The command centre's figures of the last `weeks` weeks; 404 while the program is not running. */
export function figures(weeks: number): Promise<ProgramFigures> {
  return request<ProgramFigures>('GET', `/api/v1/program/figures?weeks=${weeks}`);
}

/** A waiting round or report, sent as the outbox keeps it. */
export function send(path: string, body: object): Promise<unknown> {
  return request<unknown>('POST', path, body);
}

export const ROUNDS = '/api/v1/inspections/rounds';
export const REPORTS = '/api/v1/hazards';
