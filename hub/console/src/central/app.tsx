// The command centre's console (`twinwall central`): the same bundle as a
// hub's, shown when the page's origin says it is a centre. Signs in with an
// API token (kept for the tab in sessionStorage), then one wall, devices and
// history over every campus, or the one chosen.

import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { Board } from './board';
import { SignIn } from './signin';
import type { Hello } from './types';

type Gate = { at: 'out'; ended: boolean } | { at: 'in' };

export function Central({ centre }: { centre: Hello }) {
  // A reload keeps the tab signed in: the token outlives the page.
  const [gate, setGate] = useState<Gate>(() => (api.hasToken() ? { at: 'in' } : { at: 'out', ended: false }));
  useEffect(() => api.onTokenLost(() => setGate({ at: 'out', ended: true })), []);
  const signOut = (): void => {
    api.signOut();
    setGate({ at: 'out', ended: false });
  };
  return gate.at === 'in' ? (
    <Board centre={centre} onSignOut={signOut} />
  ) : (
    <SignIn centre={centre} ended={gate.ended} onSignedIn={() => setGate({ at: 'in' })} />
  );
}

