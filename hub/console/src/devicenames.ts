// Device ids (`fp-chem-north`) are the hub's keys; people know devices by
// the names hub.toml gives them (化学北楼消防主机). Every view shows the
// name when there is one, the id otherwise.

import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import * as api from './api';

export type DeviceNames = ReadonlyMap<string, string>;

export const DeviceNamesContext = createContext<DeviceNames>(new Map());

/** Id → name, of the devices the person may see; null when the hub cannot say (keep what you had). */
export async function loadDeviceNames(): Promise<DeviceNames | null> {
  try {
    const { devices } = await api.devices();
    return new Map(devices.flatMap((d) => (d.name === null ? [] : [[d.id, d.name] as [string, string]])));
  } catch {
    return null;
  }
}

/** Whether two name tables say the same (a refresh that changed nothing re-renders nothing). */
export function sameNames(a: DeviceNames, b: DeviceNames): boolean {
  return a.size === b.size && [...a].every(([id, name]) => b.get(id) === name);
}

/** What to call a device: its name, else its id. */
export function useDeviceName(): (id: string) => string {
  const names = useContext(DeviceNamesContext);
  // The same function while the names stay: views that redraw on it do not redraw for nothing.
  return useMemo(() => (id: string) => names.get(id) ?? id, [names]);
}
