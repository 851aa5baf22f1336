// The hub itself: its drivers (state, crashes, last trap, quarantined
// devices, with the admin's release buttons), drivers that failed to load,
// the event store, and the northbound bridge's backlog.

import { useState } from 'preact/hooks';
import * as api from './api';
import { useDeviceName } from './devicenames';
import { useI18n } from './i18n';
import { usePolled } from './polled';
import { ProblemNote } from './problem';
import type { Health, Me, Northbound } from './types';
import { ViewHead } from './viewhead';

const POLL_MS = 5_000;

const load = (): Promise<[Health, Northbound | null]> => Promise.all([api.health(), api.northbound()]);

const size = (bytes: number): string =>
  bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`;

export function System({ me }: { me: Me }) {
  const { t } = useI18n();
  const deviceName = useDeviceName();
  const w = t.v.system;
  const polled = usePolled(load, POLL_MS);
  const [health, bridge] = polled.data ?? [null, null];
  const [problem, setProblem] = useState<api.ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const admin = me.role === 'admin';
  const release = (what: () => Promise<unknown>, name: string): void => {
    setProblem(null);
    setDone(null);
    what().then(
      () => {
        setDone(`${w.released}: ${name}`);
        polled.reload();
      },
      (e: unknown) => setProblem(api.asApiError(e)),
    );
  };
  return (
    <section class="view system" aria-labelledby="system-heading">
      <ViewHead id="system-heading" heading={w.heading} polled={polled} />
      {problem !== null && <ProblemNote problem={problem} />}
      {done !== null && <p role="status">{done}</p>}
      {health !== null && (
        <>
          <dl class="fields">
            <div>
              <dt>{w.site}</dt>
              <dd>
                {health.site_name} ({health.site})
              </dd>
            </div>
            <div>
              <dt>{w.version}</dt>
              <dd>
                {health.version} · {w.uptime(health.uptime_s)}
              </dd>
            </div>
          </dl>
          {!admin && <p class="view-only">{w.adminOnly}</p>}
          <table class="drivers" data-testid="drivers">
            <caption>{w.drivers}</caption>
            <thead>
              <tr>
                <th scope="col">{w.name}</th>
                <th scope="col">{w.state}</th>
                <th scope="col">{w.crashes}</th>
                <th scope="col">{w.lastTrap}</th>
                <th scope="col">{w.quarantined}</th>
              </tr>
            </thead>
            <tbody>
              {health.drivers.map((d) => (
                <tr key={d.name} class={d.state !== 'running' || d.quarantined_devices.length > 0 ? 'down' : undefined}>
                  <th scope="row">
                    <code>{d.name}</code> {d.version}
                    <br />
                    <small>{d.families.join(', ')}</small>
                  </th>
                  <td>
                    {w.driverStates[d.state]}
                    {admin && d.state === 'quarantined' && (
                      <button type="button" onClick={() => release(() => api.releaseDriver(d.name), d.name)}>
                        {w.releaseDriver(d.name)}
                      </button>
                    )}
                  </td>
                  <td>{d.crashes}</td>
                  <td lang="en">{d.last_trap ?? '—'}</td>
                  <td>
                    {d.quarantined_devices.length === 0 && '—'}
                    {d.quarantined_devices.map((id) => (
                      <div key={id}>
                        {deviceName(id)}{' '}
                        {admin && (
                          <button type="button" onClick={() => release(() => api.releaseDevice(id), deviceName(id))}>
                            {w.releaseDevice(deviceName(id))}
                          </button>
                        )}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {health.driver_load_failures.length > 0 && (
            <section aria-labelledby="load-failures">
              <h3 id="load-failures">{w.loadFailures}</h3>
              <ul>
                {health.driver_load_failures.map((f) => (
                  <li key={f.path} lang="en">
                    <code>{f.path}</code>: {f.error}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <div class="system-boxes">
            <section class="guard-box" aria-labelledby="store-heading">
              <h3 id="store-heading">{w.store}</h3>
              <dl class="fields">
                <div>
                  <dt>{w.events}</dt>
                  <dd>
                    {health.bus.first_seq} – {health.bus.next_seq - 1}
                  </dd>
                </div>
                <div>
                  <dt>{w.bytes}</dt>
                  <dd>{size(health.bus.bytes)}</dd>
                </div>
                <div class={health.bus.write_failures > 0 ? 'pending' : undefined}>
                  <dt>{w.writeFailures}</dt>
                  <dd>{health.bus.write_failures}</dd>
                </div>
                {health.bus.write_error !== null && (
                  <div class="pending">
                    <dt>{w.writeError}</dt>
                    <dd lang="en">{health.bus.write_error}</dd>
                  </div>
                )}
              </dl>
            </section>
            <section class="guard-box" aria-labelledby="northbound-heading">
              <h3 id="northbound-heading">{w.northbound}</h3>
              {bridge === null ? (
                <p class="empty">{w.notConfigured}</p>
              ) : (
                <dl class="fields">
                  <div class={bridge.connected ? undefined : 'pending'}>
                    <dt>{w.state}</dt>
                    <dd>{bridge.connected ? w.connected : w.disconnected}</dd>
                  </div>
                  <div class={bridge.lag_events > 0 ? 'pending' : undefined}>
                    <dt>{w.backlog(bridge.lag_events, bridge.lag_seconds)}</dt>
                    <dd>{bridge.lag_events}</dd>
                  </div>
                  <div>
                    <dt>{w.published}</dt>
                    <dd>{bridge.published}</dd>
                  </div>
                  <div>
                    <dt>{w.reconnects}</dt>
                    <dd>{bridge.reconnects}</dd>
                  </div>
                  {bridge.last_error !== null && (
                    <div class="pending">
                      <dt>{t.deviceField.lastError}</dt>
                      <dd lang="en">{bridge.last_error}</dd>
                    </div>
                  )}
                </dl>
              )}
            </section>
          </div>
        </>
      )}
    </section>
  );
}
