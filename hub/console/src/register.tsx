// 风险分级管控: the risk register by zone. Each point shows its level in its
// colour and word, the assessment it came from (LEC D = L × E × C, or the
// matrix R = L × S), its hazard sources, its control measures and who
// answers for them, the devices that watch it, and when it is next
// reviewed (or that the review is overdue, by the hub's clock). Above: the
// zones' four-colour map (registermap.tsx), a zone of which narrows the
// register to it. Below: the six lists.

import { useState } from 'preact/hooks';
import * as api from './api';
import { useDeviceName } from './devicenames';
import { formatTime, useI18n } from './i18n';
import { ProgramLists } from './lists';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import * as program from './programapi';
import type { ListIndex, PointList, RiskLevel, RiskPoint } from './programtypes';
import { useCategoryName, useUnitName } from './programsettings';
import { inZone, RegisterMap } from './registermap';
import { maySafety } from './roles';
import type { Me } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

/** The register changes by hand, seldom. */
const POLL_MS = 60_000;

const LEVELS: RiskLevel[] = ['red', 'orange', 'yellow', 'blue'];
const rank = (l: RiskLevel | null): number => (l === null ? LEVELS.length : LEVELS.indexOf(l));

type LevelFilter = '' | RiskLevel | 'none';

const load = (): Promise<[PointList, ListIndex]> => Promise.all([program.points(), program.lists()]);

/** A factor or score as people write it: 0.5, 270, not 270.00000001. */
export const num = (n: number): string => String(Math.round(n * 100) / 100);

export function Register({ me, names }: { me: Me; names: ZoneNames }) {
  const { t, lang } = useI18n();
  const w = t.v.program.register;
  const polled = usePolled(load, POLL_MS);
  const [level, setLevel] = useState<LevelFilter>('');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [zone, setZone] = useState<string | null>(null);
  const [points, lists] = polled.data ?? [null, null];

  const shown = (points?.points ?? []).filter(
    (p) =>
      (level === '' || (level === 'none' ? p.level === null : p.level === level)) &&
      (!overdueOnly || p.review_overdue) &&
      (zone === null || inZone(zone, p.zone)),
  );
  const zones = [...new Set(shown.map((p) => p.zone))].sort((a, b) =>
    zoneName(names, a).localeCompare(zoneName(names, b), lang),
  );

  return (
    <section class="register" aria-labelledby="register-heading">
      <ViewHead id="register-heading" heading={w.heading} polled={polled} />
      {points !== null && (
        <>
          <RegisterMap names={names} chosen={zone} onChoose={setZone} />
          <div class="inline filters">
            <div class="field">
              <label for="register-level">{w.level}</label>
              <select id="register-level" value={level} onChange={(e) => setLevel(e.currentTarget.value as LevelFilter)}>
                <option value="">{w.anyLevel}</option>
                {LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {t.v.map.risk[l]}
                  </option>
                ))}
                <option value="none">{w.unassessed}</option>
              </select>
            </div>
            <label class="check">
              <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.currentTarget.checked)} />
              {w.onlyReviewOverdue}
            </label>
          </div>
          <ul class="risk-legend" aria-hidden="true">
            {LEVELS.map((l) => (
              <li key={l}>
                <span class={`swatch risk-${l}`} /> {t.v.map.risk[l]}
              </li>
            ))}
          </ul>
          <p class="counts" role="status">
            {w.points(shown.length)}
          </p>
          {shown.length === 0 && <p class="empty">{w.empty}</p>}
          {zones.map((z) => (
            <section key={z} class="zone-group" aria-label={zoneName(names, z)}>
              <h3>{zoneName(names, z)}</h3>
              <ul class="point-list">
                {shown
                  .filter((p) => p.zone === z)
                  .sort((a, b) => rank(a.level) - rank(b.level) || a.name.localeCompare(b.name, lang))
                  .map((p) => (
                    <PointCard key={p.id} point={p} me={me} onReviewed={polled.reload} />
                  ))}
              </ul>
            </section>
          ))}
        </>
      )}
      {lists !== null && <ProgramLists lists={lists.lists} me={me} onImported={polled.reload} />}
    </section>
  );
}

