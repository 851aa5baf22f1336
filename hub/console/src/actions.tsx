// What the person may do to the alarm, by role: a guard only acknowledges,
// operators and above do everything, a viewer nothing. Each refusal shows
// next to the control that met it.

import { useId, useState } from 'preact/hooks';
import * as api from './api';
import { useI18n } from './i18n';
import { ProblemNote, type Problem } from './problem';
import { permission } from './roles';
import type { Alarm, Me, Resolution } from './types';

interface Props {
  alarm: Alarm;
  me: Me;
  onDone: (alarm: Alarm) => void;
  /** The alarm moved on before the action reached it (409). */
  onConflict: () => void;
}

type Where = 'buttons' | 'shelve' | 'close';

const RESOLUTIONS: Resolution[] = ['real', 'false', 'test', 'maintenance', 'other'];

export function Actions({ alarm, me, onDone, onConflict }: Props) {
  const { t } = useI18n();
  const uid = useId();
  const [note, setNote] = useState('');
  const [minutes, setMinutes] = useState('30');
  const [reason, setReason] = useState('');
  const [closing, setClosing] = useState(false);
  const [resolution, setResolution] = useState<Resolution | ''>('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ where: Where; problem: Problem } | null>(null);

  const may = permission(me.role);
  if (alarm.stage === 'closed') return null;
  if (may === 'none') return <p class="view-only">{t.viewOnly}</p>;
  const all = may === 'all';
  const canAck = !alarm.acknowledged;
  if (!canAck && !all) return null;

  async function run<A extends api.Action>(where: Where, action: A, body: api.ActionBodies[A]): Promise<void> {
    setBusy(true);
    setProblem(null);
    try {
      const updated = await api.act(alarm.id, action, body);
      setNote('');
      setReason('');
      setClosing(false);
      setResolution('');
      onDone(updated);
    } catch (e) {
      const err = api.asApiError(e);
      setProblem({ where, problem: err });
      if (err.status === 409) onConflict();
    } finally {
      setBusy(false);
    }
  }
  const noted = (): { note?: string } => (note.trim() === '' ? {} : { note: note.trim() });
  const problemAt = (where: Where) =>
    problem !== null && problem.where === where && <ProblemNote problem={problem.problem} />;

  const shelve = (e: Event): void => {
    e.preventDefault();
    const m = Number(minutes);
    if (!Number.isInteger(m) || m < 1) {
      setProblem({ where: 'shelve', problem: t.needMinutes });
      return;
    }
    void run('shelve', 'shelve', { minutes: m, reason: reason.trim() });
  };
  const close = (e: Event): void => {
    e.preventDefault();
    if (resolution === '') {
      setProblem({ where: 'close', problem: t.needResolution });
      return;
    }
    void run('close', 'close', { resolution, note: note.trim() });
  };

  return (
    <section class="actions" aria-labelledby={`${uid}-heading`}>
      <h3 id={`${uid}-heading`}>{t.actions}</h3>
      <label for={`${uid}-note`}>{t.note}</label>
      <textarea id={`${uid}-note`} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <div class="buttons">
        {canAck && (
          <button type="button" class="primary" disabled={busy} onClick={() => void run('buttons', 'ack', noted())}>
            {t.ack}
          </button>
        )}
        {all && alarm.owner !== me.name && (
          // No `to`: the hub assigns it to the caller.
          <button type="button" disabled={busy} onClick={() => void run('buttons', 'assign', {})}>
            {t.take}
          </button>
        )}
        {all && alarm.stage !== 'on_hold' && (
          <button type="button" disabled={busy} onClick={() => void run('buttons', 'hold', noted())}>
            {t.hold}
          </button>
        )}
        {all && alarm.shelved_until !== null && (
          <button type="button" disabled={busy} onClick={() => void run('buttons', 'unshelve', {})}>
            {t.unshelve}
          </button>
        )}
      </div>
      {problemAt('buttons')}
      {all && alarm.shelved_until === null && (
        <form class="inline" noValidate onSubmit={shelve}>
          <div class="field">
            <label for={`${uid}-minutes`}>{t.minutes}</label>
            <input
              id={`${uid}-minutes`}
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              value={minutes}
              onInput={(e) => setMinutes(e.currentTarget.value)}
            />
          </div>
          <div class="field grow">
            <label for={`${uid}-reason`}>{t.reason}</label>
            <input id={`${uid}-reason`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          <button type="submit" disabled={busy}>
            {t.shelve}
          </button>
          {problemAt('shelve')}
        </form>
      )}
      {all && !closing && (
        <button type="button" class="danger-outline" onClick={() => setClosing(true)}>
          {t.closeOpen}
        </button>
      )}
      {all && closing && (
        <form class="inline" noValidate onSubmit={close}>
          <div class="field">
            <label for={`${uid}-resolution`}>{t.resolution}</label>
            <select
              id={`${uid}-resolution`}
              value={resolution}
              onChange={(e) => setResolution(RESOLUTIONS.find((r) => r === e.currentTarget.value) ?? '')}
            >
              <option value="">{t.chooseResolution}</option>
              {RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {t.resolutions[r]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="danger" disabled={busy}>
            {t.closeSubmit}
          </button>
          <button type="button" class="quiet" onClick={() => setClosing(false)}>
            {t.cancel}
          </button>
          {problemAt('close')}
        </form>
      )}
    </section>
  );
}
