// The campuses' devices as their logs tell them: online or not, and since
// when. The centre gives no commands from here.

import { useCallback } from 'preact/hooks';
import { formatTime, useI18n } from '../i18n';
import { usePolled } from '../polled';
import type { Online } from '../types';
import { ViewHead } from '../viewhead';
import * as api from './api';
import type { SiteDevice } from './types';

/** Link states change without a stream here: this often is enough to notice. */
const POLL_MS = 15_000;

const linkOf = (d: SiteDevice): Online => (d.online === null ? 'unknown' : d.online ? 'online' : 'offline');

export function CentralDevices({ site }: { site: string | null }) {
  const { t, lang } = useI18n();
  const w = t.v.central;
  const load = useCallback(() => api.devices(site), [site]);
  const polled = usePolled(load, POLL_MS);
  const devices = polled.data?.devices ?? [];
  return (
    <section class="view central-devices" aria-labelledby="central-devices-heading">
      <ViewHead id="central-devices-heading" heading={w.tabs.devices} polled={polled} />
      {polled.data !== null && devices.length === 0 && <p class="empty">{w.noDevices}</p>}
      {devices.length > 0 && (
        <div class="table-scroll">
          <table class="central-table" data-testid="central-devices">
            <thead>
              <tr>
                <th scope="col">{w.col.site}</th>
                <th scope="col">{w.col.id}</th>
                <th scope="col">{w.col.zone}</th>
                <th scope="col">{w.col.link}</th>
                <th scope="col">{w.col.since}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => {
                const link = linkOf(d);
                return (
                  <tr
                    key={`${d.site}/${d.id}`}
                    class={link === 'online' ? undefined : 'down'}
                    data-testid="central-device"
                    data-site={d.site}
                    data-device-id={d.id}
                  >
                    <td>{d.site_name}</td>
                    <td>
                      <code>{d.id}</code>
                    </td>
                    <td>{d.zone}</td>
                    <td>
                      <span class={`link ${link}`}>{t.online[link]}</span>
                    </td>
                    <td>{d.since === null ? t.none : <time dateTime={d.since}>{formatTime(d.since, lang)}</time>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
