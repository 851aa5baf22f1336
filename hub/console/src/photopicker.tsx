// Pictures for a round, a report or a step: a file input (the phone's camera
// when `camera`), the pictures taken so far and a button to drop each.

import { useId, useState } from 'preact/hooks';
import { useI18n } from './i18n';
import { MAX_PHOTOS, photoOf, photoUrl } from './photos';
import type { Photo } from './programtypes';

export function PhotoPicker({
  label,
  photos,
  onChange,
  limit = MAX_PHOTOS,
  camera = false,
}: {
  label: string;
  photos: Photo[];
  onChange: (photos: Photo[]) => void;
  /** How many this picker may hold (the six are shared across a round's items). */
  limit?: number;
  /** Open the back camera on a phone (one picture at a time). */
  camera?: boolean;
}) {
  const { t } = useI18n();
  const w = t.v.program.hazards;
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (input: HTMLInputElement): Promise<void> => {
    const files = [...(input.files ?? [])];
    // The same picture may be chosen again after it was dropped.
    input.value = '';
    if (files.length === 0) return;
    setProblem(null);
    if (photos.length + files.length > limit) {
      setProblem(w.tooManyPhotos);
      return;
    }
    setBusy(true);
    const added: Photo[] = [];
    for (const f of files) {
      try {
        added.push(await photoOf(f));
      } catch (e) {
        setProblem(w.photoFailed(f.name, e instanceof Error ? e.message : String(e)));
      }
    }
    setBusy(false);
    if (added.length > 0) onChange([...photos, ...added]);
  };

  return (
    <div class="photo-picker">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept="image/*"
        multiple={!camera}
        capture={camera ? 'environment' : undefined}
        disabled={busy || photos.length >= limit}
        onChange={(e) => void add(e.currentTarget)}
      />
      {photos.length > 0 && (
        <>
          <p class="hint">{t.v.inspect.photos(photos.length)}</p>
          <ul class="photo-thumbs">
            {photos.map((p, i) => (
              <li key={`${i}-${p.data.length}`}>
                <img src={photoUrl(p)} alt={`${label} ${i + 1}`} />
                <button type="button" class="quiet" onClick={() => onChange(photos.filter((_, j) => j !== i))}>
                  {t.v.inspect.removePhoto(i + 1)}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {problem !== null && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
