// The centre's signed-in screen: the bar, the views' menu, the campus
// picker, then the wall (under each campus's card), the devices or the
// history, of every campus or the one chosen.

import { useState } from 'preact/hooks';
import { Header } from '../header';
import { useI18n } from '../i18n';
import { usePolled } from '../polled';
import * as api from './api';
import { CentralDevices } from './devices';
import { CentralHistory } from './history';
import { SiteCards } from './sites';
import type { Hello, SiteSummary } from './types';
import { CentralWall } from './wall';
import type { CentralTab } from './words';

/** The campuses' cards and the picker's list: as often as the wall. */
const SUMMARY_MS = 2_000;

const TABS: CentralTab[] = ['wall', 'devices', 'history'];

export function Board({ centre, onSignOut }: { centre: Hello; onSignOut: () => void }) {
  const { t } = useI18n();
  const w = t.v.central;
  const [tab, setTab] = useState<CentralTab>('wall');
  // '' is every campus.
  const [site, setSite] = useState('');
  const summary = usePolled(api.summary, SUMMARY_MS);
  const sites: SiteSummary[] = summary.data?.sites ?? [];
  const names = new Map(sites.map((s) => [s.site, s.name]));
  const chosen = site === '' ? null : site;

  return (
    <>
      <Header central={{ name: summary.data?.name ?? centre.name, onSignOut }} />
      <nav class="menu" aria-label={t.mainMenu}>
        <ul>
          {TABS.map((v) => (
            <li key={v}>
              <button
                type="button"
                class={v === tab ? 'current' : undefined}
                aria-current={v === tab ? 'page' : undefined}
                data-view={v}
                onClick={() => setTab(v)}
              >
                {w.tabs[v]}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main class="board central">
        <div class="site-pick">
          <label for="central-site">{w.site}</label>
          <select id="central-site" value={site} onChange={(e) => setSite(e.currentTarget.value)}>
            <option value="">{w.allSites}</option>
            {sites.map((s) => (
              <option key={s.site} value={s.site}>
                {s.name}
              </option>
            ))}
            {/* A campus chosen and then gone from the centre's list stays named until changed. */}
            {chosen !== null && !names.has(chosen) && <option value={chosen}>{chosen}</option>}
          </select>
        </div>
        {tab === 'wall' && (
          <>
            <SiteCards polled={summary} site={chosen} />
            <CentralWall key={site} site={chosen} />
          </>
        )}
        {tab === 'devices' && <CentralDevices key={site} site={chosen} />}
        {tab === 'history' && <CentralHistory key={site} site={chosen} names={names} />}
      </main>
    </>
  );
}
