// The program's six lists (第七条): each to download as XLSX or CSV, and
// for a safety officer the register's three to import from a spreadsheet.
// An import is all rows or none: the hub's refusal names every row and
// column at fault, shown here one a line.

import { useState } from 'preact/hooks';
import * as api from './api';
import { useI18n } from './i18n';
import { ProblemNote } from './problem';
import * as program from './programapi';
import type { ListInfo } from './programtypes';
import { maySafety } from './roles';
import type { Me } from './types';

export function ProgramLists({ lists, me, onImported }: { lists: ListInfo[]; me: Me; onImported: () => void }) {
  const { t } = useI18n();
  const w = t.v.program.lists;
  const name = (l: ListInfo): string => w.names[l.id] ?? l.name;
  return (
    <section class="program-lists" aria-labelledby="lists-heading">
      <h3 id="lists-heading">{w.heading}</h3>
      <ul class="list-downloads">
        {lists.map((l) => (
          <li key={l.id} data-testid="program-list" data-id={l.id}>
            <span class="list-name">{name(l)}</span>
            {(['xlsx', 'csv'] as const).map((f) => (
              <a key={f} class="button-link" href={program.listUrl(l.id, f)} download aria-label={w.download(name(l), f.toUpperCase())}>
                {f.toUpperCase()}
              </a>
            ))}
          </li>
        ))}
      </ul>
      {maySafety(me.role) ? (
        <ImportForm lists={lists.filter((l) => l.importable)} name={name} onImported={onImported} />
      ) : (
        <p class="view-only">{w.safetyOnly}</p>
      )}
    </section>
  );
}

function ImportForm({ lists, name, onImported }: { lists: ListInfo[]; name: (l: ListInfo) => string; onImported: () => void }) {
  const { t } = useI18n();
  const w = t.v.program.lists;
  const [list, setList] = useState(lists[0]?.id ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<api.ApiError | string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (lists.length === 0) return null;

  const submit = (e: Event): void => {
    e.preventDefault();
    setDone(null);
    if (file === null) {
      setProblem(w.needFile);
      return;
    }
    setBusy(true);
    setProblem(null);
    program.importList(list, file).then(
      (r) => {
        setBusy(false);
        setDone(w.imported(r.saved.length));
        onImported();
      },
      (err: unknown) => {
        setBusy(false);
        setProblem(api.asApiError(err));
      },
    );
  };

  return (
    <form class="import-form" onSubmit={submit} aria-labelledby="import-heading">
      <h4 id="import-heading">{w.importHeading}</h4>
      <p class="hint" id="import-hint">
        {w.importHint}
      </p>
      <div class="inline">
        <div class="field">
          <label for="import-list">{w.importList}</label>
          <select id="import-list" value={list} onChange={(e) => setList(e.currentTarget.value)}>
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {name(l)}
              </option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for="import-file">{w.importFile}</label>
          <input
            id="import-file"
            type="file"
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby="import-hint"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {w.import}
        </button>
      </div>
      {done !== null && (
        <p class="done" role="status">
          {done}
        </p>
      )}
      {problem !== null && <ImportProblem problem={problem} />}
    </form>
  );
}

/** A 400 lists its faults after "nothing was saved; ", joined by "; ": one a line. */
function ImportProblem({ problem }: { problem: api.ApiError | string }) {
  const { t } = useI18n();
  if (typeof problem === 'string' || problem.status !== 400 || problem.hubMessage === null) {
    return <ProblemNote problem={problem} />;
  }
  const message = problem.hubMessage;
  const cut = message.indexOf('nothing was saved; ');
  const faults = (cut < 0 ? message : message.slice(cut + 'nothing was saved; '.length)).split('; ');
  return (
    <div class="problem" role="alert" data-testid="import-problem">
      <p>{t.v.program.lists.importFailed}</p>
      <ul>
        {faults.map((f, i) => (
          <li key={i}>{f}</li>
        ))}
      </ul>
    </div>
  );
}
