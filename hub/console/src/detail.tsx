// One alarm in full: its fields, the actions the person's role allows, and
// its history. Fetched again whenever the wall's copy of it changes, so what
// another person did shows here too.

import { useEffect, useRef, useState } from 'preact/hooks';
import { Actions } from './actions';
import { ZoneCameras } from './cameras';
import * as api from './api';
import { History } from './history';
import { useDeviceName } from './devicenames';
import { formatTime, kindName, useI18n } from './i18n';
import type { LiveWall } from './live';
import { ProblemNote } from './problem';
import type { Alarm, AlarmDetail, Me } from './types';
import { zoneName, type ZoneNames } from './zones';

interface Props {
  id: string;
  /** The wall's copy, absent once the alarm has left the wall. */
  current: Alarm | undefined;
  me: Me;
  names: ZoneNames;
  now: number;
  wall: LiveWall;
  onBack: () => void;
}

interface Loaded {
  detail: AlarmDetail;
  openedAt: number;
}

export function Detail({ id, current, me, names, now, wall, onBack }: Props) {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    let stale = false;
    api.alarm(id).then(
      (detail) => {
        if (stale) return;
        setLoaded({ detail, openedAt: Date.now() - detail.age_s * 1000 });
        setProblem(null);
      },
      (e: unknown) => {
        if (!stale) setProblem(api.asApiError(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [id, current, asked]);

  // Chosen from the wall: reading goes on here (on a phone, the panel is below the wall).
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);

  const acted = (a: Alarm): void => {
    wall.put(a);
    // The answer shows at once; the history follows with the fetch.
    setLoaded((l) => l && { ...l, detail: { ...l.detail, ...a } });
    setAsked((n) => n + 1);
  };
  const conflicted = (): void => {
    wall.refetch();
    setAsked((n) => n + 1);
  };

  const shown = loaded?.detail.id === id ? loaded : null;
  return (
    <section class="detail" aria-labelledby="detail-heading" data-testid="alarm-detail">
      <div class="pane-head">
        <h2 id="detail-heading" tabIndex={-1} ref={heading}>
          {t.detail}
        </h2>
        <button type="button" class="quiet" onClick={onBack}>
          {t.backToWall}
        </button>
      </div>
      {problem !== null && <ProblemNote problem={problem} />}
      {shown === null && problem === null && <p role="status">{t.loading}</p>}
      {shown !== null && (
        <>
          <h3 class="title">
            <span class={`level lvl-${shown.detail.level}`}>{t.levels[shown.detail.level]}</span>{' '}
            {kindName(t, shown.detail.kind)} · {zoneName(names, shown.detail.zone)}
          </h3>
          <Fields alarm={shown.detail} names={names} age={Math.max(0, Math.floor((now - shown.openedAt) / 1000))} />
          <Actions key={id} alarm={shown.detail} me={me} onDone={acted} onConflict={conflicted} />
          <ZoneCameras key={shown.detail.zone} zone={shown.detail.zone} me={me} />
          <History detail={shown.detail} />
        </>
      )}
    </section>
  );
}

function Fields({ alarm: a, names, age }: { alarm: AlarmDetail; names: ZoneNames; age: number }) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const f = t.field;
  const time = (iso: string | null): string => (iso === null ? t.none : formatTime(iso, lang));
  const acknowledgement = a.acknowledged
    ? t.ackedAt(a.acknowledged_by ?? t.none, time(a.acknowledged_at))
    : t.unacked;
  // The third element marks what still waits for a person.
  const rows: [string, string, boolean?][] = [
    [f.level, t.levels[a.level]],
    [f.kind, kindName(t, a.kind)],
    [f.zone, zoneName(names, a.zone)],
    [f.device, a.device === null ? t.none : deviceName(a.device)],
    [f.message, a.message ?? t.none],
    [f.why, a.why ?? t.none],
    [f.opened, time(a.opened)],
    [f.age, t.age(age)],
    [f.condition, a.active ? t.active : t.cleared],
    [f.acknowledgement, acknowledgement, !a.acknowledged],
    [f.stage, t.stages[a.stage]],
    [f.owner, a.owner ?? t.none],
    [f.shelvedUntil, time(a.shelved_until)],
    [f.outOfService, a.out_of_service ?? t.none],
    [f.resolution, a.resolution === null ? t.none : t.resolutions[a.resolution]],
    [f.closed, time(a.closed)],
    [f.reAlarms, String(a.re_alarms)],
    [f.escalations, String(a.escalations)],
    [f.source, a.source],
    [f.id, a.id],
  ];
  return (
    <dl class="fields">
      {rows.map(([k, v, waiting]) => (
        <div key={k} class={waiting === true ? 'pending' : undefined}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
