// Speaking to zones: choose them, the text or a stored clip, the priority
// and how often; then watch each speaker answer. Below, the hub's recent
// jobs, whoever started them (a rule, the CLI, another duty room).

import { useState } from 'preact/hooks';
import * as api from './api';
import { useI18n } from './i18n';
import { LiveJob, RecentJobs } from './job';
import { usePolled } from './polled';
import { ProblemNote, type Problem } from './problem';
import { mayBroadcast } from './roles';
import type { BroadcastRequest, BroadcastSource, Clip, Me, Zone } from './types';
import { topmost, ZoneTree } from './zonetree';
import type { ZoneNames } from './zones';

/** Jobs others start show up within this long. */
const RECENT_POLL_MS = 5000;
/** Zones and clips change with the config or an upload: a view opened again sees them. */
const SETUP_POLL_MS = 60_000;

const loadSetup = (): Promise<[Zone[], Clip[]]> =>
  Promise.all([api.zones(), api.clips()]).then(([z, c]) => [z.zones, c.clips]);
const loadRecent = () => api.broadcasts().then((b) => b.broadcasts);

interface Started {
  id: string;
  speakers: number;
}

export function Broadcast({ me, names }: { me: Me; names: ZoneNames }) {
  const { t } = useI18n();
  const setup = usePolled(loadSetup, SETUP_POLL_MS);
  const recent = usePolled(loadRecent, RECENT_POLL_MS);
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
          clips={clips}
          onStarted={(s) => {
            setStarted(s);
            recent.reload();
          }}
        />
      )}
      {started !== null && (
        <LiveJob
          key={started.id}
          id={started.id}
          speakers={started.speakers}
          names={names}
          mayCancel={may}
          onChanged={recent.reload}
        />
      )}
      {recent.problem !== null && <ProblemNote problem={recent.problem} />}
      {recent.data !== null && (
        <RecentJobs jobs={recent.data} zoneIds={new Map(zones.map((z) => [z.id, z.name]))} clips={clips} />
      )}
    </section>
  );
}

type SourceKind = 'text' | 'clip';

interface FormProps {
  zones: Zone[];
  clips: Clip[];
  onStarted: (s: Started) => void;
}

function BroadcastForm({ zones, clips, onStarted }: FormProps) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [kind, setKind] = useState<SourceKind>('text');
  const [text, setText] = useState('');
  const [clip, setClip] = useState('');
  const [priority, setPriority] = useState('50');
  const [repeat, setRepeat] = useState('1');
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
    } else {
      if (clip === '') return t.needClip;
      source = { clip };
    }
    const p = Number(priority);
    if (priority.trim() === '' || !Number.isInteger(p) || p < 0 || p > 255) return t.needPriority;
    const r = Number(repeat);
    if (repeat.trim() === '' || !Number.isInteger(r) || r < 0) return t.needRepeat;
    return { zones: targets, source, priority: p, repeat: r };
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
      onStarted({ id: job.id, speakers: job.speakers });
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
          <input
            type="radio"
            name="source"
            checked={kind === 'clip'}
            disabled={clips.length === 0}
            onChange={() => setKind('clip')}
          />
          {t.sourceClip}
        </label>
        {kind === 'text' && (
          <>
            <label for="broadcast-text">{t.text}</label>
            <textarea id="broadcast-text" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </>
        )}
        {kind === 'clip' && (
          <>
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
