// Who is at the console: a session restored from the cookie, a sign-in, or
// neither yet. Holds the language, which every screen reads. The same page
// served by a command centre (`twinwall central`) shows the centre's console
// instead: the centre says so at `/api/v1/central/hello`, a hub says
// `central: false`.

import { useEffect, useMemo, useState } from 'preact/hooks';
import * as api from './api';
import { Board } from './board';
import * as central from './central/api';
import { Central } from './central/app';
import type { Hello } from './central/types';
import { Header } from './header';
import { applyLang, dictionaries, I18nContext, savedLang, useI18n, type I18n, type Lang } from './i18n';
import { SignIn } from './signin';
import type { Me } from './types';

type Gate =
  | { at: 'restoring' }
  | { at: 'out'; ended: boolean }
  | { at: 'in'; me: Me }
  | { at: 'central'; centre: Hello };

export function App() {
  const [lang, setLang] = useState<Lang>(savedLang);
  useEffect(() => applyLang(lang), [lang]);
  const i18n = useMemo<I18n>(() => ({ lang, t: dictionaries[lang], setLang }), [lang]);

  const [gate, setGate] = useState<Gate>({ at: 'restoring' });
  useEffect(() => {
    api.onSessionLost(() => setGate({ at: 'out', ended: true }));
    void central.hello().then((centre) => {
      if (centre !== null) {
        setGate({ at: 'central', centre });
        return;
      }
      // A reload keeps the person signed in: the cookie outlives the page.
      api.restoreSession().then(
        (me) => setGate(me === null ? { at: 'out', ended: false } : { at: 'in', me }),
        () => setGate({ at: 'out', ended: false }),
      );
    });
  }, []);

  return (
    <I18nContext.Provider value={i18n}>
      {gate.at === 'restoring' && <Restoring />}
      {gate.at === 'out' && <SignIn ended={gate.ended} onSignedIn={(me) => setGate({ at: 'in', me })} />}
      {gate.at === 'in' && <Board me={gate.me} onSignedOut={() => setGate({ at: 'out', ended: false })} />}
      {gate.at === 'central' && <Central centre={gate.centre} />}
    </I18nContext.Provider>
  );
}

function Restoring() {
  const { t } = useI18n();
  return (
    <>
      <Header />
      <main class="signin">
        <p role="status">{t.restoring}</p>
      </main>
    </>
  );
}
