// A command's argument schema as form fields, and the form's values back as
// the `args` object. Only flat objects are drawn input by input: a property
// of another type is typed as JSON, so no command is out of reach.

import type { Dict } from './i18n';
import type { ArgSchema, JsonValue } from './types';

export type FieldKind =
  | { kind: 'text' }
  | { kind: 'number'; integer: boolean; min: number | null; max: number | null }
  | { kind: 'boolean' }
  | { kind: 'choice'; options: JsonValue[] }
  | { kind: 'json' };

/** What an input holds: text for most (a choice: its option's index), a tick for a checkbox. */
export type FieldValue = string | boolean;

export type ArgField = FieldKind & {
  name: string;
  description: string | null;
  required: boolean;
  initial: FieldValue;
};

/** The type named, without the `null` schemars adds for an optional field. */
function typeOf(s: ArgSchema): string | null {
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
  return types.find((x) => x !== 'null') ?? null;
}

/** `s` with a reference into `root`'s definitions followed; its own description kept. */
function resolved(root: ArgSchema, s: ArgSchema): ArgSchema {
  const only = s.allOf?.length === 1 ? s.allOf[0] : undefined;
  const target = only ?? s;
  const ref = target.$ref;
  if (ref === undefined) return target === s ? s : { ...resolved(root, target), ...described(s) };
  const [, where, name] = ref.split('/');
  const table = where === 'definitions' ? root.definitions : where === '$defs' ? root.$defs : undefined;
  const found = name === undefined ? undefined : table?.[name];
  return found === undefined ? s : { ...found, ...described(s), ...described(target) };
}

const described = (s: ArgSchema): ArgSchema => (s.description === undefined ? {} : { description: s.description });

function kindOf(s: ArgSchema): FieldKind {
  if (s.enum !== undefined && s.enum.length > 0) return { kind: 'choice', options: s.enum.filter((v) => v !== null) };
  switch (typeOf(s)) {
    case 'string':
      return { kind: 'text' };
    case 'integer':
    case 'number':
      return {
        kind: 'number',
        integer: typeOf(s) === 'integer',
        min: s.minimum ?? null,
        max: s.maximum ?? null,
      };
    case 'boolean':
      return { kind: 'boolean' };
    default:
      return { kind: 'json' };
  }
}

/** The value an input starts with: the schema's default, else empty. */
function initialOf(kind: FieldKind, d: JsonValue | undefined): FieldValue {
  if (kind.kind === 'boolean') return d === true;
  if (d === undefined || d === null) return '';
  if (kind.kind === 'choice') {
    const i = kind.options.findIndex((o) => JSON.stringify(o) === JSON.stringify(d));
    return i < 0 ? '' : String(i);
  }
  return typeof d === 'string' && kind.kind !== 'json' ? d : JSON.stringify(d);
}

/** The fields of `schema`, in its order; none for a command without arguments. */
export function argFields(schema: ArgSchema | null): ArgField[] {
  if (schema === null) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const s = resolved(schema, raw);
    const kind = kindOf(s);
    return {
      ...kind,
      name,
      description: s.description ?? s.title ?? null,
      required: required.has(name),
      initial: initialOf(kind, s.default),
    };
  });
}

/** The `args` the form's values make, or what to tell the person first. */
export function argsOf(
  t: Dict,
  fields: ArgField[],
  values: Readonly<Record<string, FieldValue>>,
): { args: { [key: string]: JsonValue } } | { problem: string } {
  const args: { [key: string]: JsonValue } = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'boolean') {
      args[f.name] = v === true;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    // An empty optional field is left out: the driver takes its default.
    if (text === '') {
      if (f.required) return { problem: t.needValue(f.name) };
      continue;
    }
    switch (f.kind) {
      case 'text':
        args[f.name] = text;
        break;
      case 'number': {
        const n = Number(text);
        const fits =
          Number.isFinite(n) &&
          (!f.integer || Number.isInteger(n)) &&
          (f.min === null || n >= f.min) &&
          (f.max === null || n <= f.max);
        if (!fits) return { problem: t.needNumber(f.name) };
        args[f.name] = n;
        break;
      }
      case 'choice': {
        const chosen = f.options[Number(text)];
        if (chosen === undefined) return { problem: t.needValue(f.name) };
        args[f.name] = chosen;
        break;
      }
      case 'json':
        try {
          args[f.name] = JSON.parse(text) as JsonValue;
        } catch {
          return { problem: t.needJson(f.name) };
        }
        break;
    }
  }
  return { args };
}
