// The signed-in screen's views. Every role sees every view; what each may
// do there follows the role (roles.ts).

import { useI18n } from './i18n';

export type View =
  | 'alarms'
  | 'map'
  | 'devices'
  | 'broadcast'
  | 'people'
  | 'statistics'
  | 'guard'
  | 'program'
  | 'inspect'
  | 'system';

const VIEWS: View[] = ['alarms', 'map', 'devices', 'broadcast', 'people', 'statistics', 'guard', 'program', 'inspect', 'system'];

export function Nav({ view, onChoose }: { view: View; onChoose: (v: View) => void }) {
  const { t } = useI18n();
  return (
    <nav class="menu" aria-label={t.mainMenu}>
      <ul>
        {VIEWS.map((v) => (
          <li key={v}>
            <button
              type="button"
              class={v === view ? 'current' : undefined}
              aria-current={v === view ? 'page' : undefined}
              data-view={v}
              onClick={() => onChoose(v)}
            >
              {t.tabs[v]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
