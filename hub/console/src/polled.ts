// Something fetched from the hub and fetched again every so often, so a view
// left open stays near the truth without a stream of its own.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';

export interface Polled<T> {
  /** The last answer, kept through a failed fetch. */
  data: T | null;
  /** The last fetch's failure, until one succeeds. */
  problem: api.ApiError | null;
  /** Fetch now (after a change of one's own, or when asked). */
  reload: () => void;
}

export function usePolled<T>(load: () => Promise<T>, everyMs: number): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  // Answers may arrive out of order: only the latest asked is kept.
  const asked = useRef(0);
  const gone = useRef(false);

  const reload = useCallback(() => {
    const n = ++asked.current;
    load().then(
      (d) => {
        if (gone.current || n !== asked.current) return;
        setData(d);
        setProblem(null);
      },
      (e: unknown) => {
        if (!gone.current && n === asked.current) setProblem(api.asApiError(e));
      },
    );
  }, [load]);

  useEffect(() => {
    gone.current = false;
    reload();
    const timer = window.setInterval(reload, everyMs);
    return () => {
      gone.current = true;
      window.clearInterval(timer);
    };
  }, [reload, everyMs]);

  return { data, problem, reload };
}
