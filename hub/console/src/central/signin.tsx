// Signing in to the command centre: an API token of the centre, no login or
// password. The centre takes it when `GET /api/v1/central` answers.

import { useEffect, useRef, useState } from 'preact/hooks';
import { asApiError } from '../api';
import { Header } from '../header';
import { useI18n } from '../i18n';
import { ProblemNote, type Problem } from '../problem';
import * as api from './api';
import type { Hello } from './types';

interface Props {
  centre: Hello;
  /** Why the person is here again: the centre refused the token under them. */
  ended: boolean;
  onSignedIn: () => void;
}

export function SignIn({ centre, ended, onSignedIn }: Props) {
  const { t } = useI18n();
  const w = t.v.central;
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const given = token.trim();
    if (given === '') {
      setProblem(w.needToken);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.signIn(given);
      onSignedIn();
    } catch (err) {
      setProblem(asApiError(err));
      setToken('');
      setBusy(false);
    }
  };

  return (
    <>
      <Header />
      <main class="signin">
        {/* noValidate: our own message, in the console's language, not the browser's. */}
        <form class="card" noValidate onSubmit={(e) => void submit(e)} aria-labelledby="central-signin-heading">
          <h2 id="central-signin-heading">{w.signInHeading}</h2>
          {centre.name !== '' && <p class="centre-name">{centre.name}</p>}
          <p class="hint">{w.signInHint}</p>
          {ended && <p role="status">{w.tokenEnded}</p>}
          <label for="central-token">{w.token}</label>
          <input
            id="central-token"
            ref={field}
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          <button type="submit" class="primary" disabled={busy}>
            {t.signIn}
          </button>
          {problem !== null && <ProblemNote problem={problem} headlines={{ 401: w.wrongToken }} />}
        </form>
      </main>
    </>
  );
}
