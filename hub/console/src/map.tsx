// The campus map: the site's plan (or a zone's own, for a building's floors)
// drawn by Leaflet in plan units (CRS.Simple), each zone's outline filled
// with its standing risk colour (四色图) and flashing while it has an alarm
// on the wall, each device a pin coloured by its link. A pin opens the
// device's state and last events; the zone tree beside it shows a zone. An
// admin moves pins (dragged, or typed in a device's details): the hub keeps
// the places.

import * as L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as api from './api';
import { useDeviceName } from './devicenames';
import { formatTime, kindName, useI18n } from './i18n';
import type { WallAlarm } from './live';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import { mayBroadcast } from './roles';
import type { CampusMap, Device, HubEvent, Level, MapArea, MapPlace, Me, PlanInfo, Zone } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

/** Zones and pins change with the config and the links: this often is enough. */
const POLL_MS = 15_000;

type Risk = 'red' | 'orange' | 'yellow' | 'blue';

const RISK_COLOURS: Record<Risk | 'none', string> = {
  red: '#d7191c',
  orange: '#f07c00',
  yellow: '#f2c300',
  blue: '#2c7bb6',
  none: '#9aa5b1',
};

export const asRisk = (r: string | null): Risk | 'none' =>
  r === 'red' || r === 'orange' || r === 'yellow' || r === 'blue' ? r : 'none';

/** What a plan map is drawn from (the register's four-colour map gives it no devices). */
export interface Loaded {
  map: CampusMap;
  zones: Zone[];
  devices: Device[];
}

const load = (): Promise<Loaded> =>
  Promise.all([api.campusMap(), api.zones(), api.devices()]).then(([map, z, d]) => ({
    map,
    zones: z.zones,
    devices: d.devices,
  }));

/** A plan's key: the zone it belongs to, `''` for the site's. */
const planKey = (p: PlanInfo): string => p.zone ?? '';
const onKey = (on: string | null): string => on ?? '';

/** Plan `[x, y]` (y down, as pictures are) to Leaflet's `[lat, lng]` (y up). */
const toLatLng = (plan: PlanInfo, [x, y]: [number, number]): L.LatLngTuple => [plan.height - y, x];

/** Leaflet's `[lat, lng]` back to plan `[x, y]`, onto the plan, to a tenth of a unit. */
function toPlan(plan: PlanInfo, ll: L.LatLng): [number, number] {
  const clamp = (v: number, max: number): number => Math.round(Math.min(Math.max(v, 0), max) * 10) / 10;
  return [clamp(ll.lng, plan.width), clamp(plan.height - ll.lat, plan.height)];
}

/** The middle of a zone's outline on `plan`, or of the plan: where a device without a place is put first. */
function middle(plan: PlanInfo, areas: MapArea[], zone: string): [number, number] {
  const a = areas.find((x) => x.zone === zone && onKey(x.on) === planKey(plan));
  if (a === undefined || a.points.length === 0) return [plan.width / 2, plan.height / 2];
  const n = a.points.length;
  return [a.points.reduce((s, p) => s + p[0], 0) / n, a.points.reduce((s, p) => s + p[1], 0) / n];
}

const RANK: Record<Level, number> = { info: 0, blue: 1, yellow: 2, orange: 3, red: 4 };

/** Alarms on the wall per zone path, counting those of the zones below it, and the highest level among them. */
function alarmsByZone(areas: MapArea[], alarms: WallAlarm[]): { counts: Map<string, number>; tops: Map<string, Level> } {
  const counts = new Map<string, number>();
  const tops = new Map<string, Level>();
  for (const a of areas) {
    const here = alarms.filter((w) => w.alarm.zone === a.zone || w.alarm.zone.startsWith(`${a.zone}/`));
    counts.set(a.zone, here.length);
    const top = here.reduce<Level | null>((t, w) => (t === null || RANK[w.alarm.level] > RANK[t] ? w.alarm.level : t), null);
    if (top !== null) tops.set(a.zone, top);
  }
  return { counts, tops };
}

