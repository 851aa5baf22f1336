// The bar on every screen: who is signed in, whether the wall is live, the
// language switch and signing out. The command centre's console shows its
// name there instead, and signs out by forgetting its token.

import { useState } from 'preact/hooks';
import * as api from './api';
import { dictionaries, roleName, useI18n, type Lang } from './i18n';
import { ProblemNote, type Problem } from './problem';
import type { Me } from './types';

export interface HeaderSession {
  me: Me;
  live: boolean;
  onSignedOut: () => void;
}

/** The command centre's bar (central/app.tsx): no person, no session to end at a hub. */
export interface HeaderCentral {
  /** The centre's name, as `GET /api/v1/central/hello` gave it. */
  name: string;
  onSignOut: () => void;
}

export function Header({ session, central }: { session?: HeaderSession; central?: HeaderCentral }) {
  const { t } = useI18n();
  return (
    <header class="top">
      <h1 class="brand">
        {t.appName} <span class="tagline">{t.tagline}</span>
      </h1>
      <div class="tools">
        {session && <LiveIndicator live={session.live} />}
        {session && (
          <span class="who">
            {session.me.name} <span class="role">{roleName(t, session.me.role)}</span>
          </span>
        )}
        {central && <span class="who">{central.name}</span>}
        <LangSwitch />
        {session && <SignOut onSignedOut={session.onSignedOut} />}
        {central && (
          <button type="button" class="quiet" onClick={central.onSignOut}>
            {t.signOut}
          </button>
        )}
      </div>
    </header>
  );
}

function LiveIndicator({ live }: { live: boolean }) {
  const { t } = useI18n();
  return (
    <p class={live ? 'live on' : 'live off'} role="status" data-testid="live-indicator" data-live={String(live)}>
      {live ? t.live : t.notLive}
    </p>
  );
}

/** Named in the language it switches to, so a reader of that language finds it. */
function LangSwitch() {
  const { lang, setLang } = useI18n();
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  return (
    <button type="button" class="quiet" lang={other} onClick={() => setLang(other)}>
      {dictionaries[other].langName}
    </button>
  );
}

function SignOut({ onSignedOut }: { onSignedOut: () => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const signOut = async (): Promise<void> => {
    setBusy(true);
    try {
      await api.signOut();
      onSignedOut();
    } catch (e) {
      setProblem(api.asApiError(e));
      setBusy(false);
    }
  };
  return (
    <span class="signout">
      <button type="button" class="quiet" disabled={busy} onClick={() => void signOut()}>
        {t.signOut}
      </button>
      {problem !== null && <ProblemNote problem={problem} />}
    </span>
  );
}
