// The steps of a hazard's loop the caller may take now, each opening its
// form: 即查即改 (note, photos), 下发整改通知 (unit, person, deadline), the
// 重大 hazard's treatment plan, rectification's start, progress and
// submission, acceptance or its refusal, cancelling (a reason). Only the
// steps the caller may take are offered (hazard.rs `check`): the
// rectification steps to the people of the hazard's unit (or a unit above
// it) and safety officers; acceptance and its refusal to safety officers
// (never the one who submitted it); notices, a 重大 hazard's acceptance and
// withdrawing what counts to the program office. The hub checks again; a
// refusal shows by the form.

import { useId, useState } from 'preact/hooks';
import * as api from './api';
import { useI18n } from './i18n';
import { PhotoPicker } from './photopicker';
import { ProblemNote, type Problem } from './problem';
import * as program from './programapi';
import type { Hazard, Photo, Plan, StepBody, StepName } from './programtypes';
import { usePowers, useProgramSettings, useUnitName, type Powers } from './programsettings';
import type { Me } from './types';

/** The steps the loop allows from `h`'s state that the caller may take. */
export function stepsFor(h: Hazard, may: Powers): StepName[] {
  const { safety, office } = may;
  const ours = may.ofUnit(h.unit);
  const out: StepName[] = [];
  const submitter = [...h.steps].reverse().find((s) => s.kind === 'hazard.submitted')?.actor ?? null;
  const judge = safety && submitter !== may.actor;
  switch (h.state) {
    case 'reported':
      // 即查即改 for what a person found; the office's finds and a rule's
      // hazards go through a notice (第十七条) and acceptance.
      if (ours && h.level === 'general' && !h.found_by_office && h.origin !== 'rule') out.push('fix');
      if (office) out.push('notice');
      break;
    case 'notified':
      if (ours && h.level === 'major') out.push('plan');
      if (ours && (h.level === 'general' || h.plan !== null)) out.push('start');
      break;
    case 'rectifying':
      if (ours && h.level === 'major') out.push('plan');
      if (ours) out.push('progress', 'submit');
      break;
    case 'submitted':
      if (judge && (h.level === 'general' || office)) out.push('accept');
      if (judge) out.push('reject');
      break;
    case 'closed':
    case 'cancelled':
      return [];
  }
  // A reported duplicate any safety officer withdraws; once noticed, 重大 or
  // found by the office, only the office.
  const plain = h.state === 'reported' && h.level === 'general' && !h.found_by_office;
  if (office || (safety && plain)) out.push('cancel');
  return out;
}

/** Steps the hub refuses while a rule's device condition holds. */
const WAIT_FOR_CONDITION: StepName[] = ['fix', 'accept'];
const NEED_NOTE: StepName[] = ['fix', 'progress', 'submit', 'accept', 'reject'];
const WITH_PHOTOS: StepName[] = ['fix', 'start', 'progress', 'submit', 'accept', 'reject'];
const PLAN_FIELDS = ['goal', 'measures', 'funds', 'people', 'deadline', 'safety'] as const;
const EMPTY_PLAN: Plan = { goal: '', measures: '', funds: '', people: '', deadline: '', safety: '' };

export function StepActions({ hazard: h, me, onDone }: { hazard: Hazard; me: Me; onDone: (h: Hazard, step: StepName) => void }) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const [open, setOpen] = useState<StepName | null>(null);
  const steps = stepsFor(h, usePowers(me));
  if (steps.length === 0) return null;
  const waiting = h.condition_active && steps.some((s) => WAIT_FOR_CONDITION.includes(s));
  return (
    <div class="hazard-actions" role="group" aria-label={w.actionsLabel(h.id)}>
      <div class="buttons">
        {steps.map((s) => (
          <button
            key={s}
            type="button"
            class={s === 'cancel' || s === 'reject' ? 'danger-outline' : undefined}
            aria-expanded={open === s}
            data-step={s}
            disabled={h.condition_active && WAIT_FOR_CONDITION.includes(s)}
            onClick={() => setOpen(open === s ? null : s)}
          >
            {w.actions[s]}
          </button>
        ))}
      </div>
      {waiting && <p class="hint">{w.waitCondition}</p>}
      {open !== null && (
        <StepForm
          key={open}
          hazard={h}
          step={open}
          onDiscard={() => setOpen(null)}
          onDone={(next) => {
            setOpen(null);
            onDone(next, open);
          }}
        />
      )}
    </div>
  );
}

