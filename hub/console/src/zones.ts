// Zone paths (`campus/chem-north`) are the hub's keys; people know zones by
// name (化学北楼). The console never shows a path when it knows the name.

import * as api from './api';

export type ZoneNames = ReadonlyMap<string, string>;

export const NO_ZONE_NAMES: ZoneNames = new Map();

/** Path → name, from the hub. A hub that cannot say leaves the fallback below. */
export async function loadZoneNames(): Promise<ZoneNames> {
  try {
    const { zones } = await api.zones();
    return new Map(zones.map((z) => [z.path, z.name]));
  } catch {
    return NO_ZONE_NAMES;
  }
}

/** The zone's name, else the last part of its path (the most specific). */
export function zoneName(names: ZoneNames, path: string): string {
  return names.get(path) ?? path.slice(path.lastIndexOf('/') + 1);
}
