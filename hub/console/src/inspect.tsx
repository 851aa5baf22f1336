// The inspector's phone (现场巡查): the rounds owed now, one round's
// checklist (each item OK or a hazard found, a note, a photo from the
// camera), and a hazard reported on the spot. What is submitted waits in the
// outbox until the hub has it (outbox.ts): a dead spot in a basement loses
// nothing, and the count of what waits stays on screen. A viewer sees the
// rounds and does none.

import { useEffect, useId, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import { outbox } from './outbox';
import { OutboxStatus, useOutbox } from './outboxstatus';
import { PhotoPicker } from './photopicker';
import { MAX_PHOTOS } from './photos';
import { usePolled } from './polled';
import * as program from './programapi';
import { ProgramSettingsProvider, usePowers } from './programsettings';
import type { HazardLevel, Photo, RoundInput, Task } from './programtypes';
import { ReportForm } from './report';
import { owed } from './rounds';
import type { Me } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

const POLL_MS = 30_000;

export function Inspect({ me, names }: { me: Me; names: ZoneNames }) {
  return (
    <ProgramSettingsProvider me={me}>
      <InspectView me={me} names={names} />
    </ProgramSettingsProvider>
  );
}

function InspectView({ me, names }: { me: Me; names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.inspect;
  const polled = usePolled(program.inspections, POLL_MS);
  const box = useOutbox();
  // A round the hub now has is no longer owed: ask again, so it is not offered twice.
  const sentCount = box.sent.length;
  const reload = polled.reload;
  useEffect(() => {
    if (sentCount > 0) reload();
  }, [sentCount, reload]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [reporting, setReporting] = useState(false);
  const may = usePowers(me).act;
  const tasks = polled.data?.tasks ?? [];
  const task = may ? tasks.find((k) => k.id === chosen) ?? null : null;
  const waiting = new Set(box.pending.flatMap((p) => (p.kind === 'round' && p.task !== undefined ? [p.task] : [])));
  const due = tasks.filter(owed);
  const done = tasks.filter((k) => k.period !== null && k.done !== null);

  return (
    <section class="view inspect" aria-labelledby="inspect-heading">
      <ViewHead id="inspect-heading" heading={w.heading} polled={polled} />
      <OutboxStatus state={box} />
      {task !== null ? (
        <RoundForm
          key={task.id}
          task={task}
          names={names}
          onBack={() => setChosen(null)}
          onQueued={() => {
            setChosen(null);
            polled.reload();
          }}
        />
      ) : (
        <>
          {polled.data !== null && (
            <section aria-labelledby="inspect-today">
              <h3 id="inspect-today">{w.today}</h3>
              {due.length === 0 && <p class="empty">{w.noneDue}</p>}
              <ul class="task-cards">
                {due.map((k) => (
                  <li key={k.id} class="task-card" data-testid="due-task" data-id={k.id}>
                    <div class="task-what">
                      <strong>{k.name}</strong>
                      <small>
                        {zoneName(names, k.zone)} · {t.v.program.rounds.frequencies[k.every] ?? k.every} · {k.period?.key}
                      </small>
                    </div>
                    {!may ? null : waiting.has(k.id) ? (
                      <p class="waiting-note">{w.waitingToSend}</p>
                    ) : (
                      <button type="button" class="primary big" onClick={() => setChosen(k.id)}>
                        {w.start(k.name)}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              {done.length > 0 && (
                <>
                  <h4>{w.doneHeading}</h4>
                  <ul class="plain done-tasks">
                    {done.map((k) => (
                      <li key={k.id}>
                        {k.name} · {t.v.program.rounds.done(k.done ?? '')}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          )}
          {may ? (
            <>
              <div class="buttons">
                <button type="button" class="big" aria-expanded={reporting} onClick={() => setReporting(!reporting)}>
                  {w.reportOpen}
                </button>
              </div>
              {reporting && <ReportForm names={names} camera />}
            </>
          ) : (
            <p class="view-only">{w.viewOnly}</p>
          )}
        </>
      )}
    </section>
  );
}

interface ItemState {
  ok: boolean | null;
  note: string;
  level: HazardLevel;
  photos: Photo[];
}

const blank = (): ItemState => ({ ok: null, note: '', level: 'general', photos: [] });

function RoundForm({ task, names, onBack, onQueued }: { task: Task; names: ZoneNames; onBack: () => void; onQueued: () => void }) {
  const { t } = useI18n();
  const w = t.v.inspect;
  const uid = useId();
  const [items, setItems] = useState<ItemState[]>(() => task.checklist.map(blank));
  const [problem, setProblem] = useState<string | null>(null);
  const set = (i: number, change: Partial<ItemState>): void => {
    setProblem(null);
    setItems((xs) => xs.map((x, j) => (j === i ? { ...x, ...change } : x)));
  };
  const photoCount = items.reduce((n, x) => n + x.photos.length, 0);

  const submit = (e: Event): void => {
    e.preventDefault();
    const unticked = task.checklist.find((_, i) => items[i]?.ok === null);
    if (unticked !== undefined) {
      setProblem(w.needTick(unticked));
      return;
    }
    const undescribed = task.checklist.find((_, i) => items[i]?.ok === false && items[i]?.note.trim() === '');
    if (undescribed !== undefined) {
      setProblem(w.needHazardNote(undescribed));
      return;
    }
    const body: Omit<RoundInput, 'client_id'> = {
      task: task.id,
      items: task.checklist.map((item, i) => {
        const note = items[i]?.note.trim() ?? '';
        return { item, ok: items[i]?.ok === true, ...(note === '' ? {} : { note }) };
      }),
      hazards: task.checklist.flatMap((item, i) => {
        const x = items[i];
        return x === undefined || x.ok !== false ? [] : [{ item, description: x.note.trim(), level: x.level }];
      }),
      photos: items.flatMap((x) => x.photos),
      // Sent later from the outbox, it still counts for today.
      done_ms: Date.now(),
    };
    try {
      outbox.add({ kind: 'round', path: program.ROUNDS, body: { ...body }, label: task.name, task: task.id });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      return;
    }
    onQueued();
  };

  return (
    <form class="round-form" onSubmit={submit} aria-labelledby={`${uid}-h`} data-testid="round-form">
      <h3 id={`${uid}-h`}>{w.roundOf(task.name)}</h3>
      <p class="hint">
        {zoneName(names, task.zone)} · {task.point_name ?? task.point} · {task.period?.key}
      </p>
      <ol class="checklist" aria-label={w.itemsLegend}>
        {task.checklist.map((item, i) => {
          const x = items[i] ?? blank();
          return (
            <li key={i}>
              <fieldset class={x.ok === false ? 'check-item found' : 'check-item'} data-testid="check-item">
                <legend>{item}</legend>
                <div class="choice">
                  <label class="check big-choice">
                    <input type="radio" name={`${uid}-${i}`} checked={x.ok === true} onChange={() => set(i, { ok: true })} />
                    {w.ok}
                  </label>
                  <label class="check big-choice">
                    <input type="radio" name={`${uid}-${i}`} checked={x.ok === false} onChange={() => set(i, { ok: false })} />
                    {w.hazard}
                  </label>
                </div>
                <label for={`${uid}-${i}-note`}>{x.ok === false ? w.hazardNote : w.note}</label>
                <textarea id={`${uid}-${i}-note`} rows={2} value={x.note} onInput={(e) => set(i, { note: e.currentTarget.value })} />
                {x.ok === false && (
                  <>
                    <label for={`${uid}-${i}-level`}>{w.level}</label>
                    <select id={`${uid}-${i}-level`} value={x.level} onChange={(e) => set(i, { level: e.currentTarget.value as HazardLevel })}>
                      <option value="general">{t.v.program.hazards.levels.general}</option>
                      <option value="major">{t.v.program.hazards.levels.major}</option>
                    </select>
                  </>
                )}
                <PhotoPicker
                  label={w.photo}
                  camera
                  photos={x.photos}
                  limit={MAX_PHOTOS - (photoCount - x.photos.length)}
                  onChange={(photos) => set(i, { photos })}
                />
              </fieldset>
            </li>
          );
        })}
      </ol>
      {problem !== null && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      <div class="buttons">
        <button type="submit" class="primary big">
          {w.submit}
        </button>
        <button type="button" class="quiet big" onClick={onBack}>
          {w.back}
        </button>
      </div>
    </form>
  );
}
