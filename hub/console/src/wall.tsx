// The alarm wall: every alarm that needs a person, in the hub's order.

import { useI18n } from './i18n';
import type { WallState } from './live';
import { ProblemNote } from './problem';
import { Row } from './row';
import type { ZoneNames } from './zones';

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
      {state.phase === 'ready' && state.alarms.length > 0 && (
        <ul class="rows" aria-label={t.wall}>
          {state.alarms.map((w) => (
            <Row
              key={w.alarm.id}
              entry={w}
              names={names}
              now={now}
              selected={w.alarm.id === selected}
              onSelect={onSelect}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
