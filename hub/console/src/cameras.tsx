// The cameras of an alarm's zone, in its detail: each one's latest picture
// and stream state, a snapshot taken now, and the stream's address for the
// duty room's video player (RTSP is not for the browser to play).

import { useMemo, useState } from 'preact/hooks';
import * as api from './api';
import { useDeviceName } from './devicenames';
import { formatTime, useI18n } from './i18n';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import { mayCommand } from './roles';
import type { Device, HubEvent, Me } from './types';

/** Pictures and stream states come by the minute: this often is enough. */
const POLL_MS = 10_000;

interface Camera {
  device: Device;
  snapshot: HubEvent | null;
  stream: HubEvent | null;
  uri: string | null;
}

const within = (zone: string, of: string): boolean => zone === of || zone.startsWith(`${of}/`);

async function loadCameras(zone: string): Promise<Camera[]> {
  const { devices } = await api.devices();
  // The latest of each, however old: a stream that has played for days said so once.
  const last = async (device: string, kind: string): Promise<HubEvent | null> =>
    (await api.latestEvents({ device, kind }, null, 1))[0] ?? null;
  return Promise.all(
    devices
      .filter((d) => d.families.includes('camera') && within(d.zone, zone))
      .map(async (device) => {
        const [snapshot, stream, uri] = await Promise.all([
          last(device.id, 'camera.snapshot'),
          last(device.id, 'camera.stream'),
          last(device.id, 'camera.stream_uri'),
        ]);
        const u = uri?.attrs.uri;
        return { device, snapshot, stream, uri: typeof u === 'string' ? u : null };
      }),
  );
}

export function ZoneCameras({ zone, me }: { zone: string; me: Me }) {
  const { t } = useI18n();
  const w = t.v.cameras;
  // One loader per zone: a new one each render would fetch on every render.
  const load = useMemo(() => () => loadCameras(zone), [zone]);
  const polled = usePolled(load, POLL_MS);
  if (polled.data !== null && polled.data.length === 0) return null;
  return (
    <section class="part zone-cameras" aria-labelledby="zone-cameras-heading">
      <h3 id="zone-cameras-heading">{w.heading}</h3>
      {polled.problem !== null && <ProblemNote problem={polled.problem} />}
      {polled.data === null && polled.problem === null && <p role="status">{t.loading}</p>}
      <ul class="snapshot-grid">
        {(polled.data ?? []).map((c) => (
          <CameraCard key={c.device.id} camera={c} me={me} onChanged={polled.reload} />
        ))}
      </ul>
    </section>
  );
}

function CameraCard({ camera: c, me, onChanged }: { camera: Camera; me: Me; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const w = t.v.cameras;
  const deviceName = useDeviceName();
  const name = deviceName(c.device.id);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const run = (command: 'snapshot' | 'stream_uri'): void => {
    setBusy(true);
    setProblem(null);
    api.command(c.device.id, command, {}).then(
      () => {
        setBusy(false);
        onChanged();
      },
      (e: unknown) => {
        setBusy(false);
        setProblem(api.asApiError(e));
      },
    );
  };
  const picture = c.snapshot?.media.find((m) => m.role === 'snapshot');
  const state = c.stream?.attrs.state;
  return (
    <li data-testid="zone-camera" data-device-id={c.device.id}>
      {picture !== undefined && c.snapshot !== null ? (
        <img src={api.mediaUrl(picture.hash)} alt={w.pictureOf(name, formatTime(c.snapshot.time, lang))} />
      ) : (
        <div class="no-picture" />
      )}
      <span>
        <strong>{name}</strong>
        {typeof state === 'string' && ` · ${w.streamStates[state] ?? state}`}
      </span>
      {c.uri !== null && (
        <a href={c.uri} class="stream-link">
          {w.streamLink(name)}
        </a>
      )}
      {mayCommand(me.role, 'snapshot') && (
        <div class="gate-actions">
          <button type="button" disabled={busy} onClick={() => run('snapshot')}>
            {w.takeNow(name)}
          </button>
          <button type="button" class="quiet" disabled={busy} onClick={() => run('stream_uri')}>
            {w.getStream(name)}
          </button>
        </div>
      )}
      {problem !== null && <ProblemNote problem={problem} />}
    </li>
  );
}
