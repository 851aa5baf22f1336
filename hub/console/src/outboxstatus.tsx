// How the outbox stands, where rounds and reports are made: how many wait
// ("2 待发送"), a button to send now, why the last try failed, what the hub
// refused for good (until the person dismisses it), and what went lately.

import { useEffect, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import { outbox, type OutboxState } from './outbox';
import { ProblemNote } from './problem';
import { ApiError } from './api';

export function useOutbox(): OutboxState {
  const [state, setState] = useState<OutboxState>(() => outbox.state());
  useEffect(() => outbox.subscribe(setState), []);
  return state;
}

export function OutboxStatus({ state, quietWhenEmpty = false }: { state: OutboxState; quietWhenEmpty?: boolean }) {
  const { t } = useI18n();
  const w = t.v.inspect;
  const n = state.pending.length;
  if (quietWhenEmpty && n === 0 && state.refused.length === 0 && state.sent.length === 0) return null;
  return (
    <div class={n > 0 ? 'outbox waiting' : 'outbox'} data-testid="outbox" data-pending={n}>
      <div class="outbox-head">
        <p class="outbox-count" role="status">
          {n > 0 ? <strong>{w.waiting(n)}</strong> : w.allSent}
          {state.sending && ` · ${w.sending}`}
        </p>
        {n > 0 && (
          <button type="button" class="big" disabled={state.sending} onClick={() => void outbox.flush()}>
            {w.sendNow}
          </button>
        )}
      </div>
      {n > 0 && state.lastFailure !== null && (
        <>
          <p class="hint">{w.offline}</p>
          <ProblemNote problem={state.lastFailure} />
        </>
      )}
      {n > 0 && !state.stored && (
        <p class="problem" role="alert">
          {w.notStored}
        </p>
      )}
      {n > 0 && (
        <ul class="plain outbox-list">
          {state.pending.map((p) => (
            <li key={p.client_id}>
              {w.kinds[p.kind]}
              {t.colon}
              {p.label}
            </li>
          ))}
        </ul>
      )}
      {state.refused.length > 0 && (
        <div class="refused" data-testid="outbox-refused">
          <p>
            <strong>{w.refused}</strong>
          </p>
          <ul class="plain">
            {state.refused.map((r) => (
              <li key={r.client_id}>
                {w.kinds[r.kind]}
                {t.colon}
                {r.label}
                <ProblemNote problem={new ApiError(r.status, r.code, r.message)} />
                <button type="button" class="quiet" onClick={() => outbox.dismiss(r.client_id)}>
                  {w.dismiss(r.label)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {state.sent.length > 0 && (
        <ul class="plain sent-list">
          {state.sent.map((s) => (
            <li key={s.client_id} class="done">
              {w.sent(s.label)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
