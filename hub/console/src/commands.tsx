// A device's commands, those the person's role may give: a button each, or a
// small form when the command takes arguments. The hub answers once the
// device confirmed, so the outcome shown is the device's.

import { useId, useState } from 'preact/hooks';
import * as api from './api';
import { commandName, formatTime, useI18n } from './i18n';
import { ProblemNote, type Problem } from './problem';
import { argFields, argsOf, type ArgField, type FieldValue } from './schema';
import type { CommandSpec, JsonValue } from './types';

interface Outcome {
  command: string;
  at: string;
  result: { done: true; ms: number } | { done: false; problem: Problem };
}

export function Commands({ device, specs }: { device: string; specs: CommandSpec[] }) {
  const { t, lang } = useI18n();
  const uid = useId();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const send = async (command: string, args: { [key: string]: JsonValue }): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    const at = (): string => new Date().toISOString();
    try {
      const done = await api.command(device, command, args);
      setOutcome({ command, at: at(), result: { done: true, ms: done.ms } });
    } catch (e) {
      setOutcome({ command, at: at(), result: { done: false, problem: api.asApiError(e) } });
    } finally {
      setBusy(false);
    }
  };
  const refused = (command: string, problem: string): void =>
    setOutcome({ command, at: new Date().toISOString(), result: { done: false, problem } });

  return (
    <div class="commands" role="group" aria-labelledby={`${uid}-heading`}>
      <h5 id={`${uid}-heading`}>{t.commands}</h5>
      <div class="buttons">
        {specs.map((spec) => (
          <CommandControl
            key={spec.name}
            spec={spec}
            busy={busy}
            onSend={(args) => void send(spec.name, args)}
            onRefused={(p) => refused(spec.name, p)}
          />
        ))}
      </div>
      {outcome !== null && (
        <div class={outcome.result.done ? 'outcome done' : 'outcome failed'}>
          <p role={outcome.result.done ? 'status' : undefined}>
            <code>{outcome.command}</code> <time dateTime={outcome.at}>{formatTime(outcome.at, lang)}</time>
            {outcome.result.done && <> {t.commandDone(outcome.result.ms)}</>}
          </p>
          {!outcome.result.done && <ProblemNote problem={outcome.result.problem} headlines={t.commandFailures} />}
        </div>
      )}
    </div>
  );
}

interface ControlProps {
  spec: CommandSpec;
  busy: boolean;
  onSend: (args: { [key: string]: JsonValue }) => void;
  onRefused: (problem: string) => void;
}

/** Named by the command's own name (what drivers, rules and the README call it); its words describe it. */
function CommandControl({ spec, busy, onSend, onRefused }: ControlProps) {
  const { t } = useI18n();
  const uid = useId();
  const fields = argFields(spec.args_schema);
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.initial])),
  );
  const words = commandName(t, spec.name) ?? (spec.description === '' ? null : spec.description);
  const described = words === null ? undefined : `${uid}-words`;
  const button = (type: 'button' | 'submit', onClick?: () => void) => (
    <button type={type} data-command={spec.name} aria-describedby={described} disabled={busy} onClick={onClick}>
      {spec.name}
    </button>
  );
  const wordsNote = words !== null && (
    <span class="command-words" id={described}>
      {words}
    </span>
  );

  if (fields.length === 0) {
    return (
      <span class="command">
        {button('button', () => onSend({}))}
        {wordsNote}
      </span>
    );
  }
  const submit = (e: Event): void => {
    e.preventDefault();
    const made = argsOf(t, fields, values);
    if ('problem' in made) onRefused(made.problem);
    else onSend(made.args);
  };
  return (
    <form class="command inline" noValidate onSubmit={submit}>
      {fields.map((f) => (
        <ArgInput
          key={f.name}
          id={`${uid}-${f.name}`}
          field={f}
          value={values[f.name] ?? f.initial}
          onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
        />
      ))}
      {button('submit')}
      {wordsNote}
    </form>
  );
}

interface InputProps {
  id: string;
  field: ArgField;
  value: FieldValue;
  onChange: (v: FieldValue) => void;
}

/** Labelled by the property's name and its description, so the person knows what the driver wants. */
function ArgInput({ id, field: f, value, onChange }: InputProps) {
  const { t } = useI18n();
  const label = (
    <label for={id}>
      <code>{f.name}</code>
      {f.description !== null && <span class="hint"> {f.description}</span>}
    </label>
  );
  const text = typeof value === 'string' ? value : '';
  switch (f.kind) {
    case 'boolean':
      return (
        <div class="field check">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.currentTarget.checked)}
          />
          {label}
        </div>
      );
    case 'choice':
      return (
        <div class="field">
          {label}
          <select id={id} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">{t.choose}</option>
            {f.options.map((o, i) => (
              <option key={i} value={String(i)}>
                {typeof o === 'string' ? o : JSON.stringify(o)}
              </option>
            ))}
          </select>
        </div>
      );
    case 'number':
      return (
        <div class="field">
          {label}
          <input
            id={id}
            type="number"
            inputMode={f.integer ? 'numeric' : 'decimal'}
            step={f.integer ? 1 : 'any'}
            min={f.min ?? undefined}
            max={f.max ?? undefined}
            value={text}
            onInput={(e) => onChange(e.currentTarget.value)}
          />
        </div>
      );
    case 'text':
    case 'json':
      return (
        <div class="field grow">
          {label}
          <input
            id={id}
            spellcheck={false}
            class={f.kind === 'json' ? 'json' : undefined}
            value={text}
            onInput={(e) => onChange(e.currentTarget.value)}
          />
        </div>
      );
  }
}
