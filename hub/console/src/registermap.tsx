// The register's four-colour map (四色图): the campus map's plan (map.tsx's
// PlanMap) drawn small with the zones only, each in the colour the hub
// derives from the register, and beside it every zone as a button with its
// colour and where that colour comes from (its risk points, or hub.toml
// while none is assessed). Choosing a zone, on the plan or in the list,
// shows only its points (and those of the zones inside it) below.

import { useMemo, useState } from 'preact/hooks';
import * as api from './api';
import { useI18n } from './i18n';
import { asRisk, PlanMap, type Loaded } from './map';
import { usePolled } from './polled';
import type { CampusMap, Level, PlanInfo, Zone } from './types';
import { zoneName, type ZoneNames } from './zones';

/** A zone's colour follows the register, which changes by hand: this often is enough. */
const POLL_MS = 60_000;

const NO_COUNTS = new Map<string, number>();
const NO_TOPS = new Map<string, Level>();
const nothing = (): void => undefined;

interface Zoned {
  /** Null when the hub would not give the map: the list still shows the colours. */
  map: CampusMap | null;
  zones: Zone[];
}

const load = (): Promise<Zoned> =>
  Promise.all([api.campusMap().catch(() => null), api.zones()]).then(([map, z]) => ({ map, zones: z.zones }));

const planKey = (p: PlanInfo): string => p.zone ?? '';

/** Whether `point` lies in `zone` or a zone inside it (paths). */
export const inZone = (zone: string, point: string): boolean => point === zone || point.startsWith(`${zone}/`);

interface Props {
  names: ZoneNames;
  /** The zone path the register shows, or null for all. */
  chosen: string | null;
  onChoose: (zone: string | null) => void;
}

export function RegisterMap({ names, chosen, onChoose }: Props) {
  const { t } = useI18n();
  const w = t.v.program.zoneMap;
  const polled = usePolled(load, POLL_MS);
  const [planAt, setPlanAt] = useState('');
  const data = polled.data;
  // Devices are the campus map's business: only the zones are drawn here.
  const drawn = useMemo<Loaded | null>(
    () => (data?.map == null ? null : { map: { ...data.map, devices: [], unplaced: [] }, zones: data.zones, devices: [] }),
    [data],
  );
  // A failure is the register's to tell (its own head says the hub is away).
  if (data === null) return null;
  const plans = data.map?.plans ?? [];
  const plan = plans.find((p) => planKey(p) === planAt) ?? plans[0] ?? null;
  const toggle = (zone: string): void => onChoose(zone === chosen ? null : zone);
  const planName = (p: PlanInfo): string =>
    p.zone === null ? t.v.map.plan : zoneName(names, data.zones.find((z) => z.id === p.zone)?.path ?? p.zone);

  return (
    <section class="register-map" aria-labelledby="register-map-heading" data-testid="register-map">
      <h3 id="register-map-heading">{w.heading}</h3>
      <div class={plan === null ? 'register-map-panes no-plan' : 'register-map-panes'}>
        {plan !== null && drawn !== null && (
          <div class="register-map-plan">
            {plans.length > 1 && (
              <label class="inline">
                {t.v.map.plan}{' '}
                <select value={planKey(plan)} onChange={(e) => setPlanAt(e.currentTarget.value)}>
                  {plans.map((p) => (
                    <option key={planKey(p)} value={planKey(p)}>
                      {planName(p)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <PlanMap
              plan={plan}
              data={drawn}
              names={names}
              counts={NO_COUNTS}
              tops={NO_TOPS}
              focus={null}
              editing={false}
              onChoose={nothing}
              onChooseZone={toggle}
              onMove={nothing}
              label={w.plan}
              testid="register-plan"
            />
          </div>
        )}
        <div class="register-map-zones">
          <p class="hint">{w.hint}</p>
          <ZoneColours zones={data.zones} names={names} chosen={chosen} onToggle={toggle} />
        </div>
      </div>
      {chosen !== null && (
        <div class="inline register-map-chosen">
          <p role="status">{w.showing(zoneName(names, chosen))}</p>
          <button type="button" class="quiet" onClick={() => onChoose(null)}>
            {w.showAll}
          </button>
        </div>
      )}
    </section>
  );
}

/** Every zone as the config nests them: its colour, its level in words, where the colour comes from. */
function ZoneColours({
  zones,
  names,
  chosen,
  onToggle,
}: {
  zones: Zone[];
  names: ZoneNames;
  chosen: string | null;
  onToggle: (zone: string) => void;
}) {
  const { t } = useI18n();
  const w = t.v.program.zoneMap;
  const known = new Set(zones.map((z) => z.id));
  const below = (id: string): Zone[] => zones.filter((z) => z.parent === id);
  const item = (z: Zone, depth: number) => {
    const risk = asRisk(z.risk);
    const from = z.risk_from === 'points' ? w.fromPoints : z.risk_from === 'config' ? w.fromConfig : null;
    // Bounded, so a cycle in the config cannot nest for ever.
    const kids = depth < zones.length ? below(z.id) : [];
    return (
      <li key={z.id}>
        <button
          type="button"
          class="zone-button"
          aria-pressed={chosen === z.path}
          data-zone={z.path}
          data-risk={risk}
          data-risk-from={z.risk_from}
          onClick={() => onToggle(z.path)}
        >
          <span class={`swatch risk-${risk}`} aria-hidden="true" />
          <span class="zone-colour-name">{zoneName(names, z.path)}</span>
          <small>
            {t.v.map.risk[risk]}
            {from !== null && ` · ${from}`}
          </small>
        </button>
        {kids.length > 0 && <ul>{kids.map((k) => item(k, depth + 1))}</ul>}
      </li>
    );
  };
  return (
    <ul class="zone-colours" aria-label={w.zones} data-testid="zone-colours">
      {zones.filter((z) => z.parent === null || !known.has(z.parent)).map((z) => item(z, 0))}
    </ul>
  );
}
