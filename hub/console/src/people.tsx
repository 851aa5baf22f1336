// People and vehicles: head counts by zone and category, the visitors on
// campus (overdue first), the cars on campus (overstaying first), and the
// traffic violations with their plate and scene pictures.

import * as api from './api';
import { useDeviceName } from './devicenames';
import { formatTime, useI18n } from './i18n';
import { usePolled } from './polled';
import type { PeopleStats, VehiclesPresent, Violations, Visitors } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

const POLL_MS = 10_000;

type Loaded = [PeopleStats, Visitors, VehiclesPresent, Violations];

const load = (): Promise<Loaded> =>
  Promise.all([api.peopleStats(), api.visitors(), api.vehiclesPresent(), api.violations()]);

export function People({ names }: { names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.people;
  const polled = usePolled(load, POLL_MS);
  const [stats, visitors, vehicles, violations] = polled.data ?? [null, null, null, null];
  return (
    <section class="view people" aria-labelledby="people-heading">
      <ViewHead id="people-heading" heading={w.heading} polled={polled} />
      {stats !== null && <HeadCounts stats={stats} names={names} />}
      {visitors !== null && <VisitorTable visitors={visitors} names={names} />}
      {vehicles !== null && <VehicleTable vehicles={vehicles} names={names} />}
      {violations !== null && <ViolationList page={violations} names={names} />}
    </section>
  );
}

const category = (cats: Record<string, string>, c: string): string => cats[c] ?? c;

function HeadCounts({ stats, names }: { stats: PeopleStats; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const w = t.v.people;
  if (!stats.ready) return <p role="status">{w.notReady}</p>;
  const cats = Object.keys(stats.totals).sort();
  const zones = [...new Set(stats.zones.map((z) => z.zone))].sort((a, b) => zoneName(names, a).localeCompare(zoneName(names, b), lang));
  const cell = (zone: string, c: string): number => stats.zones.find((z) => z.zone === zone && z.category === c)?.in ?? 0;
  return (
    <table class="head-counts" data-testid="head-counts">
      <caption>{w.headCounts}</caption>
      <thead>
        <tr>
          <th scope="col">{w.zone}</th>
          {cats.map((c) => (
            <th key={c} scope="col">
              {category(w.categories, c)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {zones.map((z) => (
          <tr key={z}>
            <th scope="row">{zoneName(names, z)}</th>
            {cats.map((c) => (
              <td key={c}>{cell(z, c)}</td>
            ))}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{w.inside}</th>
          {cats.map((c) => (
            <td key={c}>
              <strong>{stats.totals[c]?.in ?? 0}</strong>
            </td>
          ))}
        </tr>
      </tfoot>
    </table>
  );
}

function VisitorTable({ visitors, names }: { visitors: Visitors; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.people;
  if (!visitors.ready) return null;
  const rows = [...visitors.present].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.since.localeCompare(b.since));
  return (
    <table class="visitors" data-testid="visitors">
      <caption>{w.visitors}</caption>
      <thead>
        <tr>
          <th scope="col">{w.name}</th>
          <th scope="col">{w.since}</th>
          <th scope="col">{w.gate}</th>
          <th scope="col">{w.overdue}</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={4} class="empty">
              {w.noVisitors}
            </td>
          </tr>
        )}
        {rows.map((v) => (
          <tr key={v.person_id} class={v.overdue ? 'overdue' : undefined}>
            <td>{v.name ?? v.person_id}</td>
            <td>{formatTime(v.since, lang)}</td>
            <td>
              {deviceName(v.gate)} · {zoneName(names, v.zone)}
            </td>
            <td>{v.overdue ? <strong>{w.overdue}</strong> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VehicleTable({ vehicles, names }: { vehicles: VehiclesPresent; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.people;
  const rows = [...vehicles.present].sort((a, b) => Number(b.overstay) - Number(a.overstay) || a.since.localeCompare(b.since));
  return (
    <table class="vehicles" data-testid="vehicles">
      <caption>{w.vehicles}</caption>
      <thead>
        <tr>
          <th scope="col">{w.plate}</th>
          <th scope="col">{w.category}</th>
          <th scope="col">{w.since}</th>
          <th scope="col">{w.gate}</th>
          <th scope="col">{w.overstay}</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={5} class="empty">
              {w.noVehicles}
            </td>
          </tr>
        )}
        {rows.map((v) => (
          <tr key={v.plate} class={v.overstay ? 'overdue' : undefined}>
            <td>
              <span class={`plate plate-${v.plate_color ?? 'unknown'}`}>{v.plate}</span>
            </td>
            <td>{category(w.categories, v.category)}</td>
            <td>{formatTime(v.since, lang)}</td>
            <td>
              {deviceName(v.gate)} · {zoneName(names, v.zone)}
            </td>
            <td>{v.overstay ? <strong>{w.overstay}</strong> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ViolationList({ page, names }: { page: Violations; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.people;
  const rows = [...page.violations].reverse();
  return (
    <section class="violations" aria-labelledby="violations-heading">
      <h3 id="violations-heading">{w.violations}</h3>
      {rows.length === 0 && <p class="empty">{w.noViolations}</p>}
      <ul class="violation-list">
        {rows.map((e) => {
          const plate = String(e.attrs.plate ?? '');
          const reason = String(e.attrs.reason ?? '');
          const speed = typeof e.attrs.speed_kmh === 'number' ? e.attrs.speed_kmh : null;
          const limit = typeof e.attrs.limit_kmh === 'number' ? e.attrs.limit_kmh : null;
          return (
            <li key={e.seq} class="violation" data-testid="violation">
              <div class="pictures">
                {e.media.map((m) => (
                  <img key={m.hash} src={api.mediaUrl(m.hash)} alt={`${w.scene(plate)} · ${t.pictureRoles[m.role] ?? m.role}`} loading="lazy" />
                ))}
              </div>
              <div>
                <span class={`plate plate-${String(e.attrs.plate_color ?? 'unknown')}`}>{plate}</span>{' '}
                <strong>{w.reasons[reason] ?? reason}</strong>
                {speed !== null && ` · ${w.speed(speed, limit)}`}
                <br />
                <small>
                  {formatTime(e.time, lang)} · {e.device === null ? '' : deviceName(e.device)} · {zoneName(names, e.zone)}
                </small>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
