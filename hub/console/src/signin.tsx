// Signing in with login and password. The hub answers wrong logins and wrong
// passwords alike, and locks a login out after repeated failures.

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import { Header } from './header';
import { useI18n } from './i18n';
import { ProblemNote, type Problem } from './problem';
import type { Me } from './types';

interface Props {
  /** Why the person is here again, if their session ended under them. */
  ended: boolean;
  onSignedIn: (me: Me) => void;
}

export function SignIn({ ended, onSignedIn }: Props) {
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (login === '' || password === '') {
      setProblem(t.needLogin);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await api.signIn(login, password));
    } catch (err) {
      setProblem(api.asApiError(err));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <>
      <Header />
      <main class="signin">
        {/* noValidate: our own message, in the console's language, not the browser's. */}
        <form class="card" noValidate onSubmit={(e) => void submit(e)} aria-labelledby="signin-heading">
          <h2 id="signin-heading">{t.signInHeading}</h2>
          {ended && <p role="status">{t.sessionEnded}</p>}
          <label for="signin-login">{t.login}</label>
          <input
            id="signin-login"
            ref={first}
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
          />
          <label for="signin-password">{t.password}</label>
          <input
            id="signin-password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="submit" class="primary" disabled={busy}>
            {t.signIn}
          </button>
          {problem !== null && (
            <ProblemNote problem={problem} headlines={{ 401: t.wrongLogin, 429: t.lockedOut }} />
          )}
        </form>
      </main>
    </>
  );
}
