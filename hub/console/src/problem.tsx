// A refusal or failure, shown where it happened: the hub's own message after
// a headline in the console's language.

import type { ApiError } from './api';
import { useI18n, type Dict } from './i18n';

/** What went wrong: the hub's answer, or a check of our own, already in words. */
export type Problem = ApiError | string;

function headline(t: Dict, e: ApiError): string {
  if (e.status === 0) return e.code === 'network' ? t.failed.network : t.failed.other;
  if (e.status >= 500) return t.failed.server;
  switch (e.status) {
    case 400:
    case 401:
    case 403:
    case 404:
    case 409:
    case 429:
      return t.failed[e.status];
    default:
      return t.failed.other;
  }
}

export function ProblemNote({ problem, headlines }: { problem: Problem; headlines?: Partial<Record<number, string>> }) {
  const { t } = useI18n();
  if (typeof problem === 'string') {
    return (
      <p class="problem" role="alert">
        {problem}
      </p>
    );
  }
  const head = headlines?.[problem.status] ?? headline(t, problem);
  return (
    <p class="problem" role="alert">
      {head}
      {problem.hubMessage !== null && (
        <>
          {t.colon}
          {/* The hub speaks English whatever the console's language. */}
          <span lang="en">{problem.hubMessage}</span>
        </>
      )}
    </p>
  );
}
