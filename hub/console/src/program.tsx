// The dual-prevention program (双重预防): 风险分级管控 (the register and its
// lists), 隐患排查 (inspection tasks and rounds), 隐患治理 (hazards and their
// loop) and the units' assessment, one section at a time. The hub narrows
// every answer to the caller's zones and unit; its settings (categories,
// terms, units) come once for all four (programsettings.tsx).

import { useState } from 'preact/hooks';
import { Assessment } from './assessment';
import { Hazards } from './hazards';
import { useI18n } from './i18n';
import type { ProgramTab } from './programwords';
import { ProgramSettingsProvider } from './programsettings';
import { Register } from './register';
import { Rounds } from './rounds';
import type { Me } from './types';
import type { ZoneNames } from './zones';

const TABS: ProgramTab[] = ['register', 'rounds', 'hazards', 'assessment'];

export function Program({ me, names }: { me: Me; names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.program;
  const [tab, setTab] = useState<ProgramTab>('register');
  return (
    <ProgramSettingsProvider me={me}>
      <section class="view program" aria-label={w.heading}>
        <nav class="subtabs" aria-label={w.sections}>
          <ul>
            {TABS.map((k) => (
              <li key={k}>
                <button
                  type="button"
                  class={k === tab ? 'current' : undefined}
                  aria-current={k === tab ? 'true' : undefined}
                  data-tab={k}
                  onClick={() => setTab(k)}
                >
                  {w.tabs[k]}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {tab === 'register' && <Register me={me} names={names} />}
        {tab === 'rounds' && <Rounds names={names} />}
        {tab === 'hazards' && <Hazards me={me} names={names} />}
        {tab === 'assessment' && <Assessment />}
      </section>
    </ProgramSettingsProvider>
  );
}
