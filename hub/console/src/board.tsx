// The signed-in screen: banners, then the live wall and the chosen alarm,
// the devices or the broadcasts. The wall stays live (and the red banner
// sounds) whichever view is open: an alarm must not wait for a tab.

import { useEffect, useState } from 'preact/hooks';
import { FloodBanner, RedBanner } from './banners';
import { Broadcast } from './broadcast';
import { Detail } from './detail';
import { DeviceNamesContext, loadDeviceNames, sameNames, type DeviceNames } from './devicenames';
import { Devices } from './devices';
import { GuardRoom } from './guard';
import { Header } from './header';
import { Inspect } from './inspect';
import { INITIAL_WALL, LiveWall, type WallState } from './live';
import { CampusMapView } from './map';
import { Nav, type View } from './nav';
import { outbox } from './outbox';
import { People } from './people';
import { Program } from './program';
import { rowId } from './row';
import { Statistics } from './statistics';
import { System } from './system';
import type { Me } from './types';
import { Wall } from './wall';
import { loadZoneNames, NO_ZONE_NAMES, type ZoneNames } from './zones';

/** Ages are shown in minutes (seconds for the first one): this often is enough. */
const CLOCK_MS = 10_000;

function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), CLOCK_MS);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function useLiveWall(): [WallState, LiveWall] {
  const [wall] = useState(() => new LiveWall());
  const [state, setState] = useState<WallState>(INITIAL_WALL);
  useEffect(() => {
    const unsubscribe = wall.subscribe(setState);
    wall.start();
    return () => {
      unsubscribe();
      wall.stop();
    };
  }, [wall]);
  return [state, wall];
}

function useZoneNames(): ZoneNames {
  const [names, setNames] = useState<ZoneNames>(NO_ZONE_NAMES);
  useEffect(() => {
    let gone = false;
    void loadZoneNames().then((n) => {
      if (!gone) setNames(n);
    });
    return () => {
      gone = true;
    };
  }, []);
  return names;
}

/** Names change with the config: this often is enough. */
const DEVICE_NAMES_MS = 60_000;

function useDeviceNames(): DeviceNames {
  const [names, setNames] = useState<DeviceNames>(new Map());
  useEffect(() => {
    let gone = false;
    const load = (): void => {
      void loadDeviceNames().then((n) => {
        if (!gone && n !== null) setNames((old) => (sameNames(old, n) ? old : n));
      });
    };
    load();
    const timer = window.setInterval(load, DEVICE_NAMES_MS);
    return () => {
      gone = true;
      window.clearInterval(timer);
    };
  }, []);
  return names;
}

/** What a phone submitted waits in the outbox: it is sent while the person is signed in, whichever view is open. */
function useOutboxSending(actor: string): void {
  useEffect(() => {
    outbox.start(actor);
    return () => outbox.stop();
  }, [actor]);
}

export function Board({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const [state, wall] = useLiveWall();
  useOutboxSending(me.actor);
  const names = useZoneNames();
  const deviceNames = useDeviceNames();
  const now = useNow();
  const [selected, setSelected] = useState<string | null>(null);
  // A guard's own screen is the guard room; everyone else starts at the wall.
  const [view, setView] = useState<View>(me.role === 'guard' ? 'guard' : 'alarms');
  // Zones the map asked a broadcast for; the broadcast form starts with them ticked.
  const [broadcastTo, setBroadcastTo] = useState<{ zones: string[]; n: number } | null>(null);

  const back = (): void => {
    const id = selected;
    setSelected(null);
    // Back where the person was on the wall (if the alarm is still there).
    if (id !== null) requestAnimationFrame(() => document.getElementById(rowId(id))?.focus());
  };

  return (
    <DeviceNamesContext.Provider value={deviceNames}>
      <Header session={{ me, live: state.live, onSignedOut }} />
      <Nav
        view={view}
        onChoose={(v) => {
          // A zone the map chose is for the broadcast it asked for, not the next visit.
          setBroadcastTo(null);
          setView(v);
        }}
      />
      <main class="board">
        <RedBanner alarms={state.alarms} />
        {state.flood !== null && <FloodBanner flood={state.flood} />}
        {view === 'devices' && <Devices me={me} names={names} />}
        {view === 'broadcast' && <Broadcast key={broadcastTo?.n ?? 0} me={me} names={names} preset={broadcastTo?.zones ?? []} />}
        {view === 'map' && <CampusMapView
            me={me}
            names={names}
            alarms={state.alarms}
            onBroadcast={(zone) => {
              setBroadcastTo((b) => ({ zones: [zone], n: (b?.n ?? 0) + 1 }));
              setView('broadcast');
            }}
          />}
        {view === 'people' && <People names={names} />}
        {view === 'statistics' && <Statistics me={me} names={names} />}
        {view === 'guard' && <GuardRoom me={me} names={names} alarms={state.alarms} />}
        {view === 'program' && <Program me={me} names={names} />}
        {view === 'inspect' && <Inspect me={me} names={names} />}
        {view === 'system' && <System me={me} />}
        {view === 'alarms' && (
          <div class={selected === null ? 'panes' : 'panes with-detail'}>
            <Wall state={state} names={names} now={now} selected={selected} onSelect={setSelected} />
            {selected !== null && (
              <Detail
                id={selected}
                current={state.alarms.find((w) => w.alarm.id === selected)?.alarm}
                me={me}
                names={names}
                now={now}
                wall={wall}
                onBack={back}
              />
            )}
          </div>
        )}
      </main>
    </DeviceNamesContext.Provider>
  );
}
