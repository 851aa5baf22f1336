// The devices of the person's zones (the hub narrows the list), by zone, the
// ones that need looking at first, with how many of each family are up, and
// the commands the person's role may give them.

import { Commands } from './commands';
import * as api from './api';
import { formatTime, useI18n } from './i18n';
import { usePolled } from './polled';
import { mayCommand, permission } from './roles';
import type { CommandSpec, Device, Driver, Me, Online } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

/** Link states change without a stream here: this often is enough to notice. */
const POLL_MS = 15_000;

const load = (): Promise<[Device[], Driver[]]> =>
  Promise.all([api.devices(), api.drivers()]).then(([d, r]) => [d.devices, r.drivers]);

const needsLooking = (d: Device): boolean => d.state !== 'online' || d.problem !== null;

interface Group {
  zone: string;
  name: string;
  devices: Device[];
}

/** Zones by name, a zone with a device down first; within one, the devices down first. */
function groups(devices: Device[], names: ZoneNames, lang: string): Group[] {
  const byZone = new Map<string, Device[]>();
  for (const d of devices) byZone.set(d.zone, [...(byZone.get(d.zone) ?? []), d]);
  // 0 sorts before 1: what needs looking at comes first.
  const rank = (ds: Device[]): number => (ds.some(needsLooking) ? 0 : 1);
  return [...byZone.entries()]
    .map(([zone, ds]) => ({
      zone,
      name: zoneName(names, zone),
      devices: ds.sort((a, b) => rank([a]) - rank([b]) || a.id.localeCompare(b.id)),
    }))
    .sort((a, b) => rank(a.devices) - rank(b.devices) || a.name.localeCompare(b.name, lang));
}

export function Devices({ me, names }: { me: Me; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const polled = usePolled(load, POLL_MS);
  const commands = new Map((polled.data?.[1] ?? []).map((d) => [d.name, d.command_specs]));
  const allowed = (driver: string): CommandSpec[] =>
    (commands.get(driver) ?? []).filter((c) => mayCommand(me.role, c.name));

  return (
    <section class="view devices" aria-labelledby="devices-heading">
      <ViewHead id="devices-heading" heading={t.devices} polled={polled} />
      {polled.data !== null && polled.data[0].length === 0 && <p class="empty">{t.noDevices}</p>}
      {polled.data !== null && polled.data[0].length > 0 && (
        <>
          <FamilyCounts devices={polled.data[0]} />
          {permission(me.role) === 'none' && <p class="view-only">{t.devicesViewOnly}</p>}
          {groups(polled.data[0], names, lang).map((g) => (
            // Headings, not regions: a zone named like a view must not be taken for it.
            <div key={g.zone} class="zone-group">
              <h3>{g.name}</h3>
              <ul class="device-list">
                {g.devices.map((d) => (
                  <DeviceCard key={d.id} device={d} commands={allowed(d.driver)} />
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

const STATES: Online[] = ['online', 'offline', 'unknown'];

/** How many of each family are in each link state; a device of several families counts in each. */
function FamilyCounts({ devices }: { devices: Device[] }) {
  const { t } = useI18n();
  const counts = new Map<string, Record<Online, number>>();
  for (const d of devices) {
    for (const f of d.families.length === 0 ? [d.driver] : d.families) {
      const c = counts.get(f) ?? { online: 0, offline: 0, unknown: 0 };
      c[d.state] += 1;
      counts.set(f, c);
    }
  }
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  return (
    <table class="family-counts" data-testid="family-counts">
      <caption>{t.byFamily}</caption>
      <thead>
        <tr>
          <th scope="col">{t.family}</th>
          {STATES.map((s) => (
            <th key={s} scope="col">
              {t.online[s]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([family, c]) => (
          <tr key={family}>
            <th scope="row">
              <code>{family}</code>
            </th>
            {STATES.map((s) => (
              <td key={s} class={s !== 'online' && c[s] > 0 ? 'down' : undefined}>
                {c[s]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeviceCard({ device: d, commands }: { device: Device; commands: CommandSpec[] }) {
  const { t, lang } = useI18n();
  const f = t.deviceField;
  const rows: [string, string | null, boolean][] = [
    [f.problem, d.problem, true],
    [f.lastError, d.last_error, true],
    [f.driver, d.driver, false],
    [f.address, d.address, false],
    [f.profile, d.profile, false],
    [f.lastSeen, d.last_seen === null ? null : formatTime(d.last_seen, lang), false],
  ];
  return (
    <li
      class={needsLooking(d) ? 'device down' : 'device'}
      data-testid="device"
      data-device-id={d.id}
    >
      <div class="device-head">
        <h4>{d.name ?? d.id}</h4>
        {d.name !== null && <code class="device-id">{d.id}</code>}
        <span class={`link ${d.state}`}>{t.online[d.state]}</span>
      </div>
      <dl class="fields">
        {rows
          .filter(([, v]) => v !== null)
          .map(([k, v, bad]) => (
            <div key={k} class={bad ? 'pending' : undefined}>
              <dt>{k}</dt>
              {/* Drivers and the hub write these in English. */}
              <dd lang={bad ? 'en' : undefined}>{v}</dd>
            </div>
          ))}
      </dl>
      {commands.length > 0 && <Commands device={d.id} specs={commands} />}
    </li>
  );
}
