// The site's zones as the tree the config makes of them, a checkbox each. A
// broadcast to a zone reaches the zones below it too, so those show ticked
// (and fixed) under a ticked zone rather than seeming left out.

import { useI18n } from './i18n';
import type { Zone } from './types';

interface Props {
  zones: Zone[];
  chosen: ReadonlySet<string>;
  onChange: (chosen: ReadonlySet<string>) => void;
  disabled: boolean;
}

/** Zone id → its children, in the config's order; `null` holds the roots. */
function children(zones: Zone[]): Map<string | null, Zone[]> {
  const known = new Set(zones.map((z) => z.id));
  const map = new Map<string | null, Zone[]>();
  for (const z of zones) {
    // A parent the list lacks would hide the zone: it goes with the roots.
    const parent = z.parent !== null && known.has(z.parent) ? z.parent : null;
    map.set(parent, [...(map.get(parent) ?? []), z]);
  }
  return map;
}

/** The chosen zones no chosen zone already covers: what the hub needs to be told. */
export function topmost(zones: Zone[], chosen: ReadonlySet<string>): string[] {
  const parent = new Map(zones.map((z) => [z.id, z.parent]));
  const covered = (id: string): boolean => {
    let p = parent.get(id) ?? null;
    // Bounded by the zone count, so a cycle in the config cannot loop for ever.
    for (let hops = 0; p !== null && hops < zones.length; hops++) {
      if (chosen.has(p)) return true;
      p = parent.get(p) ?? null;
    }
    return false;
  };
  return zones.filter((z) => chosen.has(z.id) && !covered(z.id)).map((z) => z.id);
}

export function ZoneTree({ zones, chosen, onChange, disabled }: Props) {
  const { t } = useI18n();
  const tree = children(zones);
  const toggle = (id: string, on: boolean): void => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  const branch = (parent: string | null, covered: boolean, depth: number) => {
    const kids = tree.get(parent) ?? [];
    // The depth bound keeps a config with a cycle from recursing for ever.
    if (kids.length === 0 || depth > zones.length) return null;
    return (
      <ul class={parent === null ? 'zone-tree' : undefined}>
        {kids.map((z) => {
          const ticked = covered || chosen.has(z.id);
          return (
            <li key={z.id}>
              <label class="check">
                <input
                  type="checkbox"
                  value={z.id}
                  checked={ticked}
                  disabled={covered}
                  onChange={(e) => toggle(z.id, e.currentTarget.checked)}
                />
                {z.name}
              </label>
              {branch(z.id, ticked, depth + 1)}
            </li>
          );
        })}
      </ul>
    );
  };
  return (
    <fieldset class="zones" disabled={disabled}>
      <legend>{t.zonesLegend}</legend>
      <p class="hint">{t.zonesHint}</p>
      {branch(null, false, 0)}
    </fieldset>
  );
}
