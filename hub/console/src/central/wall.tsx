// One alarm wall over the campuses, in the centre's order (the worst, then
// the newest first), asked for again every two seconds. An alarm waiting
// for a person is acknowledged at its own campus, by the token's person there.

import { useCallback, useState } from 'preact/hooks';
import { asApiError, type ApiError } from '../api';
import { formatTime, kindName, useI18n } from '../i18n';
import { usePolled } from '../polled';
import { ProblemNote } from '../problem';
import { ViewHead } from '../viewhead';
import * as api from './api';
import type { SiteAlarm } from './types';

const POLL_MS = 2_000;

const keyOf = (a: SiteAlarm): string => `${a.site}/${a.id}`;

export function CentralWall({ site }: { site: string | null }) {
  const { t } = useI18n();
  const w = t.v.central;
  const load = useCallback(() => api.alarms(site), [site]);
  const polled = usePolled(load, POLL_MS);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const alarms = polled.data?.alarms ?? [];
  const unacked = alarms.filter((a) => !a.acknowledged).length;

  const ack = async (a: SiteAlarm): Promise<void> => {
    setBusy(keyOf(a));
    setProblem(null);
    try {
      await api.ack(a.site, a.id);
      polled.reload();
    } catch (e) {
      setProblem(asApiError(e));
      // Refused because it changed (409): the wall shows how it stands now.
      polled.reload();
    }
    setBusy(null);
  };

  return (
    <section class="view central-wall" aria-labelledby="central-wall-heading" data-testid="central-wall">
      <ViewHead id="central-wall-heading" heading={w.tabs.wall} polled={polled}>
        {polled.data !== null && (
          <p class="counts" data-testid="central-wall-counts">
            {t.counts(alarms.length, unacked)}
          </p>
        )}
      </ViewHead>
      {problem !== null && <ProblemNote problem={problem} headlines={w.campusFailures} />}
      {polled.data !== null && alarms.length === 0 && <p class="empty">{w.emptyWall}</p>}
      {alarms.length > 0 && (
        <div class="table-scroll">
          <table class="central-table">
            <thead>
              <tr>
                <th scope="col">{w.col.site}</th>
                <th scope="col">{w.col.level}</th>
                <th scope="col">{w.col.kind}</th>
                <th scope="col">{w.col.zone}</th>
                <th scope="col">{w.col.device}</th>
                <th scope="col">{w.col.state}</th>
                <th scope="col">{w.col.opened}</th>
                <th scope="col">{w.col.action}</th>
              </tr>
            </thead>
            <tbody>
              {alarms.map((a) => (
                <AlarmLine key={keyOf(a)} alarm={a} busy={busy === keyOf(a)} onAck={(x) => void ack(x)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AlarmLine({ alarm: a, busy, onAck }: { alarm: SiteAlarm; busy: boolean; onAck: (a: SiteAlarm) => void }) {
  const { t, lang } = useI18n();
  const w = t.v.central;
  const kind = kindName(t, a.kind);
  return (
    <tr
      class={`lvl-${a.level} ${a.acknowledged ? 'acked' : 'unacked'}`}
      data-testid="central-alarm"
      data-site={a.site}
      data-alarm-id={a.id}
    >
      <td>{a.site_name}</td>
      <td>
        <span class={`level lvl-${a.level}`}>{t.levels[a.level] ?? a.level}</span>
      </td>
      <td>
        {kind}
        {kind !== a.kind && <code class="kind-code">{a.kind}</code>}
      </td>
      <td>{a.zone}</td>
      <td>{a.device ?? t.none}</td>
      <td>{a.active ? t.active : t.cleared}</td>
      <td>
        <time dateTime={a.opened}>{formatTime(a.opened, lang)}</time>
      </td>
      <td>
        {a.acknowledged ? (
          <span class="ack">{a.acknowledged_by === null ? t.acked : t.ackedBy(a.acknowledged_by)}</span>
        ) : (
          <button type="button" aria-label={w.ackName(a.site_name, a.id)} disabled={busy} onClick={() => onAck(a)}>
            {w.ack}
          </button>
        )}
      </td>
    </tr>
  );
}
