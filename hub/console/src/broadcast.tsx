// Speaking to zones: choose them, the text or a stored clip, the priority,
// how often and when (now, once later, every day); then watch each speaker
// answer. Below, the schedules and the hub's recent jobs, whoever started
// them (a rule, the CLI, another duty room).

import { useState } from 'preact/hooks';
import * as api from './api';
import { formatTime, useI18n } from './i18n';
import { LiveJob, RecentJobs } from './job';
import { usePolled } from './polled';
import { ProblemNote, type Problem } from './problem';
import { mayBroadcast } from './roles';
import { siteOffset } from './sitetime';
import type { BroadcastRequest, BroadcastSchedule, BroadcastSource, Clip, Me, Scheduled, Zone } from './types';
import { topmost, ZoneTree } from './zonetree';
import type { ZoneNames } from './zones';

/** Jobs others start show up within this long. */
const RECENT_POLL_MS = 5000;
/** Zones and clips change with the config or an upload: a view opened again sees them. */
const SETUP_POLL_MS = 60_000;

const loadSetup = (): Promise<[Zone[], Clip[]]> =>
  Promise.all([api.zones(), api.clips()]).then(([z, c]) => [z.zones, c.clips]);
const loadRecent = () => api.broadcasts().then((b) => b.broadcasts);
const loadSchedules = () => api.schedules().then((s) => s.schedules);

interface Started {
  id: string;
  speakers: number;
  /** For a scheduled job: when it plays next. */
  next: string | null;
}

export function Broadcast({ me, names, preset }: { me: Me; names: ZoneNames; preset: string[] }) {
  const { t, lang } = useI18n();
  const setup = usePolled(loadSetup, SETUP_POLL_MS);
  const recent = usePolled(loadRecent, RECENT_POLL_MS);
  const schedules = usePolled(loadSchedules, SETUP_POLL_MS);
  const [started, setStarted] = useState<Started | null>(null);
  const may = mayBroadcast(me.role);
  const [zones, clips] = setup.data ?? [[], []];

  return (
    <section class="view broadcast" aria-labelledby="broadcast-heading">
      <div class="pane-head">
        <h2 id="broadcast-heading">{t.broadcast}</h2>
      </div>
      {setup.problem !== null && <ProblemNote problem={setup.problem} />}
      {!may && <p class="view-only">{t.broadcastViewOnly}</p>}
      {may && setup.data === null && setup.problem === null && <p role="status">{t.loading}</p>}
      {may && setup.data !== null && (
        <BroadcastForm
          zones={zones}
          preset={preset}
          clips={clips}
          onClipsChanged={setup.reload}
          onStarted={(s) => {
            setStarted(s);
            recent.reload();
            schedules.reload();
          }}
        />
      )}
      {started !== null && started.next !== null && (
        <p role="status" class="done">
          {t.v.schedule.scheduled(formatTime(started.next, lang))}
        </p>
      )}
      {started !== null && started.next === null && (
        <LiveJob
          key={started.id}
          id={started.id}
          speakers={started.speakers}
          names={names}
          mayCancel={may}
          onChanged={recent.reload}
        />
      )}
      {schedules.data !== null && (
        <Schedules
          list={schedules.data}
          zoneNames={new Map(zones.map((z) => [z.id, z.name]))}
          may={may}
          onChanged={schedules.reload}
        />
      )}
      {recent.problem !== null && <ProblemNote problem={recent.problem} />}
      {recent.data !== null && (
        <RecentJobs jobs={recent.data} zoneIds={new Map(zones.map((z) => [z.id, z.name]))} clips={clips} />
      )}
    </section>
  );
}

type SourceKind = 'text' | 'clip' | 'live';

/** A `datetime-local` value (`2026-12-03T07:30`) read in the site's time (the browser's until the hub said). */
function siteTime(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (m === null) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const offset = siteOffset();
  const when = offset === null ? new Date(y, mo - 1, d, h, mi) : new Date(Date.UTC(y, mo - 1, d, h, mi) - offset * 60_000);
  return Number.isNaN(when.getTime()) ? null : when;
}
type When = 'now' | 'at' | 'daily';

interface FormProps {
  zones: Zone[];
  /** Zone ids ticked to begin with (chosen on the map). */
  preset: string[];
  clips: Clip[];
  onStarted: (s: Started) => void;
  /** A clip was uploaded: the list is fetched again. */
  onClipsChanged: () => void;
}

