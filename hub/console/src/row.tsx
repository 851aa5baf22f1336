// One alarm on the wall. The button's name is what identifies the alarm
// (level first, then kind, zone, device, age, condition); the handling state
// is its description, so the name never holds an action's word.

import { useDeviceName } from './devicenames';
import { kindName, useI18n, type Dict } from './i18n';
import type { WallAlarm } from './live';
import type { Alarm } from './types';
import { zoneName, type ZoneNames } from './zones';

interface Props {
  entry: WallAlarm;
  names: ZoneNames;
  now: number;
  selected: boolean;
  onSelect: (id: string) => void;
  /** In a windowed wall: where the row sits and which of how many it is. */
  place?: { top: number; index: number; of: number };
}

export const rowId = (alarmId: string): string => `alarm-${alarmId}`;

function acknowledgement(t: Dict, a: Alarm): string {
  if (!a.acknowledged) return t.unacked;
  return a.acknowledged_by === null ? t.acked : t.ackedBy(a.acknowledged_by);
}

export function Row({ entry, names, now, selected, onSelect, place }: Props) {
  const { t } = useI18n();
  const deviceName = useDeviceName();
  const a = entry.alarm;
  const device = a.device === null ? null : deviceName(a.device);
  const id = rowId(a.id);
  const level = t.levels[a.level];
  const kind = kindName(t, a.kind);
  const zone = zoneName(names, a.zone);
  const age = t.age(Math.max(0, Math.floor((now - entry.openedAt) / 1000)));
  const condition = a.active ? t.active : t.cleared;
  const name = [level, kind, zone, device, age, condition].filter((p) => p !== null).join(' ');
  const classes = ['row', `lvl-${a.level}`, a.acknowledged ? 'acked' : 'unacked', selected ? 'selected' : ''];
  return (
    <li
      style={place === undefined ? undefined : { top: `${place.top}px` }}
      aria-setsize={place?.of}
      aria-posinset={place === undefined ? undefined : place.index + 1}
    >
      <button
        type="button"
        id={id}
        class={classes.join(' ').trim()}
        data-testid="alarm-row"
        data-alarm-id={a.id}
        aria-label={name}
        aria-describedby={`${id}-state`}
        aria-current={selected ? 'true' : undefined}
        onClick={() => onSelect(a.id)}
      >
        <span class="line">
          <span class={`level lvl-${a.level}`}>{level}</span>
          <span class="kind">{kind}</span>
          <span class="zone">{zone}</span>
          {device !== null && <span class="device">{device}</span>}
          <span class="age">{age}</span>
          <span class={a.active ? 'condition active' : 'condition'}>{condition}</span>
        </span>
        <span class="state" id={`${id}-state`}>
          <span class={a.acknowledged ? 'ack' : 'ack pending'}>{acknowledgement(t, a)}</span>
          {a.owner !== null && <span>{t.ownedBy(a.owner)}</span>}
          {a.re_alarms > 0 && <span>{t.reAlarms(a.re_alarms)}</span>}
          {a.escalations > 0 && <span>{t.escalations(a.escalations)}</span>}
        </span>
      </button>
    </li>
  );
}
