// The guard room's one screen (值岗保安值班室): his zones' alarms with the
// button to acknowledge, his gates and barriers with the buttons to open
// them, the last faces and plates at his gates and his cameras' last
// pictures. Large type and large targets: it runs on a touch screen. The hub
// narrows every list to the guard's zones; an operator sees every post.

import { useMemo, useState } from 'preact/hooks';
import * as api from './api';
import { useDeviceName } from './devicenames';
import { formatTime, kindName, useI18n } from './i18n';
import type { WallAlarm } from './live';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import { mayCommand, permission } from './roles';
import type { Device, HubEvent, Me } from './types';
import { ViewHead } from './viewhead';
import { zoneName, type ZoneNames } from './zones';

/** Faces and plates come by the minute at a gate: this often is fresh enough. */
const POLL_MS = 5_000;
/** How far back the last faces, plates and pictures are looked for. */
const LOOK_BACK_MS = 3_600_000;
const SHOWN = 6;

interface Post {
  devices: Device[];
  faces: HubEvent[];
  plates: HubEvent[];
  snapshots: HubEvent[];
}

/** Snapshots kept while looking for each camera's latest. */
const SNAPSHOTS = 500;

async function loadPost(): Promise<Post> {
  const since = new Date(Date.now() - LOOK_BACK_MS);
  const [d, faces, plates, snaps] = await Promise.all([
    api.devices(),
    api.latestEvents({ kind: 'access.*' }, since, SHOWN),
    api.latestEvents({ kind: 'vehicle.plate' }, since, SHOWN),
    api.latestEvents({ kind: 'camera.snapshot' }, since, SNAPSHOTS),
  ]);
  // The latest picture of each camera.
  const byCamera = new Map<string, HubEvent>();
  for (const e of snaps) if (e.device !== null) byCamera.set(e.device, e);
  return {
    devices: d.devices,
    faces: faces.reverse(),
    plates: plates.reverse(),
    snapshots: [...byCamera.values()],
  };
}

const isGate = (d: Device): boolean => d.families.includes('face-gate') || d.families.includes('barrier-gate');
const isCamera = (d: Device): boolean => d.families.includes('camera');

export function GuardRoom({ me, names, alarms }: { me: Me; names: ZoneNames; alarms: WallAlarm[] }) {
  const { t } = useI18n();
  const w = t.v.guard;
  const polled = usePolled(loadPost, POLL_MS);
  const post = polled.data;
  const gates = post?.devices.filter(isGate) ?? [];
  const cameras = post?.devices.filter(isCamera) ?? [];
  return (
    <section class="view guard-room" aria-labelledby="guard-heading">
      <ViewHead id="guard-heading" heading={w.heading} polled={polled} />
      <div class="guard-grid">
        <GuardAlarms alarms={alarms} names={names} me={me} />
        <section class="guard-box" aria-labelledby="guard-gates">
          <h3 id="guard-gates">{w.gates}</h3>
          {post !== null && gates.length === 0 && <p class="empty">{w.noGates}</p>}
          <ul class="gate-list">
            {gates.map((g) => (
              <GateCard key={g.id} gate={g} me={me} names={names} />
            ))}
          </ul>
        </section>
        <Passages heading={w.faces} empty={w.noFaces} events={post?.faces ?? null} role="face" names={names} />
        <Passages heading={w.plates} empty={w.noPlates} events={post?.plates ?? null} role="plate" names={names} />
        <Snapshots cameras={cameras} pictures={post?.snapshots ?? []} me={me} loaded={post !== null} onTaken={polled.reload} />
      </div>
    </section>
  );
}

