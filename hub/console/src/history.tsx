// What happened to an alarm: the device events behind it, who did what,
// the linkage rules that fired and the pictures taken.

import type { ComponentChildren } from 'preact';
import { formatTime, kindName, useI18n } from './i18n';
import type { AlarmDetail, Picture } from './types';

export function History({ detail }: { detail: AlarmDetail }) {
  const { t, lang } = useI18n();
  const when = (iso: string) => <time dateTime={iso}>{formatTime(iso, lang)}</time>;
  return (
    <>
      <Part title={t.events} empty={detail.events.length === 0}>
        {detail.events.map((e) => (
          <li key={e.seq}>
            {when(e.time)} <span class={`level lvl-${e.level}`}>{t.levels[e.level]}</span>{' '}
            <span>{kindName(t, e.kind)}</span>
            {e.phase !== null && <span class="tag">{t.phases[e.phase]}</span>}
            {e.message !== null && <span class="message">{e.message}</span>}
          </li>
        ))}
      </Part>
      <Part title={t.history} empty={detail.transitions.length === 0}>
        {detail.transitions.map((tr) => (
          <li key={tr.seq}>
            {when(tr.time)} <strong>{tr.actor ?? t.byHub}</strong> <span>{t.transitions[tr.kind] ?? tr.kind}</span>
            {tr.detail !== null && <q>{tr.detail}</q>}
          </li>
        ))}
      </Part>
      <Part title={t.rules} empty={detail.rules.length === 0}>
        {detail.rules.map((r) => (
          <li key={r.seq}>
            {when(r.time)} <span>{t.ruleLine(r.rule ?? t.none, r.actions ?? t.none)}</span>
            {r.message !== null && <span class="message">{r.message}</span>}
          </li>
        ))}
      </Part>
      {detail.pictures.length > 0 && (
        <section class="part">
          <h3>{t.pictures}</h3>
          <ul class="pictures">
            {detail.pictures.map((p) => (
              <li key={`${p.url} ${p.role}`}>
                <PictureLink picture={p} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function Part({ title, empty, children }: { title: string; empty: boolean; children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <section class="part">
      <h3>{title}</h3>
      {empty ? <p class="none">{t.none}</p> : <ol class="log">{children}</ol>}
    </section>
  );
}

function PictureLink({ picture: p }: { picture: Picture }) {
  const { t } = useI18n();
  const from = p.from === 'device' ? t.fromDevice : t.fromRule(p.from.rule);
  const alt = `${t.pictureRoles[p.role] ?? p.role} · ${from}`;
  return (
    <a href={p.url} target="_blank" rel="noopener">
      <img src={p.url} alt={alt} loading="lazy" />
      {/* Seen, not read twice: the link's name is the picture's alt text. */}
      <span class="caption" aria-hidden="true">
        {alt}
      </span>
    </a>
  );
}
