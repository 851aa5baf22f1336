// The head of a view that polls the hub: its heading, anything the view
// puts beside it, the refresh button, then the last fetch's failure or
// "loading" until the first answer.

import type { ComponentChildren } from 'preact';
import { useI18n } from './i18n';
import type { Polled } from './polled';
import { ProblemNote } from './problem';

export function ViewHead<T>({
  id,
  heading,
  polled,
  children,
}: {
  id: string;
  heading: string;
  polled: Polled<T>;
  children?: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <>
      <div class="pane-head">
        <h2 id={id}>{heading}</h2>
        {children}
        <button type="button" class="quiet" onClick={polled.reload}>
          {t.refresh}
        </button>
      </div>
      {polled.problem !== null && <ProblemNote problem={polled.problem} />}
      {polled.data === null && polled.problem === null && <p role="status">{t.loading}</p>}
    </>
  );
}
