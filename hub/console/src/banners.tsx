// What must not be missed, above the wall: unacknowledged red alarms (with
// their tone) and an alarm flood.

import { useEffect, useState } from 'preact/hooks';
import { formatTime, useI18n } from './i18n';
import type { WallAlarm } from './live';
import { audioReady, startTone, whenAudioReady } from './tone';
import type { Flood } from './types';

/**
 * Sounds while any red alarm waits for an acknowledgement. Mute silences
 * the ones waiting now; a red alarm that comes (or comes back) after that
 * sounds again.
 */
export function RedBanner({ alarms }: { alarms: WallAlarm[] }) {
  const { t } = useI18n();
  const red = alarms.filter((w) => w.alarm.level === 'red' && !w.alarm.acknowledged).map((w) => w.alarm.id);
  const [muted, setMuted] = useState<ReadonlySet<string>>(new Set());
  const [audible, setAudible] = useState(audioReady);
  useEffect(() => whenAudioReady(() => setAudible(true)), []);

  const waiting = red.join(' ');
  // An alarm acknowledged since it was muted is forgotten, so that its next raise sounds.
  useEffect(() => {
    const now = new Set(red);
    setMuted((m) => ([...m].every((id) => now.has(id)) ? m : new Set([...m].filter((id) => now.has(id)))));
  }, [waiting]);

  const sounding = red.some((id) => !muted.has(id));
  useEffect(() => (sounding ? startTone() : undefined), [sounding]);

  if (red.length === 0) return null;
  return (
    <div class="banner red" data-testid="red-banner">
      <strong role="alert">{t.redBanner(red.length)}</strong>
      {sounding && !audible && <span>{t.enableSound}</span>}
      <button type="button" aria-pressed={!sounding} onClick={() => setMuted(sounding ? new Set(red) : new Set())}>
        {t.mute}
      </button>
    </div>
  );
}

export function FloodBanner({ flood }: { flood: Flood }) {
  const { t, lang } = useI18n();
  return (
    <div class="banner flood" role="status" data-testid="flood-banner">
      {t.flood(formatTime(flood.since, lang), flood.opened_in_window)}
    </div>
  );
}
