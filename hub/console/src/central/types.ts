// The command centre's JSON, as `twinwall central` answers it
// (hub/src/central/api.rs). Its alarms and events are the hubs' own,
// with the campus they come from.

import type { Alarm, HubEvent } from '../types';

/** `GET /api/v1/central/hello`, the one call that needs no token. */
export interface Hello {
  central: true;
  id: string;
  name: string;
}

/** One campus of `GET /api/v1/central`. */
export interface SiteSummary {
  site: string;
  name: string;
  stream: string;
  /** Whether the centre is reading the campus's stream now. */
  connected: boolean;
  events: number;
  last_seq: number | null;
  last_time: string | null;
  alarms_open: number;
  devices: number;
  devices_offline: number;
}

export interface CentralSummary {
  id: string;
  name: string;
  sites: SiteSummary[];
}

/** An alarm of `GET /api/v1/alarms`: the hub's, with its campus. */
export interface SiteAlarm extends Alarm {
  site: string;
  site_name: string;
}

export interface SiteAlarmList {
  alarms: SiteAlarm[];
}

/** `GET /api/v1/devices`: what the campus's log says of each device. */
export interface SiteDevice {
  site: string;
  site_name: string;
  id: string;
  zone: string;
  /** null: the log has not said yet. */
  online: boolean | null;
  since: string | null;
}

export interface SiteDeviceList {
  devices: SiteDevice[];
}

/** An event of `GET /api/v1/events` (the part shown). */
export type SiteEvent = Pick<HubEvent, 'seq' | 'time' | 'site' | 'zone' | 'device' | 'kind' | 'level' | 'phase' | 'message'>;

export interface SiteEventList {
  events: SiteEvent[];
  /** Campuses whose log held more than one answer reads. */
  scan_budget_reached?: string[];
}
