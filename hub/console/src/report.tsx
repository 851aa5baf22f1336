// Reporting a hazard (隐患上报): where, what, how grave, photos. The report
// goes into the outbox with its client_id and is sent from there, so a
// phone out of reach loses nothing and a resend makes no second hazard.
// The categories are the hub's (`[program] categories`).

import { useId, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import { outbox } from './outbox';
import { useOutbox } from './outboxstatus';
import { PhotoPicker } from './photopicker';
import { REPORTS } from './programapi';
import { useCategories, useCategoryName } from './programsettings';
import type { HazardLevel, Photo, ReportInput } from './programtypes';
import type { ZoneNames } from './zones';

/** The hub's category when a report names none. */
const DEFAULT_CATEGORY = 'other';
/** The first words of a description name the entry in the outbox. */
const LABEL_CHARS = 24;

/** Where the last report stands: waiting, sent, or refused (the outbox says why). */
function LastReport({ last }: { last: { id: string; label: string } | null }) {
  const { t } = useI18n();
  const w = t.v.inspect;
  const box = useOutbox();
  if (last === null) return null;
  const at = (xs: { client_id: string }[]): boolean => xs.some((x) => x.client_id === last.id);
  const said = at(box.pending) ? w.saved(last.label) : at(box.sent) ? w.sent(last.label) : at(box.refused) ? w.refusedOne(last.label) : null;
  if (said === null) return null;
  return (
    <p class={at(box.refused) ? 'problem' : 'done'} role="status">
      {said}
    </p>
  );
}

export function ReportForm({ names, zone: preset = '', camera = false, onQueued }: {
  names: ZoneNames;
  /** The zone to start with (the round's). */
  zone?: string;
  camera?: boolean;
  onQueued?: () => void;
}) {
  const { t, lang } = useI18n();
  const w = t.v.program.report;
  const uid = useId();
  const [zone, setZone] = useState(preset);
  const [description, setDescription] = useState('');
  const [level, setLevel] = useState<HazardLevel>('general');
  const categories = useCategories();
  const categoryName = useCategoryName();
  const [chosen, setChosen] = useState<string | null>(null);
  // Until the hub has named its categories the report names none (the hub's default).
  const category =
    categories === null ? null : chosen !== null && categories.includes(chosen) ? chosen : categories.includes(DEFAULT_CATEGORY) ? DEFAULT_CATEGORY : categories[0] ?? null;
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  // The last report made here, followed through the outbox.
  const [last, setLast] = useState<{ id: string; label: string } | null>(null);
  const zones = [...names].sort((a, b) => a[1].localeCompare(b[1], lang));

  const submit = (e: Event): void => {
    e.preventDefault();
    setLast(null);
    if (zone.trim() === '') {
      setProblem(w.needZone);
      return;
    }
    if (description.trim() === '') {
      setProblem(w.needDescription);
      return;
    }
    setProblem(null);
    const text = description.trim();
    const body: Omit<ReportInput, 'client_id'> = {
      zone: zone.trim(),
      description: text,
      level,
      ...(category === null ? {} : { category }),
      photos,
    };
    const label = text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS)}…` : text;
    try {
      setLast({ id: outbox.add({ kind: 'report', path: REPORTS, body: { ...body }, label }), label });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      return;
    }
    setDescription('');
    setPhotos([]);
    onQueued?.();
  };

  return (
    <form class="report-form" onSubmit={submit} aria-labelledby={`${uid}-h`} data-testid="report-form">
      <h3 id={`${uid}-h`}>{w.heading}</h3>
      <label for={`${uid}-zone`}>{w.zone}</label>
      {zones.length > 0 ? (
        <select id={`${uid}-zone`} value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
          <option value="">{t.choose}</option>
          {zones.map(([path, name]) => (
            <option key={path} value={path}>
              {name}
            </option>
          ))}
        </select>
      ) : (
        <input id={`${uid}-zone`} value={zone} onInput={(e) => setZone(e.currentTarget.value)} />
      )}
      <label for={`${uid}-desc`}>{w.description}</label>
      <textarea id={`${uid}-desc`} rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      <div class="inline">
        <div class="field">
          <label for={`${uid}-level`}>{w.level}</label>
          <select id={`${uid}-level`} value={level} onChange={(e) => setLevel(e.currentTarget.value as HazardLevel)}>
            <option value="general">{t.v.program.hazards.levels.general}</option>
            <option value="major">{t.v.program.hazards.levels.major}</option>
          </select>
        </div>
        {categories !== null && categories.length > 0 && (
          <div class="field">
            <label for={`${uid}-cat`}>{w.category}</label>
            <select id={`${uid}-cat`} value={category ?? ''} onChange={(e) => setChosen(e.currentTarget.value)}>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {categoryName(c)}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <PhotoPicker label={w.photos} photos={photos} onChange={setPhotos} camera={camera} />
      {problem !== null && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      <div class="buttons">
        <button type="submit" class="primary big">
          {w.submit}
        </button>
      </div>
      <LastReport last={last} />
    </form>
  );
}