interface ViewProps {
  me: Me;
  names: ZoneNames;
  alarms: WallAlarm[];
  /** Open the broadcast view with this zone (an id) chosen. */
  onBroadcast: (zoneId: string) => void;
}

export function CampusMapView({ me, names, alarms, onBroadcast }: ViewProps) {
  const { t } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.map;
  const polled = usePolled(load, POLL_MS);
  const [planAt, setPlanAt] = useState<string>('');
  const [chosen, setChosen] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ zone: string; n: number } | null>(null);
  const [editing, setEditing] = useState(false);
  const [zoneChosen, setZoneChosen] = useState<string | null>(null);
  const [moved, setMoved] = useState<{ done: string | null; problem: api.ApiError | null }>({ done: null, problem: null });
  const admin = me.role === 'admin';

  const move = (device: string, at: [number, number]): void => {
    setMoved({ done: null, problem: null });
    api.placeDevice(device, at).then(
      () => {
        setMoved({ done: w.placed(device), problem: null });
        polled.reload();
      },
      (e: unknown) => {
        setMoved({ done: null, problem: api.asApiError(e) });
        // The pin goes back where the hub has it.
        polled.reload();
      },
    );
  };

  const data = polled.data;
  const plans = data?.map.plans ?? [];
  const plan = plans.find((p) => planKey(p) === planAt) ?? plans[0] ?? null;
  const { counts, tops } = useMemo(() => alarmsByZone(data?.map.areas ?? [], alarms), [data, alarms]);
  const unplaced = data === null ? 0 : data.devices.filter((d) => !data.map.devices.some((p) => p.device === d.id)).length;

  const showZone = (zone: string): void => {
    const area = data?.map.areas.find((a) => a.zone === zone);
    if (area !== undefined && plan !== null && onKey(area.on) !== planKey(plan)) setPlanAt(onKey(area.on));
    setFocus((f) => ({ zone, n: (f?.n ?? 0) + 1 }));
    setZoneChosen(zone);
    setChosen(null);
  };

  return (
    <section class="view map-view" aria-labelledby="map-heading">
      <ViewHead id="map-heading" heading={w.heading} polled={polled}>
        {plans.length > 1 && (
          <label class="inline">
            {w.plan}{' '}
            <select value={plan === null ? '' : planKey(plan)} onChange={(e) => setPlanAt(e.currentTarget.value)}>
              {plans.map((p) => (
                <option key={planKey(p)} value={planKey(p)}>
                  {p.zone === null ? w.plan : zoneName(names, data?.zones.find((z) => z.id === p.zone)?.path ?? p.zone)}
                </option>
              ))}
            </select>
          </label>
        )}
        {admin && plan !== null && (
          <button type="button" aria-pressed={editing} onClick={() => setEditing(!editing)}>
            {w.moveDevices}
          </button>
        )}
      </ViewHead>
      {editing && <p class="hint">{w.moveHint}</p>}
      {moved.problem !== null && <ProblemNote problem={moved.problem} />}
      {moved.done !== null && <p role="status">{moved.done}</p>}
      {data !== null && plan === null && <p class="empty">{w.noPlan}</p>}
      {data !== null && plan !== null && (
        <div class="map-panes">
          <ZoneList zones={data.zones} names={names} counts={counts} onShow={showZone} />
          <div class="map-main">
            <PlanMap
              plan={plan}
              data={data}
              names={names}
              counts={counts}
              tops={tops}
              focus={focus}
              editing={editing}
              onChoose={(d) => {
                setChosen(d);
                setZoneChosen(null);
              }}
              onChooseZone={(z) => {
                setZoneChosen(z);
                setChosen(null);
              }}
              onMove={move}
            />
            <Legend />
            {unplaced > 0 && <p class="hint">{w.notPlaced(unplaced)}</p>}
            {editing && data.map.unplaced.length > 0 && (
              <section aria-labelledby="unplaced-heading">
                <h3 id="unplaced-heading">{w.unplaced}</h3>
                <ul class="unplaced">
                  {data.map.unplaced.map((u) => (
                    <li key={u.device}>
                      <button
                        type="button"
                        onClick={() => move(u.device, middle(plans.find((p) => planKey(p) === onKey(u.on)) ?? plan, data.map.areas, u.zone))}
                      >
                        {w.putOnPlan(deviceName(u.device))}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </div>
          {zoneChosen !== null && chosen === null && (
            <ZonePanel
              zone={data.zones.find((z) => z.path === zoneChosen) ?? null}
              path={zoneChosen}
              names={names}
              alarms={counts.get(zoneChosen) ?? alarms.filter((a) => a.alarm.zone === zoneChosen || a.alarm.zone.startsWith(`${zoneChosen}/`)).length}
              devices={data.devices.filter((d) => d.zone === zoneChosen || d.zone.startsWith(`${zoneChosen}/`)).length}
              mayBroadcast={mayBroadcast(me.role)}
              onBroadcast={onBroadcast}
              onClose={() => setZoneChosen(null)}
            />
          )}
          {chosen !== null && (
            <DevicePanel
              device={data.devices.find((d) => d.id === chosen) ?? null}
              place={data.map.devices.find((p) => p.device === chosen) ?? null}
              id={chosen}
              names={names}
              editing={editing}
              onMove={move}
              onClose={() => setChosen(null)}
            />
          )}
        </div>
      )}
    </section>
  );
}

interface PlanProps {
  plan: PlanInfo;
  data: Loaded;
  names: ZoneNames;
  counts: Map<string, number>;
  /** The highest level of each zone's alarms: the colour it flashes in. */
  tops: Map<string, Level>;
  focus: { zone: string; n: number } | null;
  editing: boolean;
  onChoose: (device: string) => void;
  onChooseZone: (zone: string) => void;
  onMove: (device: string, at: [number, number]) => void;
  /** The map's accessible name; the plan's by default. */
  label?: string;
  testid?: string;
}

/** The Leaflet map; layers are drawn again when what they show changes (a few dozen at most). */
export function PlanMap({ plan, data, names, counts, tops, focus, editing, onChoose, onChooseZone, onMove, label, testid }: PlanProps) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.map;
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<L.LayerGroup | null>(null);
  /** Each drawn outline, with what its label says but the alarms. */
  const outlines = useRef(new Map<string, { poly: L.Polygon; label: string }>());
  const latest = useRef({ counts, tops });
  latest.current = { counts, tops };
  const choose = useRef(onChoose);
  choose.current = onChoose;
  const moveTo = useRef(onMove);
  moveTo.current = onMove;
  const chooseZone = useRef(onChooseZone);
  chooseZone.current = onChooseZone;

  const bounds = useMemo<L.LatLngBoundsExpression>(() => [[0, 0], [plan.height, plan.width]], [plan.width, plan.height]);

  // The map itself, once per plan: by its values, as each poll brings a new
  // object of the same plan, and a map made again would lose its layers
  // (drawn again only when `layerKey` changes).
  useEffect(() => {
    if (box.current === null) return undefined;
    const m = L.map(box.current, {
      crs: L.CRS.Simple,
      minZoom: -3,
      maxZoom: 3,
      zoomSnap: 0.25,
      attributionControl: false,
      // Leaflet's own control is named in English only.
      zoomControl: false,
      maxBounds: L.latLngBounds(bounds as L.LatLngBoundsLiteral).pad(0.25),
    });
    L.control.zoom({ zoomInTitle: w.zoomIn, zoomOutTitle: w.zoomOut }).addTo(m);
    L.imageOverlay(plan.url, bounds, { alt: w.plan }).addTo(m);
    m.fitBounds(bounds);
    layers.current = L.layerGroup().addTo(m);
    map.current = m;
    // The box narrows when a device's panel opens beside it: the whole plan stays in view.
    const resized = new ResizeObserver(() => {
      m.invalidateSize();
      m.fitBounds(bounds);
    });
    resized.observe(box.current);
    return () => {
      resized.disconnect();
      m.remove();
      map.current = null;
      layers.current = null;
    };
    // Made again when the language changes: the plan's alt text and the zoom buttons' names follow it.
  }, [plan.url, bounds, w]);

  /** Outlines in their alarm state: cheap, and done alone on every change of the wall. */
  const paint = ({ counts: c, tops: levels }: { counts: Map<string, number>; tops: Map<string, Level> }): void => {
    for (const [zone, { poly, label }] of outlines.current) {
      const n = c.get(zone) ?? 0;
      const top = levels.get(zone);
      poly.setStyle({ color: n > 0 ? RISK_COLOURS.red : '#39424c', weight: n > 0 ? 4 : 1.5 });
      poly.setTooltipContent(n > 0 ? `${label} · ${w.alarmHere(n)}` : label);
      const el = poly.getElement();
      el?.classList.toggle('alarm', n > 0);
      // Flashing between its standing colour and its worst alarm's.
      for (const l of ['red', 'orange', 'yellow', 'blue', 'info']) el?.classList.toggle(`alarm-${l}`, top === l);
      el?.setAttribute('data-alarms', String(n));
    }
  };

  // What the layers show, as text: a poll that brought the same map (every
  // 15 s) redraws nothing, so a drag, a focused pin or an open tooltip
  // outlives it and the wall's changes.
  const layerKey = useMemo(
    () =>
      JSON.stringify([
        planKey(plan),
        plan.url,
        plan.width,
        plan.height,
        data.map.areas,
        data.map.devices,
        data.devices.map((d) => [d.id, d.state]),
        data.zones.map((z) => [z.path, z.risk, zoneName(names, z.path)]),
        data.map.devices.map((p) => deviceName(p.device)),
        editing,
        lang,
      ]),
    [plan, data, names, deviceName, editing, lang],
  );

  // Zone outlines and device pins: drawn again only when what they are changes.
  useEffect(() => {
    const group = layers.current;
    if (group === null) return;
    group.clearLayers();
    outlines.current.clear();
    const zoneOf = new Map(data.zones.map((z) => [z.path, z]));
    for (const a of data.map.areas.filter((x) => onKey(x.on) === planKey(plan))) {
      const risk = asRisk(zoneOf.get(a.zone)?.risk ?? null);
      const poly = L.polygon(
        a.points.map((p) => toLatLng(plan, p)),
        { fillColor: RISK_COLOURS[risk], fillOpacity: 0.45, className: 'zone-area' },
      );
      const label = `${zoneName(names, a.zone)} · ${w.risk[risk]}`;
      poly.bindTooltip(label, { sticky: true });
      poly.on('click', () => chooseZone.current(a.zone));
      poly.addTo(group);
      const el = poly.getElement();
      if (el !== undefined) {
        el.setAttribute('data-zone', a.zone);
        el.setAttribute('data-risk', risk);
      }
      outlines.current.set(a.zone, { poly, label });
    }
    paint(latest.current);
    const state = new Map(data.devices.map((d) => [d.id, d.state]));
    for (const p of data.map.devices.filter((x) => onKey(x.on) === planKey(plan))) {
      const s = state.get(p.device) ?? 'unknown';
      const pin = L.marker(toLatLng(plan, p.at), {
        icon: L.divIcon({ className: `device-pin ${s}`, iconSize: [16, 16] }),
        keyboard: true,
        draggable: editing,
        title: `${deviceName(p.device)} · ${w.state[s]}`,
      });
      pin.on('click', () => choose.current(p.device));
      pin.on('dragend', () => moveTo.current(p.device, toPlan(plan, pin.getLatLng())));
      pin.addTo(group);
      const el = pin.getElement();
      if (el !== undefined) {
        el.setAttribute('aria-label', w.device(deviceName(p.device)));
        el.setAttribute('data-device-id', p.device);
        el.setAttribute('role', 'button');
      }
    }
    // The key says everything the layers are drawn from.
  }, [layerKey]);

  useEffect(() => paint({ counts, tops }), [counts, tops]);

  // A zone chosen from the tree: fit it, and outline it for a moment.
  useEffect(() => {
    if (focus === null) return undefined;
    const poly = outlines.current.get(focus.zone)?.poly;
    if (poly === undefined || map.current === null) return undefined;
    map.current.fitBounds(poly.getBounds(), { maxZoom: 1, padding: [24, 24] });
    const el = poly.getElement();
    el?.classList.add('focused');
    const timer = window.setTimeout(() => el?.classList.remove('focused'), 2500);
    return () => window.clearTimeout(timer);
  }, [focus]);

  return <div class="plan" ref={box} role="region" aria-label={label ?? w.plan} data-testid={testid ?? 'plan'} />;
}

function Legend() {
  const { t } = useI18n();
  const w = t.v.map;
  const risks: (Risk | 'none')[] = ['red', 'orange', 'yellow', 'blue', 'none'];
  return (
    <ul class="risk-legend" aria-label={w.legend}>
      {risks.map((r) => (
        <li key={r}>
          <span class={`swatch risk-${r}`} aria-hidden="true" />
          {w.risk[r]}
        </li>
      ))}
    </ul>
  );
}

/** The zones as the config nests them, each a button that shows it on the map. */
function ZoneList({
  zones,
  names,
  counts,
  onShow,
}: {
  zones: Zone[];
  names: ZoneNames;
  counts: Map<string, number>;
  onShow: (zone: string) => void;
}) {
  const { t } = useI18n();
  const w = t.v.map;
  const below = (parent: string | null): Zone[] => zones.filter((z) => z.parent === parent);
  const known = new Set(zones.map((z) => z.id));
  const roots = zones.filter((z) => z.parent === null || !known.has(z.parent));
  const item = (z: Zone) => {
    const risk = asRisk(z.risk);
    const n = counts.get(z.path) ?? 0;
    const kids = below(z.id);
    const name = zoneName(names, z.path);
    return (
      <li key={z.id}>
        <button type="button" class={n > 0 ? 'zone-button alarm' : 'zone-button'} aria-label={w.showZone(name)} onClick={() => onShow(z.path)}>
          <span class={`swatch risk-${risk}`} aria-hidden="true" />
          <span>{name}</span>
          {n > 0 && <span class="badge">{w.alarmHere(n)}</span>}
        </button>
        {kids.length > 0 && <ul>{kids.map(item)}</ul>}
      </li>
    );
  };
  return (
    <nav class="zone-list" aria-label={w.zonesTree}>
      <h3>{w.zonesTree}</h3>
      <ul>{roots.map(item)}</ul>
    </nav>
  );
}

/** How many of a device's last events are shown. */
const LAST_EVENTS = 6;

interface PanelProps {
  device: Device | null;
  place: MapPlace | null;
  id: string;
  names: ZoneNames;
  editing: boolean;
  onMove: (device: string, at: [number, number]) => void;
  onClose: () => void;
}

function DevicePanel({ device, place, id, names, editing, onMove, onClose }: PanelProps) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.map;
  const f = t.deviceField;
  const [events, setEvents] = useState<HubEvent[] | null>(null);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  useEffect(() => {
    let gone = false;
    setEvents(null);
    setProblem(null);
    api.latestEvents({ device: id }, null, LAST_EVENTS).then(
      (events) => {
        if (!gone) setEvents(events.reverse());
      },
      (e: unknown) => {
        if (!gone) setProblem(api.asApiError(e));
      },
    );
    return () => {
      gone = true;
    };
  }, [id]);
  return (
    <aside class="device-panel" aria-labelledby="device-panel-heading" data-testid="device-panel">
      <div class="pane-head">
        <h3 id="device-panel-heading">{deviceName(id)}</h3>
        <button type="button" class="quiet" aria-label={w.closeDevice} onClick={onClose}>
          ×
        </button>
      </div>
      {device !== null && (
        <dl class="fields">
          <div>
            <dt>{t.field.zone}</dt>
            <dd>{zoneName(names, device.zone)}</dd>
          </div>
          <div class={device.state === 'online' ? undefined : 'pending'}>
            <dt>{f.lastSeen}</dt>
            <dd>
              <span class={`link ${device.state}`}>{w.state[device.state]}</span>
              {device.last_seen !== null && ` · ${formatTime(device.last_seen, lang)}`}
            </dd>
          </div>
          <div>
            <dt>{f.driver}</dt>
            <dd>{device.driver}</dd>
          </div>
          {device.problem !== null && (
            <div class="pending">
              <dt>{f.problem}</dt>
              <dd lang="en">{device.problem}</dd>
            </div>
          )}
        </dl>
      )}
      {editing && place !== null && <PlaceForm key={`${id}:${place.at.join(',')}`} place={place} onMove={onMove} />}
      <h4>{w.lastEvents}</h4>
      {problem !== null && <ProblemNote problem={problem} />}
      {events === null && problem === null && <p role="status">{t.loading}</p>}
      {events !== null && events.length === 0 && <p class="empty">{w.noEvents}</p>}
      {events !== null && events.length > 0 && (
        <ol class="event-list">
          {events.map((e) => (
            <li key={e.seq} class={`level-${e.level}`}>
              <time dateTime={e.time}>{formatTime(e.time, lang)}</time> <strong>{kindName(t, e.kind)}</strong>
              {e.message !== null && <span lang="en"> {e.message}</span>}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}

/** A device's place typed in: the way to move it without a mouse. */
function PlaceForm({ place, onMove }: { place: MapPlace; onMove: (device: string, at: [number, number]) => void }) {
  const { t } = useI18n();
  const w = t.v.map;
  const [x, setX] = useState(String(place.at[0]));
  const [y, setY] = useState(String(place.at[1]));
  return (
    <form
      class="place-form"
      onSubmit={(e) => {
        e.preventDefault();
        onMove(place.device, [Number(x), Number(y)]);
      }}
    >
      <label>
        {w.x} <input type="number" step="any" required value={x} onInput={(e) => setX(e.currentTarget.value)} />
      </label>
      <label>
        {w.y} <input type="number" step="any" required value={y} onInput={(e) => setY(e.currentTarget.value)} />
      </label>
      <button type="submit">{w.savePlace}</button>
    </form>
  );
}

interface ZonePanelProps {
  zone: Zone | null;
  path: string;
  names: ZoneNames;
  alarms: number;
  devices: number;
  mayBroadcast: boolean;
  onBroadcast: (zoneId: string) => void;
  onClose: () => void;
}

/** A zone chosen on the map or the tree: its colour, its alarms, and speaking to it. */
function ZonePanel({ zone, path, names, alarms, devices, mayBroadcast: may, onBroadcast, onClose }: ZonePanelProps) {
  const { t } = useI18n();
  const w = t.v.map;
  const name = zoneName(names, path);
  const risk = asRisk(zone?.risk ?? null);
  return (
    <aside class="device-panel" aria-labelledby="zone-panel-heading" data-testid="zone-panel">
      <div class="pane-head">
        <h3 id="zone-panel-heading">{name}</h3>
        <button type="button" class="quiet" aria-label={w.closeZone} onClick={onClose}>
          ×
        </button>
      </div>
      <dl class="fields">
        <div>
          <dt>{w.legend}</dt>
          <dd>
            <span class={`swatch risk-${risk}`} aria-hidden="true" /> {w.risk[risk]}
          </dd>
        </div>
        <div class={alarms > 0 ? 'pending' : undefined}>
          <dt>{t.wall}</dt>
          <dd>{w.alarmHere(alarms)}</dd>
        </div>
        <div>
          <dt>{t.devices}</dt>
          <dd>{devices}</dd>
        </div>
      </dl>
      {may && zone !== null && (
        <button type="button" class="primary" onClick={() => onBroadcast(zone.id)}>
          {w.broadcastHere(name)}
        </button>
      )}
    </aside>
  );
}
