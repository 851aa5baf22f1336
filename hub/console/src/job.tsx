// A broadcast job as its speakers answer it, and the hub's recent jobs.

import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { useDeviceName } from './devicenames';
import { formatTime, useI18n, type Dict } from './i18n';
import { ProblemNote, type Problem } from './problem';
import type { BroadcastJob, Clip, SpeakerState } from './types';
import { zoneName, type ZoneNames } from './zones';

/** Every second while speakers have yet to answer: the person waits on it. */
const ANSWER_POLL_MS = 1000;
/** After that only ends and cut-ins change: slower, until nothing more will happen. */
const PLAY_POLL_MS = 5000;

interface LiveProps {
  id: string;
  speakers: number;
  /** Zone path → name. */
  names: ZoneNames;
  mayCancel: boolean;
  /** The job changed (cancelled, or came to its end): the list below is behind. */
  onChanged: () => void;
}

export function LiveJob({ id, speakers, names, mayCancel, onChanged }: LiveProps) {
  const { t } = useI18n();
  const deviceName = useDeviceName();
  const [job, setJob] = useState<BroadcastJob | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [cancelling, setCancelling] = useState(false);

  useEffect(() => {
    let timer = 0;
    let gone = false;
    const poll = (): void => {
      api.broadcast(id).then(
        (j) => {
          if (gone) return;
          setJob(j);
          setProblem(null);
          if (j.done) onChanged();
          else timer = window.setTimeout(poll, j.answered ? PLAY_POLL_MS : ANSWER_POLL_MS);
        },
        (e: unknown) => {
          if (gone) return;
          setProblem(api.asApiError(e));
          timer = window.setTimeout(poll, PLAY_POLL_MS);
        },
      );
    };
    poll();
    return () => {
      gone = true;
      window.clearTimeout(timer);
    };
  }, [id]);

  const cancel = async (): Promise<void> => {
    setCancelling(true);
    try {
      setJob(await api.cancelBroadcast(id));
      setProblem(null);
      onChanged();
    } catch (e) {
      setProblem(api.asApiError(e));
    } finally {
      setCancelling(false);
    }
  };

  const outcomes = job === null ? [] : Object.entries(job.speakers);
  return (
    // Not a region of its own: the view's region is the one named 广播.
    <div class="job" data-testid="broadcast-job" data-job-id={id}>
      <div class="pane-head">
        <h3>{t.job(id)}</h3>
        {mayCancel && job?.done !== true && (
          <button type="button" class="danger-outline" disabled={cancelling} onClick={() => void cancel()}>
            {t.cancelBroadcast}
          </button>
        )}
      </div>
      <p role="status">
        {t.jobSent(speakers)} · {job === null ? t.loading : jobState(t, job)}
      </p>
      {problem !== null && <ProblemNote problem={problem} />}
      {outcomes.length > 0 && (
        <table class="outcomes">
          <thead>
            <tr>
              <th scope="col">{t.speaker}</th>
              <th scope="col">{t.field.zone}</th>
              <th scope="col">{t.speakerState}</th>
              <th scope="col">{t.reason}</th>
            </tr>
          </thead>
          <tbody>
            {outcomes.map(([speaker, o]) => (
              <tr key={speaker} class={`sp-${o.state}`} data-testid="speaker-outcome" data-state={o.state}>
                <th scope="row">{deviceName(speaker)}</th>
                <td>{zoneName(names, o.zone)}</td>
                <td>{t.speakerStates[o.state]}</td>
                {/* The speaker's or the hub's words. */}
                <td lang="en">{o.reason ?? t.none}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function jobState(t: Dict, j: BroadcastJob): string {
  if (j.cancelled) return t.jobCancelled;
  if (j.done) return t.jobDone;
  return j.answered ? t.answered : t.waiting;
}

const ORDER: SpeakerState[] = ['pending', 'started', 'preempted', 'finished', 'failed', 'cancelled'];

/** `summary` in words, in a fixed order: `播放完毕 3 · 失败 1`. */
function summary(t: Dict, j: BroadcastJob): string {
  return ORDER.filter((s) => (j.summary[s] ?? 0) > 0)
    .map((s) => `${t.speakerStates[s]} ${j.summary[s] ?? 0}`)
    .join(' · ');
}

interface RecentProps {
  jobs: BroadcastJob[];
  /** Zone id → name (requests name zones by id). */
  zoneIds: ReadonlyMap<string, string>;
  clips: Clip[];
}

export function RecentJobs({ jobs, zoneIds, clips }: RecentProps) {
  const { t, lang } = useI18n();
  const f = t.jobField;
  const clipName = new Map(clips.map((c) => [c.hash, c.name]));
  const source = (j: BroadcastJob): string => {
    const s = j.request.source;
    if ('text' in s) return `${t.sourceText}${t.colon}${s.text}`;
    if ('clip' in s) return `${t.sourceClip}${t.colon}${clipName.get(s.clip) ?? s.clip}`;
    return `${t.v.live.source}${t.colon}${s.live}`;
  };
  const zonesOf = (j: BroadcastJob): string =>
    j.request.all ? t.allZones : j.request.zones.map((z) => zoneIds.get(z) ?? z).join(t.listSep);
  return (
    <div class="part">
      <h3>{t.recent}</h3>
      {jobs.length === 0 ? (
        <p class="none">{t.noJobs}</p>
      ) : (
        <table class="jobs" data-testid="recent-broadcasts">
          <thead>
            <tr>
              <th scope="col">{f.created}</th>
              <th scope="col">{f.actor}</th>
              <th scope="col">{f.zones}</th>
              <th scope="col">{f.source}</th>
              <th scope="col">{f.outcome}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-job-id={j.id}>
                <td>
                  <time dateTime={j.created}>{formatTime(j.created, lang)}</time>
                </td>
                <td>{j.actor}</td>
                <td>{zonesOf(j)}</td>
                <td>{source(j)}</td>
                <td>
                  {jobState(t, j)}
                  {summary(t, j) !== '' && <span class="summary"> · {summary(t, j)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
