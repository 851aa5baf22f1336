// The alarm wall: every alarm that needs a person, in the hub's order. A
// long wall (a building's worth of alarms, thousands in a flood) is drawn a
// window at a time: rows of one height, only those in view and a few
// around them in the page, so scrolling and a new alarm cost the same at
// 5,000 rows as at 50.

import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import type { WallAlarm, WallState } from './live';
import { ProblemNote } from './problem';
import { Row } from './row';
import type { ZoneNames } from './zones';

/** From this many rows on, the wall is drawn a window at a time. */
export const VIRTUAL_FROM = 150;
/** A row's height in the windowed wall, px (style.css `.rows.virtual li`). */
const ROW_PX = 88;
/** Rows drawn above and below the window, so a fast scroll or Tab finds them. */
const OVERSCAN = 8;

interface Props {
  state: WallState;
  names: ZoneNames;
  now: number;
  selected: string | null;
  onSelect: (id: string) => void;
}

export function Wall({ state, names, now, selected, onSelect }: Props) {
  const { t } = useI18n();
  const unacked = state.alarms.filter((w) => !w.alarm.acknowledged).length;
  return (
    <section class="wall" aria-labelledby="wall-heading" data-testid="alarm-wall">
      <div class="pane-head">
        <h2 id="wall-heading">{t.wall}</h2>
        {state.phase === 'ready' && (
          <p class="counts" data-testid="wall-counts">
            {t.counts(state.total, unacked)}
          </p>
        )}
      </div>
      {state.error !== null && <ProblemNote problem={state.error} />}
      {state.phase === 'loading' && state.error === null && <p role="status">{t.loading}</p>}
      {state.phase === 'rebuilding' && state.replay !== null && (
        <p role="status" class="rebuilding">
          {t.rebuilding(state.replay.read, state.replay.of)}
          <progress value={state.replay.read} max={Math.max(state.replay.of, 1)} aria-hidden="true" />
        </p>
      )}
      {state.phase === 'ready' && state.alarms.length === 0 && <p class="empty">{t.emptyWall}</p>}
      {state.phase === 'ready' && state.alarms.length > 0 && state.alarms.length < VIRTUAL_FROM && (
        <ul class="rows" aria-label={t.wall}>
          {state.alarms.map((w) => rowOf({ names, now, selected, onSelect }, w))}
        </ul>
      )}
      {state.phase === 'ready' && state.alarms.length >= VIRTUAL_FROM && (
        <Windowed alarms={state.alarms} names={names} now={now} selected={selected} onSelect={onSelect} />
      )}
    </section>
  );
}

function Windowed({ alarms, names, now, selected, onSelect }: Omit<Props, 'state'> & { alarms: WallAlarm[] }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  useEffect(() => {
    const el = box.current;
    if (el === null) return undefined;
    const measure = (): void => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const resized = new ResizeObserver(measure);
    resized.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      resized.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);
  const first = Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN);
  const last = Math.min(alarms.length, Math.ceil((view.top + view.height) / ROW_PX) + OVERSCAN);
  return (
    <div class="rows-window" ref={box} data-testid="wall-window" data-rows={alarms.length}>
      <ul class="rows virtual" aria-label={t.wall} style={{ height: `${alarms.length * ROW_PX}px` }}>
        {alarms
          .slice(first, last)
          .map((w, i) =>
            rowOf({ names, now, selected, onSelect }, w, { top: (first + i) * ROW_PX, index: first + i, of: alarms.length }),
          )}
      </ul>
    </div>
  );
}

type Shared = Pick<Props, 'names' | 'now' | 'selected' | 'onSelect'>;

/** One row of either list; `place` in the windowed one. */
function rowOf(p: Shared, w: WallAlarm, place?: { top: number; index: number; of: number }) {
  return (
    <Row
      key={w.alarm.id}
      entry={w}
      names={p.names}
      now={p.now}
      selected={w.alarm.id === p.selected}
      onSelect={p.onSelect}
      {...(place === undefined ? {} : { place })}
    />
  );
}