function StepForm({
  hazard: h,
  step,
  onDiscard,
  onDone,
}: {
  hazard: Hazard;
  step: StepName;
  onDiscard: () => void;
  onDone: (h: Hazard) => void;
}) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const uid = useId();
  const settings = useProgramSettings();
  const unitName = useUnitName();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [unit, setUnit] = useState('');
  const [person, setPerson] = useState('');
  const [deadline, setDeadline] = useState('');
  const [plan, setPlan] = useState<Plan>(h.plan ?? EMPTY_PLAN);
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const body = (): StepBody | string => {
    const n = note.trim();
    const withNote: StepBody = n === '' ? {} : { note: n };
    const withPhotos: StepBody = WITH_PHOTOS.includes(step) && photos.length > 0 ? { photos } : {};
    if (NEED_NOTE.includes(step) && n === '') return w.needNote;
    switch (step) {
      case 'notice':
        return {
          ...withNote,
          ...(unit.trim() === '' ? {} : { unit: unit.trim() }),
          ...(person.trim() === '' ? {} : { person: person.trim() }),
          ...(deadline === '' ? {} : { deadline }),
        };
      case 'plan': {
        const p = Object.fromEntries(PLAN_FIELDS.map((k) => [k, plan[k].trim()])) as unknown as Plan;
        if (PLAN_FIELDS.some((k) => p[k] === '') || !/^\d{4}-\d{2}-\d{2}$/.test(p.deadline)) return w.needPlan;
        return { plan: p };
      }
      case 'cancel':
        return reason.trim() === '' ? w.needReason : { reason: reason.trim() };
      default:
        return { ...withNote, ...withPhotos };
    }
  };

  const submit = (e: Event): void => {
    e.preventDefault();
    const b = body();
    if (typeof b === 'string') {
      setProblem(b);
      return;
    }
    setBusy(true);
    setProblem(null);
    program.step(h.id, step, b).then(
      (next) => {
        setBusy(false);
        onDone(next);
      },
      (err: unknown) => {
        setBusy(false);
        setProblem(api.asApiError(err));
      },
    );
  };

  const text = (id: string, label: string, value: string, set: (v: string) => void, rows = 0) => (
    <>
      <label for={`${uid}-${id}`}>{label}</label>
      {rows > 0 ? (
        <textarea id={`${uid}-${id}`} rows={rows} value={value} onInput={(e) => set(e.currentTarget.value)} />
      ) : (
        <input id={`${uid}-${id}`} value={value} onInput={(e) => set(e.currentTarget.value)} />
      )}
    </>
  );

  return (
    <form class="step-form" onSubmit={submit} aria-label={w.actions[step]} data-step={step}>
      {step === 'cancel' && text('reason', w.reason, reason, setReason, 2)}
      {step === 'notice' && (
        <>
          {settings === null || settings.units.length === 0 ? (
            text('unit', w.noticeUnit, unit, setUnit)
          ) : (
            <>
              <label for={`${uid}-unit`}>{w.noticeUnit}</label>
              <select id={`${uid}-unit`} value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
                <option value="">{h.unit === null ? t.choose : unitName(h.unit)}</option>
                {settings.units
                  .filter((u) => u.id !== h.unit)
                  .map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
              </select>
            </>
          )}
          {text('person', w.noticePerson, person, setPerson)}
          <label for={`${uid}-deadline`}>{w.noticeDeadline}</label>
          <input id={`${uid}-deadline`} type="date" value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
        </>
      )}
      {step === 'plan' &&
        PLAN_FIELDS.map((k) =>
          k === 'deadline' ? (
            <div key={k}>
              <label for={`${uid}-plan-${k}`}>{w.planFields[k]}</label>
              <input
                id={`${uid}-plan-${k}`}
                type="date"
                value={plan.deadline}
                onInput={(e) => setPlan({ ...plan, deadline: e.currentTarget.value })}
              />
            </div>
          ) : (
            <div key={k}>{text(`plan-${k}`, w.planFields[k], plan[k], (v) => setPlan({ ...plan, [k]: v }), 2)}</div>
          ),
        )}
      {step !== 'cancel' && step !== 'plan' && text('note', NEED_NOTE.includes(step) ? w.note : w.noteOptional, note, setNote, 3)}
      {WITH_PHOTOS.includes(step) && <PhotoPicker label={w.photos} photos={photos} onChange={setPhotos} />}
      {problem !== null && <ProblemNote problem={problem} />}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {w.confirm}
        </button>
        <button type="button" class="quiet" onClick={onDiscard}>
          {w.discard}
        </button>
      </div>
    </form>
  );
}
