// What the campuses' logs hold: the newest events, of the kinds asked for
// (`fire.*`), read from their streams by the centre.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatTime, kindName, useI18n } from '../i18n';
import { usePolled } from '../polled';
import { ViewHead } from '../viewhead';
import * as api from './api';

/** How many events one look shows. */
const LIMIT = 200;
/** A log read from a stream costs more than the wall: this often is enough. */
const POLL_MS = 10_000;
/** Typing stops this long before the filter is asked for. */
const SETTLE_MS = 400;

export function CentralHistory({ site, names }: { site: string | null; names: Map<string, string> }) {
  const { t, lang } = useI18n();
  const w = t.v.central;
  const [draft, setDraft] = useState('');
  const [kind, setKind] = useState('');
  useEffect(() => {
    const timer = window.setTimeout(() => setKind(draft.trim()), SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [draft]);
  const load = useCallback(() => api.events(site, kind, LIMIT), [site, kind]);
  const polled = usePolled(load, POLL_MS);
  const events = polled.data?.events ?? [];
  const cut = polled.data?.scan_budget_reached ?? [];

  return (
    <section class="view central-history" aria-labelledby="central-history-heading">
      <ViewHead id="central-history-heading" heading={w.tabs.history} polled={polled} />
      <form
        class="kind-filter"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setKind(draft.trim());
        }}
      >
        <label for="central-kind">{w.kindFilter}</label>
        <input
          id="central-kind"
          autocapitalize="none"
          spellcheck={false}
          aria-describedby="central-kind-hint"
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button type="submit" class="quiet">
          {w.filter}
        </button>
        <p id="central-kind-hint" class="hint">
          {w.kindHint}
        </p>
      </form>
      {cut.length > 0 && <p class="view-only">{w.cut(cut.map((s) => names.get(s) ?? s).join(t.listSep))}</p>}
      {polled.data !== null && events.length === 0 && <p class="empty">{w.noEvents}</p>}
      {events.length > 0 && (
        <div class="table-scroll">
          <table class="central-table" data-testid="central-events">
            <caption>{w.latest(events.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{w.col.time}</th>
                <th scope="col">{w.col.site}</th>
                <th scope="col">{w.col.zone}</th>
                <th scope="col">{w.col.device}</th>
                <th scope="col">{w.col.kind}</th>
                <th scope="col">{w.col.level}</th>
                <th scope="col">{w.col.message}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => {
                const k = kindName(t, e.kind);
                return (
                  <tr key={`${e.site}/${e.seq}`} data-testid="central-event" data-site={e.site} data-kind={e.kind}>
                    <td>
                      <time dateTime={e.time}>{formatTime(e.time, lang)}</time>
                    </td>
                    <td>{names.get(e.site) ?? e.site}</td>
                    <td>{e.zone}</td>
                    <td>{e.device ?? t.none}</td>
                    <td>
                      {k}
                      {k !== e.kind && <code class="kind-code">{e.kind}</code>}
                      {e.phase !== null && e.phase !== undefined && <span class="tag">{t.phases[e.phase]}</span>}
                    </td>
                    <td>
                      <span class={`level lvl-${e.level}`}>{t.levels[e.level] ?? e.level}</span>
                    </td>
                    {/* Devices and the hub write their messages as they do: shown as they are. */}
                    <td>{e.message ?? t.none}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
