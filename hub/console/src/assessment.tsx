// The units' assessment for a term (附件2): each unit's score, 100 less
// every deduction, each with its article (第七条 …), its points, its cause
// and what shows it; the whole as XLSX. A unit's people see their own
// unit's; safety officers every unit's. The term is chosen from hub.toml's,
// today's unless another is asked for.

import { useMemo, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import { usePolled } from './polled';
import * as program from './programapi';
import { useProgramSettings } from './programsettings';
import type { AssessmentPage, UnitScore } from './programtypes';
import { ViewHead } from './viewhead';

/** A term's figures move as hazards do; this often is enough. */
const POLL_MS = 60_000;

export function Assessment() {
  const { t } = useI18n();
  const w = t.v.program.assessment;
  const settings = useProgramSettings();
  // The term asked for; null: the hub's current one (today's, else the last).
  const [term, setTerm] = useState<string | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const load = useMemo(() => () => program.assessment(term), [term]);
  const polled = usePolled<AssessmentPage>(load, POLL_MS);
  const page = polled.data;
  const terms = settings?.terms ?? [];
  const termName = (id: string): string => terms.find((x) => x.id === id)?.name ?? id;
  // The one shown: the one asked for, else the one the hub answered with, else today's.
  const current = term ?? page?.term ?? settings?.term ?? '';
  const shown = draft ?? page?.term ?? '';

  return (
    <section class="assessment" aria-labelledby="assessment-heading">
      <ViewHead id="assessment-heading" heading={w.heading} polled={polled}>
        {page !== null && (
          <a class="button-link" href={program.assessmentXlsxUrl(page.term)} download>
            {w.exportXlsx}
          </a>
        )}
      </ViewHead>
      {terms.length > 0 ? (
        <div class="inline">
          <div class="field">
            <label for="assessment-term">{w.term}</label>
            <select id="assessment-term" value={current} onChange={(e) => setTerm(e.currentTarget.value)}>
              {/* Asked for before the terms were known, or a term the settings lack: still shown. */}
              {current !== '' && !terms.some((x) => x.id === current) && <option value={current}>{current}</option>}
              {terms.map((x) => (
                <option key={x.id} value={x.id}>
                  {w.termOption(x.name, x.from, x.to, x.id === settings?.term)}
                </option>
              ))}
            </select>
          </div>
        </div>
      ) : (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            setTerm(shown.trim() === '' ? null : shown.trim());
          }}
        >
          <div class="field">
            <label for="assessment-term">{w.term}</label>
            <input id="assessment-term" value={shown} aria-describedby="assessment-term-hint" onInput={(e) => setDraft(e.currentTarget.value)} />
          </div>
          <button type="submit">{w.show}</button>
          <span class="hint" id="assessment-term-hint">
            {w.termHint}
          </span>
        </form>
      )}
      {page !== null && (
        <>
          <p class="counts">{w.ofTerm(termName(page.term))}</p>
          {page.units.length === 0 && <p class="empty">{w.noUnits}</p>}
          {page.units.map((u) => (
            <UnitCard key={u.unit} score={u} />
          ))}
        </>
      )}
    </section>
  );
}

function UnitCard({ score: u }: { score: UnitScore }) {
  const { t } = useI18n();
  const w = t.v.program.assessment;
  const id = `unit-score-${u.unit}`;
  return (
    <section class="unit-score" aria-labelledby={id} data-testid="unit-score" data-unit={u.unit}>
      <div class="unit-score-head">
        <h3 id={id}>
          {u.name}
        </h3>
        <p class={u.score < 60 ? 'score low' : 'score'}>
          {w.score}
          {t.colon}
          <strong>{w.points(u.score)}</strong>
        </p>
      </div>
      {u.deductions.length === 0 ? (
        <p class="empty">{w.noDeductions}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{w.article}</th>
                <th scope="col">{w.deducted}</th>
                <th scope="col">{w.cause}</th>
                <th scope="col">{w.links}</th>
                <th scope="col">{w.entered}</th>
              </tr>
            </thead>
            <tbody>
              {u.deductions.map((d, i) => (
                <tr key={i} data-testid="deduction" data-article={d.article}>
                  <th scope="row">{d.article}</th>
                  <td class="num">−{d.points}</td>
                  <td>{d.cause}</td>
                  <td>{d.links.join(t.listSep)}</td>
                  <td>{d.entered ? w.enteredYes : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
