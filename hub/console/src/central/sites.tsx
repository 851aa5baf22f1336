// One card a campus above the wall: its open alarms, devices down, when its
// log last said something, and whether the centre is reading it at all.

import { formatTime, useI18n } from '../i18n';
import type { Polled } from '../polled';
import { ProblemNote } from '../problem';
import type { CentralSummary } from './types';

export function SiteCards({ polled, site }: { polled: Polled<CentralSummary>; site: string | null }) {
  const { t, lang } = useI18n();
  const w = t.v.central;
  const shown = (polled.data?.sites ?? []).filter((s) => site === null || s.site === site);
  return (
    <section class="site-cards" aria-label={w.sites}>
      {polled.problem !== null && <ProblemNote problem={polled.problem} />}
      <ul>
        {shown.map((s) => (
          <li
            key={s.site}
            class={s.connected ? 'site-card' : 'site-card unlinked'}
            data-testid="site-card"
            data-site={s.site}
            data-connected={String(s.connected)}
          >
            <div class="site-card-head">
              <h3>{s.name}</h3>
              {!s.connected && <span class="badge">{w.noLink}</span>}
            </div>
            <dl class="fields">
              <div class={s.alarms_open > 0 ? 'pending' : undefined}>
                <dt>{w.openAlarms}</dt>
                <dd data-field="alarms-open">{s.alarms_open}</dd>
              </div>
              <div class={s.devices_offline > 0 ? 'pending' : undefined}>
                <dt>{w.offlineOfDevices}</dt>
                <dd data-field="devices">
                  {s.devices_offline} / {s.devices}
                </dd>
              </div>
              <div>
                <dt>{w.lastEvent}</dt>
                <dd data-field="last-time">
                  {s.last_time === null ? w.noEvent : <time dateTime={s.last_time}>{formatTime(s.last_time, lang)}</time>}
                </dd>
              </div>
            </dl>
          </li>
        ))}
      </ul>
    </section>
  );
}