function GuardAlarms({ alarms, names, me }: { alarms: WallAlarm[]; names: ZoneNames; me: Me }) {
  const { t, lang } = useI18n();
  const w = t.v.guard;
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const ack = (id: string): void => {
    setBusy(id);
    setProblem(null);
    api.act(id, 'ack', {}).then(
      () => setBusy(null),
      (e: unknown) => {
        setBusy(null);
        setProblem(api.asApiError(e));
      },
    );
  };
  return (
    <section class="guard-box guard-alarms" aria-labelledby="guard-alarms">
      <h3 id="guard-alarms">{w.alarms}</h3>
      {problem !== null && <ProblemNote problem={problem} />}
      {alarms.length === 0 && <p class="empty">{w.noAlarms}</p>}
      <ul>
        {alarms.map(({ alarm: a }) => (
          <li key={a.id} class={`guard-alarm level-${a.level}`} data-testid="guard-alarm">
            <span class={`level lvl-${a.level}`}>{t.levels[a.level]}</span>
            <span class="what">
              <strong>{kindName(t, a.kind)}</strong> · {zoneName(names, a.zone)}
              <br />
              <small>
                {formatTime(a.opened, lang)} · {a.acknowledged ? t.acked : t.unacked}
              </small>
            </span>
            {!a.acknowledged && permission(me.role) !== 'none' && (
              <button type="button" class="big" disabled={busy === a.id} onClick={() => ack(a.id)}>
                {t.ack}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function GateCard({ gate, me, names }: { gate: Device; me: Me; names: ZoneNames }) {
  const { t } = useI18n();
  const w = t.v.guard;
  const barrier = gate.families.includes('barrier-gate');
  const command = barrier ? 'barrier.open' : 'door.open';
  const [door, setDoor] = useState(1);
  const [state, setState] = useState<{ busy: boolean; done: string | null; problem: api.ApiError | null }>({
    busy: false,
    done: null,
    problem: null,
  });
  const open = (): void => {
    setState({ busy: true, done: null, problem: null });
    api.command(gate.id, command, barrier ? {} : { door }).then(
      (r) => setState({ busy: false, done: r.result, problem: null }),
      (e: unknown) => setState({ busy: false, done: null, problem: api.asApiError(e) }),
    );
  };
  const shown = gate.name ?? gate.id;
  const label = barrier ? w.open(shown) : w.openDoor(shown, door);
  return (
    <li class={gate.state === 'online' ? 'gate' : 'gate down'} data-device-id={gate.id}>
      <div class="device-head">
        <h4>{shown}</h4>
        <span class={`link ${gate.state}`}>{t.online[gate.state]}</span>
      </div>
      <p class="hint">{zoneName(names, gate.zone)}</p>
      {mayCommand(me.role, command) && (
        <div class="gate-actions">
          {!barrier && (
            <label>
              {w.door}{' '}
              <select value={door} onChange={(e) => setDoor(Number(e.currentTarget.value))}>
                {[1, 2, 3, 4].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" class="big primary" disabled={state.busy} onClick={open}>
            {label}
          </button>
        </div>
      )}
      {state.done !== null && (
        <p class="done" role="status">
          {w.opened}: <span lang="en">{state.done}</span>
        </p>
      )}
      {state.problem !== null && <ProblemNote problem={state.problem} />}
    </li>
  );
}

function Passages({
  heading,
  empty,
  events,
  role,
  names,
}: {
  heading: string;
  empty: string;
  events: HubEvent[] | null;
  role: 'face' | 'plate';
  names: ZoneNames;
}) {
  const { t, lang } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.guard;
  return (
    <section class="guard-box" aria-label={heading}>
      <h3>{heading}</h3>
      {events !== null && events.length === 0 && <p class="empty">{empty}</p>}
      <ul class="passages">
        {(events ?? []).map((e) => {
          const pic = e.media.find((m) => m.role === role) ?? e.media[0];
          const who = String(e.attrs[role === 'face' ? 'name' : 'plate'] ?? e.device ?? '');
          const colour = String(e.attrs.plate_color ?? '');
          const what = role === 'face' ? (w.access[e.kind] ?? kindName(t, e.kind)) : (t.v.people.plateColours[colour] ?? colour);
          return (
            <li key={e.seq} class={e.kind === 'access.granted' || role === 'plate' ? 'passage' : 'passage refused'}>
              {pic !== undefined && <img src={api.mediaUrl(pic.hash)} alt={`${who} · ${t.pictureRoles[pic.role] ?? pic.role}`} loading="lazy" />}
              <span>
                <strong>{who}</strong> {what}
                <br />
                <small>
                  {formatTime(e.time, lang)} · {e.device === null ? '' : deviceName(e.device)} · {zoneName(names, e.zone)}
                </small>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Snapshots({
  cameras,
  pictures,
  me,
  loaded,
  onTaken,
}: {
  cameras: Device[];
  pictures: HubEvent[];
  me: Me;
  loaded: boolean;
  onTaken: () => void;
}) {
  const { t, lang } = useI18n();
  const w = t.v.guard;
  const byCamera = useMemo(() => new Map(pictures.map((p) => [p.device, p])), [pictures]);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const take = (id: string): void => {
    setProblem(null);
    api.command(id, 'snapshot', {}).then(onTaken, (e: unknown) => setProblem(api.asApiError(e)));
  };
  return (
    <section class="guard-box snapshots" aria-labelledby="guard-snapshots">
      <h3 id="guard-snapshots">{w.snapshots}</h3>
      {problem !== null && <ProblemNote problem={problem} />}
      {loaded && cameras.length === 0 && <p class="empty">{w.noSnapshots}</p>}
      <ul class="snapshot-grid">
        {cameras.map((c) => {
          const p = byCamera.get(c.id);
          const m = p?.media.find((x) => x.role === 'snapshot');
          return (
            <li key={c.id}>
              {m !== undefined ? <img src={api.mediaUrl(m.hash)} alt={`${c.name ?? c.id} · ${formatTime(p?.time ?? '', lang)}`} /> : <div class="no-picture" />}
              <span>{c.name ?? c.id}</span>
              {mayCommand(me.role, 'snapshot') && (
                <button type="button" aria-label={w.takeSnapshot(c.name ?? c.id)} onClick={() => take(c.id)}>
                  {t.pictureRoles.snapshot}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