function BroadcastForm({ zones, preset, clips, onStarted, onClipsChanged }: FormProps) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(preset));
  const [kind, setKind] = useState<SourceKind>('text');
  const [text, setText] = useState('');
  const [clip, setClip] = useState('');
  const [live, setLive] = useState('');
  const [priority, setPriority] = useState('50');
  const [repeat, setRepeat] = useState('1');
  const [when, setWhen] = useState<When>('now');
  const [at, setAt] = useState('');
  const [daily, setDaily] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  /** The request the form makes, or what to tell the person first. */
  const request = (): BroadcastRequest | string => {
    const targets = topmost(zones, chosen);
    if (targets.length === 0) return t.needZones;
    let source: BroadcastSource;
    if (kind === 'text') {
      if (text.trim() === '') return t.needText;
      source = { text: text.trim() };
    } else if (kind === 'clip') {
      if (clip === '') return t.needClip;
      source = { clip };
    } else {
      if (live.trim() === '') return t.v.live.need;
      source = { live: live.trim() };
    }
    const p = Number(priority);
    if (priority.trim() === '' || !Number.isInteger(p) || p < 0 || p > 255) return t.needPriority;
    const r = Number(repeat);
    if (repeat.trim() === '' || !Number.isInteger(r) || r < 0) return t.needRepeat;
    let schedule: BroadcastSchedule | null = null;
    if (when === 'at') {
      const due = siteTime(at);
      if (due === null) return t.v.schedule.needAt;
      schedule = { at: due.toISOString() };
    } else if (when === 'daily') {
      if (!/^\d{2}:\d{2}$/.test(daily)) return t.v.schedule.needDaily;
      schedule = { daily };
    }
    return schedule === null
      ? { zones: targets, source, priority: p, repeat: r }
      : { zones: targets, source, priority: p, repeat: r, schedule };
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body = request();
    if (typeof body === 'string') {
      setProblem(body);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const job = await api.startBroadcast(body);
      onStarted({ id: job.id, speakers: job.speakers, next: job.next });
    } catch (err) {
      setProblem(api.asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="broadcast-form" noValidate onSubmit={(e) => void submit(e)}>
      <ZoneTree zones={zones} chosen={chosen} onChange={setChosen} disabled={busy} />
      <fieldset class="source">
        <legend>{t.sourceLegend}</legend>
        <label class="check">
          <input type="radio" name="source" checked={kind === 'text'} onChange={() => setKind('text')} />
          {t.sourceText}
        </label>
        <label class="check">
          <input type="radio" name="source" checked={kind === 'clip'} onChange={() => setKind('clip')} />
          {t.sourceClip}
        </label>
        <label class="check">
          <input type="radio" name="source" checked={kind === 'live'} onChange={() => setKind('live')} />
          {t.v.live.source}
        </label>
        {kind === 'text' && (
          <>
            <label for="broadcast-text">{t.text}</label>
            <textarea id="broadcast-text" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </>
        )}
        {kind === 'clip' && (
          <>
            <ClipUpload
              onUploaded={(c) => {
                setClip(c.hash);
                onClipsChanged();
              }}
            />
            <label for="broadcast-clip">{t.clip}</label>
            <select id="broadcast-clip" value={clip} onChange={(e) => setClip(e.currentTarget.value)}>
              <option value="">{t.choose}</option>
              {clips.map((c) => (
                <option key={c.hash} value={c.hash}>
                  {c.name} ({t.seconds(c.duration_ms)})
                </option>
              ))}
            </select>
          </>
        )}
        {kind === 'live' && (
          <>
            <label for="broadcast-live">{t.v.live.url}</label>
            <input
              id="broadcast-live"
              type="url"
              aria-describedby="broadcast-live-hint"
              value={live}
              onInput={(e) => setLive(e.currentTarget.value)}
            />
            <span class="hint" id="broadcast-live-hint">
              {t.v.live.hint}
            </span>
          </>
        )}
      </fieldset>
      <fieldset class="when">
        <legend>{t.v.schedule.legend}</legend>
        {(['now', 'at', 'daily'] as When[]).map((w) => (
          <label key={w} class="check">
            <input type="radio" name="when" checked={when === w} onChange={() => setWhen(w)} />
            {t.v.schedule[w]}
          </label>
        ))}
        {when === 'at' && (
          <>
            <label for="broadcast-at">{t.v.schedule.atLabel}</label>
            <input id="broadcast-at" type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
          </>
        )}
        {when === 'daily' && (
          <>
            <label for="broadcast-daily">{t.v.schedule.dailyLabel}</label>
            <input id="broadcast-daily" type="time" value={daily} onInput={(e) => setDaily(e.currentTarget.value)} />
          </>
        )}
      </fieldset>
      <div class="inline">
        <div class="field">
          <label for="broadcast-priority">{t.priority}</label>
          <input
            id="broadcast-priority"
            type="number"
            inputMode="numeric"
            min={0}
            max={255}
            step={1}
            aria-describedby="broadcast-priority-hint"
            value={priority}
            onInput={(e) => setPriority(e.currentTarget.value)}
          />
          <span class="hint" id="broadcast-priority-hint">
            {t.priorityHint}
          </span>
        </div>
        <div class="field">
          <label for="broadcast-repeat">{t.repeat}</label>
          <input
            id="broadcast-repeat"
            type="number"
            inputMode="numeric"
            min={0}
            step={1}
            aria-describedby="broadcast-repeat-hint"
            value={repeat}
            onInput={(e) => setRepeat(e.currentTarget.value)}
          />
          <span class="hint" id="broadcast-repeat-hint">
            {t.repeatHint}
          </span>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {t.startBroadcast}
        </button>
      </div>
      {problem !== null && <ProblemNote problem={problem} headlines={t.broadcastFailures} />}
    </form>
  );
}

function Schedules({
  list,
  zoneNames,
  may,
  onChanged,
}: {
  list: Scheduled[];
  zoneNames: ReadonlyMap<string, string>;
  may: boolean;
  onChanged: () => void;
}) {
  const { t, lang } = useI18n();
  const w = t.v.schedule;
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const end = (id: string): void => {
    setProblem(null);
    api.unschedule(id).then(onChanged, (e: unknown) => setProblem(api.asApiError(e)));
  };
  return (
    <section class="schedules" aria-labelledby="schedules-heading">
      <h3 id="schedules-heading">{w.heading}</h3>
      {problem !== null && <ProblemNote problem={problem} />}
      {list.length === 0 && <p class="empty">{w.none}</p>}
      <ul class="job-list">
        {list.map((s) => {
          const when = s.request.schedule;
          const what = 'text' in s.request.source ? s.request.source.text : 'clip' in s.request.source ? s.request.source.clip.slice(0, 12) : s.request.source.live;
          const zones = s.request.zones.map((z) => zoneNames.get(z) ?? z).join('、');
          return (
            <li key={s.id} data-testid="schedule">
              <strong>
                {when !== null && when !== undefined && 'daily' in when ? w.everyDay(when.daily) : w.once(formatTime(s.next, lang))}
              </strong>{' '}
              · {zones} · {what}
              <br />
              <small>
                {w.next(formatTime(s.next, lang))} · {w.runs(s.runs.length)} · {w.by(s.actor)}
              </small>{' '}
              {may && (
                <button type="button" class="quiet" onClick={() => end(s.id)}>
                  {w.unschedule(s.id)}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A recording from the duty room's computer, stored by the hub as a clip to pick. */
function ClipUpload({ onUploaded }: { onUploaded: (c: Clip) => void }) {
  const { t } = useI18n();
  const w = t.v.clipUpload;
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const upload = (): void => {
    if (file === null) return;
    setBusy(true);
    setProblem(null);
    setDone(null);
    api.uploadClip(file.name.replace(/\.[^.]*$/, ''), file).then(
      (c) => {
        setBusy(false);
        setDone(w.uploaded(c.name));
        onUploaded(c);
      },
      (e: unknown) => {
        setBusy(false);
        setProblem(api.asApiError(e));
      },
    );
  };
  return (
    <div class="clip-upload">
      <label for="broadcast-upload">{w.file}</label>
      <input
        id="broadcast-upload"
        type="file"
        accept="audio/wav,.wav,.ul,.al,.pcmu,.pcma"
        aria-describedby="broadcast-upload-hint"
        onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
      />
      <span class="hint" id="broadcast-upload-hint">
        {w.hint}
      </span>
      <button type="button" disabled={busy || file === null} onClick={upload}>
        {w.upload}
      </button>
      {done !== null && <p role="status">{done}</p>}
      {problem !== null && <ProblemNote problem={problem} />}
    </div>
  );
}
