// 隐患治理: the hazards the caller sees, newest first, with the counts of
// open and overdue ones; chosen by state, deadline, origin (a person, or a
// device rule) and unit, and counted by unit. Each opens onto its loop: the
// steps so far (who, when, the note, the photos), its plan, and the steps
// the caller may take now (their units', the safety officer's, the program
// office's). A report form for a new one, for those who may report.

import { useEffect, useMemo, useState } from 'preact/hooks';
import * as api from './api';
import { formatMs, formatTime, useI18n } from './i18n';
import { OutboxStatus, useOutbox } from './outboxstatus';
import { usePolled } from './polled';
import * as program from './programapi';
import { useCategoryName, usePowers, useProgramSettings, useUnitName } from './programsettings';
import type { Hazard, HazardFilter, HazardList, StepName, Which } from './programtypes';
import { ReportForm } from './report';
import { StepActions } from './hazardsteps';
import type { Me } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

const POLL_MS = 20_000;
const WHICH: Which[] = ['open', 'closed', 'all'];
const NO_UNIT = '';

export function Hazards({ me, names }: { me: Me; names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const [filter, setFilter] = useState<HazardFilter>({ state: 'open', overdue: false, origin: '', unit: '' });
  const load = useMemo(() => () => program.hazards(filter), [filter]);
  const polled = usePolled<HazardList>(load, POLL_MS);
  // A step's answer stands until the next fetch says more.
  const [updated, setUpdated] = useState<ReadonlyMap<string, Hazard>>(new Map());
  useEffect(() => setUpdated(new Map()), [polled.data]);
  // The site's units; until the hub has said, those met so far (choosing one keeps the others to choose).
  const settings = useProgramSettings();
  const [met, setMet] = useState<string[]>([]);
  useEffect(() => {
    const seen = (polled.data?.hazards ?? []).flatMap((h) => (h.unit === null ? [] : [h.unit]));
    setMet((old) => (seen.every((u) => old.includes(u)) ? old : [...new Set([...old, ...seen])].sort()));
  }, [polled.data]);
  const units = settings?.units.map((u) => u.id) ?? met;
  const powers = usePowers(me);
  const [reporting, setReporting] = useState(false);
  // What the last step did: said here, since a hazard it closed leaves the open list.
  const [said, setSaid] = useState<string | null>(null);
  const box = useOutbox();

  const list = (polled.data?.hazards ?? []).map((h) => updated.get(h.id) ?? h);
  return (
    <section class="hazards" aria-labelledby="hazards-heading">
      <ViewHead id="hazards-heading" heading={w.heading} polled={polled}>
        {polled.data !== null && (
          <p class="counts" data-testid="hazard-counts">
            {w.counts(polled.data.open, polled.data.overdue)}
          </p>
        )}
        {powers.act && (
          <button type="button" aria-expanded={reporting} onClick={() => setReporting(!reporting)}>
            {w.reportOpen}
          </button>
        )}
      </ViewHead>
      {powers.act && reporting && <ReportForm names={names} onQueued={polled.reload} />}
      <OutboxStatus state={box} quietWhenEmpty />
      <Filters filter={filter} units={units} onChange={setFilter} />
      {said !== null && (
        <p class="done" role="status" data-testid="step-done">
          {said}
        </p>
      )}
      {polled.data !== null && (
        <>
          <ByUnit hazards={list} />
          {list.length === 0 && <p class="empty">{w.empty}</p>}
          <ul class="hazard-list">
            {list.map((h) => (
              <HazardCard
                key={h.id}
                hazard={h}
                me={me}
                names={names}
                onChanged={(next, step) => {
                  setUpdated((m) => new Map(m).set(next.id, next));
                  setSaid(w.stepDone(next.id, w.actions[step], w.states[next.state] ?? next.state_name));
                  polled.reload();
                }}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Filters({ filter, units, onChange }: { filter: HazardFilter; units: string[]; onChange: (f: HazardFilter) => void }) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const unitName = useUnitName();
  return (
    <div class="inline filters">
      <div class="field">
        <label for="hazard-state">{w.state}</label>
        <select id="hazard-state" value={filter.state} onChange={(e) => onChange({ ...filter, state: e.currentTarget.value as Which })}>
          {WHICH.map((k) => (
            <option key={k} value={k}>
              {w.which[k]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="hazard-origin">{w.origin}</label>
        <select
          id="hazard-origin"
          value={filter.origin}
          onChange={(e) => onChange({ ...filter, origin: e.currentTarget.value as HazardFilter['origin'] })}
        >
          <option value="">{w.anyOrigin}</option>
          <option value="person">{w.origins.person}</option>
          <option value="rule">{w.origins.rule}</option>
        </select>
      </div>
      <div class="field">
        <label for="hazard-unit">{w.unit}</label>
        <select id="hazard-unit" value={filter.unit} onChange={(e) => onChange({ ...filter, unit: e.currentTarget.value })}>
          <option value="">{w.anyUnit}</option>
          {units.map((u) => (
            <option key={u} value={u}>
              {unitName(u)}
            </option>
          ))}
        </select>
      </div>
      <label class="check">
        <input type="checkbox" checked={filter.overdue} onChange={(e) => onChange({ ...filter, overdue: e.currentTarget.checked })} />
        {w.onlyOverdue}
      </label>
    </div>
  );
}

function ByUnit({ hazards }: { hazards: Hazard[] }) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const unitName = useUnitName();
  const rows = new Map<string, { open: number; overdue: number; all: number }>();
  for (const h of hazards) {
    const key = h.unit ?? NO_UNIT;
    const r = rows.get(key) ?? { open: 0, overdue: 0, all: 0 };
    r.all += 1;
    if (h.state !== 'closed' && h.state !== 'cancelled') r.open += 1;
    if (h.overdue) r.overdue += 1;
    rows.set(key, r);
  }
  if (rows.size === 0) return null;
  return (
    <div class="table-scroll">
      <table data-testid="hazards-by-unit">
        <caption>{w.byUnit}</caption>
        <thead>
          <tr>
            <th scope="col">{w.unit}</th>
            <th scope="col">{w.open}</th>
            <th scope="col">{w.overdueCol}</th>
          </tr>
        </thead>
        <tbody>
          {[...rows].sort((a, b) => b[1].overdue - a[1].overdue || b[1].open - a[1].open).map(([unit, r]) => (
            <tr key={unit} class={r.overdue > 0 ? 'overdue' : undefined}>
              <th scope="row">{unit === NO_UNIT ? w.noUnit : unitName(unit)}</th>
              <td>{r.open}</td>
              <td>{r.overdue > 0 ? <strong>{r.overdue}</strong> : 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HazardCard({
  hazard: h,
  me,
  names,
  onChanged,
}: {
  hazard: Hazard;
  me: Me;
  names: ZoneNames;
  onChanged: (h: Hazard, step: StepName) => void;
}) {
  const { t, lang } = useI18n();
  const w = t.v.program.hazards;
  const [open, setOpen] = useState(false);
  const category = useCategoryName();
  const unitName = useUnitName();
  const body = `hazard-${h.id}`;
  const facts = [
    h.id,
    zoneName(names, h.zone),
    w.origins[h.origin],
    category(h.category),
    h.unit === null ? w.noUnit : w.ofUnit(unitName(h.unit)),
    w.opened(formatTime(h.opened, lang)),
  ];
  return (
    <li
      class={`hazard hazard-${h.level}${h.overdue ? ' overdue' : ''}`}
      data-testid="hazard"
      data-id={h.id}
      data-state={h.state}
      data-origin={h.origin}
    >
      <div class="hazard-head">
        <span class={`level hz-${h.level}`}>{w.levels[h.level]}</span>
        <span class={`hazard-state st-${h.state}`}>{w.states[h.state] ?? h.state_name}</span>
        {h.overdue && <span class="badge">{w.overdue}</span>}
        {!h.overdue && h.late && <span class="badge">{w.late}</span>}
        <strong class="hazard-what">{h.description}</strong>
      </div>
      <p class="hint">
        {facts.join(' · ')}
        {h.deadline !== undefined && (
          <>
            {' · '}
            <span class={h.overdue ? 'overdue-text' : undefined}>{w.deadline(formatTime(h.deadline, lang))}</span>
          </>
        )}
      </p>
      <button type="button" class="quiet" aria-expanded={open} aria-controls={body} onClick={() => setOpen(!open)}>
        {w.details(h.id)}
      </button>
      {open && (
        <div id={body} class="hazard-body">
          <HazardFacts hazard={h} />
          <h5>{w.steps}</h5>
          <ol class="log steps">
            {h.steps.map((s) => (
              <li key={s.seq} data-kind={s.kind}>
                <time>{formatMs(s.time_ms, lang)}</time>
                <strong>{w.stepKinds[s.kind] ?? s.kind}</strong>
                {' · '}
                {s.actor ?? w.byHub}
                {s.note !== null && s.note !== '' && <q>{s.note}</q>}
                {s.media.length > 0 && (
                  <ul class="pictures">
                    {s.media.map((m, i) => (
                      <li key={m.hash}>
                        <a href={api.mediaUrl(m.hash)} target="_blank" rel="noopener">
                          <img src={api.mediaUrl(m.hash)} alt={`${w.stepKinds[s.kind] ?? s.kind} · ${w.stepPhoto(i + 1)}`} loading="lazy" />
                        </a>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
          <StepActions hazard={h} me={me} onDone={onChanged} />
          <p class="hint">{w.unitSteps}</p>
        </div>
      )}
    </li>
  );
}

function HazardFacts({ hazard: h }: { hazard: Hazard }) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const lines: string[] = [];
  if (h.person !== null) lines.push(w.person(h.person));
  if (h.round !== null) lines.push(w.foundOn(h.round[0], h.round[1]));
  if (h.found_by_office) lines.push(w.byOffice);
  if (h.escalated === 1 || h.escalated === 2) lines.push(w.escalated[h.escalated]);
  if (h.condition !== null) lines.push(h.condition_active ? w.conditionActive(h.condition) : w.conditionEnded(h.condition));
  return (
    <>
      {lines.length > 0 && (
        <ul class="plain">
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
      {h.plan !== null && (
        <>
          <h5>{w.plan}</h5>
          <dl class="fields">
            {(Object.keys(w.planFields) as (keyof typeof w.planFields)[]).map((k) => (
              <div key={k}>
                <dt>{w.planFields[k]}</dt>
                <dd>{h.plan?.[k]}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </>
  );
}