function AssessmentLine({ point: p }: { point: RiskPoint }) {
  const { t } = useI18n();
  const w = t.v.program.register;
  const a = p.assessment;
  if (a === null) return <>{w.unassessed}</>;
  if (a.method === 'lec') return <>{w.lec(a.l, a.e, a.c, Number(num(p.score ?? a.l * a.e * a.c)))}</>;
  return <>{w.matrix(a.l, a.s, Number(num(p.score ?? a.l * a.s)))}</>;
}

function PointCard({ point: p, me, onReviewed }: { point: RiskPoint; me: Me; onReviewed: () => void }) {
  const { t, lang } = useI18n();
  const w = t.v.program.register;
  const deviceName = useDeviceName();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const overdue = p.review_overdue;
  const colour = p.level ?? 'none';
  const category = useCategoryName();
  const unitName = useUnitName();

  const review = (): void => {
    setBusy(true);
    setProblem(null);
    setDone(false);
    program.reviewPoint(p.id).then(
      () => {
        setBusy(false);
        setDone(true);
        onReviewed();
      },
      (e: unknown) => {
        setBusy(false);
        setProblem(api.asApiError(e));
      },
    );
  };

  return (
    <li class={`point point-${colour}`} data-testid="risk-point" data-id={p.id} data-level={colour}>
      <div class="point-head">
        <span class={`level lvl-${colour}`}>{t.v.map.risk[colour]}</span>
        <h4>{p.name}</h4>
        <span class="hint">{p.id}</span>
      </div>
      <dl class="fields">
        <div>
          <dt>{w.assessment}</dt>
          <dd>
            <AssessmentLine point={p} />
          </dd>
        </div>
        <div>
          <dt>{w.unit}</dt>
          <dd>{unitName(p.unit)}</dd>
        </div>
        {p.devices.length > 0 && (
          <div>
            <dt>{w.devices}</dt>
            <dd>{p.devices.map(deviceName).join(t.listSep)}</dd>
          </div>
        )}
      </dl>
      <h5>{w.sources}</h5>
      {p.sources.length === 0 ? (
        <p class="empty">{w.noSources}</p>
      ) : (
        <ul class="plain">
          {p.sources.map((s, i) => (
            <li key={i}>
              {s.name}（{category(s.category)}）{s.consequence != null && s.consequence !== '' && ` · ${w.mayCause(s.consequence)}`}
            </li>
          ))}
        </ul>
      )}
      <h5>{w.measures}</h5>
      {p.measures.length === 0 ? (
        <p class="empty">{w.noMeasures}</p>
      ) : (
        <ul class="plain">
          {p.measures.map((m, i) => {
            const who = [m.person, m.unit == null || m.unit === '' ? null : unitName(m.unit)].filter(
              (x): x is string => x != null && x !== '',
            );
            return (
              <li key={i}>
                <span class="tag">{w.measureKinds[m.kind] ?? m.kind}</span> {m.text}
                {who.length > 0 && <small> · {w.responsible(who.join(t.listSep))}</small>}
              </li>
            );
          })}
        </ul>
      )}
      <p class={overdue ? 'review overdue' : 'review'}>
        {overdue ? <strong>{w.reviewOverdue(formatTime(p.review_due, lang))}</strong> : w.reviewDue(formatTime(p.review_due, lang))}
      </p>
      {maySafety(me.role) && (
        <div class="buttons">
          <button type="button" class={overdue ? 'primary' : 'quiet'} disabled={busy} onClick={review}>
            {w.review(p.name)}
          </button>
          {done && (
            <span class="done" role="status">
              {w.reviewed(p.name)}
            </span>
          )}
        </div>
      )}
      {problem !== null && <ProblemNote problem={problem} />}
    </li>
  );
}
