// The program's settings (`GET /api/v1/program`): the category table, the
// terms and today's, the units and their names, and which units the caller
// answers for. Fetched by the program's views and handed down by context;
// the last answer is kept on the phone, so a page opened where the network
// is gone still offers the categories and the units' names.

import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import * as program from './programapi';
import type { ProgramSettings } from './programtypes';
import { mayAct, maySafety } from './roles';
import type { Me } from './types';

/** Settings change with hub.toml: this often is enough. */
const POLL_MS = 300_000;
const KEY = 'twinwall.program.v1';

/** The last answer, per person (another person's units are not theirs). */
function kept(actor: string): ProgramSettings | null {
  try {
    const text = localStorage.getItem(KEY);
    const v: unknown = text === null ? null : JSON.parse(text);
    if (typeof v === 'object' && v !== null && 'actor' in v && v.actor === actor && 'settings' in v) {
      const s = v.settings as ProgramSettings;
      return typeof s === 'object' && s !== null && Array.isArray(s.units) && Array.isArray(s.terms) ? s : null;
    }
  } catch {
    // Storage off or the entry spoiled: fetched again below.
  }
  return null;
}

function keep(actor: string, settings: ProgramSettings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ actor, settings }));
  } catch {
    // Full: the page still has them.
  }
}

const ProgramContext = createContext<ProgramSettings | null>(null);

/** Fetches the settings for `me` and hands them to the views below. */
export function ProgramSettingsProvider({ me, children }: { me: Me; children: ComponentChildren }) {
  const [settings, setSettings] = useState<ProgramSettings | null>(() => kept(me.actor));
  useEffect(() => {
    let gone = false;
    const load = (): void => {
      program.settings().then(
        (s) => {
          if (gone) return;
          keep(me.actor, s);
          setSettings(s);
        },
        // Kept as they were: the views fall back to ids and the role.
        () => undefined,
      );
    };
    load();
    const timer = window.setInterval(load, POLL_MS);
    return () => {
      gone = true;
      window.clearInterval(timer);
    };
  }, [me.actor]);
  return <ProgramContext.Provider value={settings}>{children}</ProgramContext.Provider>;
}

/** The settings, or null until the hub has answered once. */
export function useProgramSettings(): ProgramSettings | null {
  return useContext(ProgramContext);
}

/** A unit's name, else its id. */
export function useUnitName(): (id: string | null | undefined) => string {
  const s = useProgramSettings();
  return (id) => {
    if (id === null || id === undefined || id === '') return '—';
    return s?.units.find((u) => u.id === id)?.name ?? id;
  };
}

/**
 * A category's name: in Chinese the hub's (hub.toml may rename one), in
 * English the console's word where it has one, else the hub's.
 */
export function useCategoryName(): (code: string) => string {
  const s = useProgramSettings();
  const { t, lang } = useI18n();
  const own = t.v.program.categories;
  return (code) => (lang === 'en' ? own[code] ?? s?.categories[code] : s?.categories[code] ?? own[code]) ?? code;
}

/** The category codes the hub takes, in its order; null until it has said. */
export function useCategories(): string[] | null {
  const s = useProgramSettings();
  return s === null ? null : Object.keys(s.categories);
}

/** What the caller may do with a hazard of `unit`: the unit's steps, the safety officer's, the office's. */
export interface Powers {
  /** Report, do rounds, take the steps of a hazard of one's own units. */
  act: boolean;
  safety: boolean;
  /** Of the program office: accepts 重大 hazards. */
  office: boolean;
  /** Takes the rectification steps of a hazard of `unit`. */
  ofUnit: (unit: string | null) => boolean;
  /** Who the caller is on the log (`name#login`): nobody judges what they submitted. */
  actor: string;
}

export function usePowers(me: Me): Powers {
  const s = useProgramSettings();
  const act = mayAct(me.role);
  const safety = maySafety(me.role);
  // Until the hub says which units are theirs: their own.
  const units = s?.you.units ?? (me.unit === null ? [] : [me.unit]);
  return {
    act,
    safety,
    office: safety && (s?.you.office ?? false),
    ofUnit: (unit) => act && (safety || (unit !== null && units.includes(unit))),
    actor: me.actor,
  };
}
