// The alarm wall, kept current: fetched whole, then changed by the hub's
// Server-Sent Events. Whenever the stream (re)connects, errs or reports that
// it lagged, the whole wall is fetched again: that is how no change is missed.

import * as api from './api';
import type { Alarm, Flood, Level } from './types';

export interface WallAlarm {
  alarm: Alarm;
  /** When it opened, on this browser's clock (from `age_s`, so a skewed clock does not matter). */
  openedAt: number;
}

export interface WallState {
  /** `loading` until the first wall arrives; `rebuilding` while the hub replays its log. */
  phase: 'loading' | 'rebuilding' | 'ready';
  replay: { read: number; of: number } | null;
  /** In the hub's order: highest level first, then the longest waiting. */
  alarms: WallAlarm[];
  total: number;
  flood: Flood | null;
  live: boolean;
  /** The last fetch's failure, until one succeeds (the wall shown is then the last known). */
  error: api.ApiError | null;
}

export const INITIAL_WALL: WallState = {
  phase: 'loading',
  replay: null,
  alarms: [],
  total: 0,
  flood: null,
  live: false,
  error: null,
};

const REPLAY_POLL_MS = 1000;
const RETRY_MS = 5000;

const LEVEL_RANK: Record<Level, number> = { info: 0, blue: 1, yellow: 2, orange: 3, red: 4 };

/** The hub's wall order (hub/src/alarms/list.rs `order`). */
function order(a: Alarm, b: Alarm): number {
  return (
    LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
    Date.parse(a.opened) - Date.parse(b.opened) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The hub's `state=wall`: open, not shelved or out of service, and active or unacknowledged. */
function onWall(a: Alarm): boolean {
  return (
    a.stage !== 'closed' &&
    a.shelved_until === null &&
    a.out_of_service === null &&
    (a.active || !a.acknowledged)
  );
}

const seen = (alarm: Alarm): WallAlarm => ({ alarm, openedAt: Date.now() - alarm.age_s * 1000 });

type Placed = Pick<WallState, 'alarms' | 'total'>;

/** `alarm` put onto, within or off the wall `at`. */
function placed(at: Placed, alarm: Alarm): Placed {
  const alarms = at.alarms.filter((w) => w.alarm.id !== alarm.id);
  const had = alarms.length < at.alarms.length;
  const stays = onWall(alarm);
  if (stays) {
    const i = alarms.findIndex((w) => order(alarm, w.alarm) < 0);
    alarms.splice(i < 0 ? alarms.length : i, 0, seen(alarm));
  }
  return { alarms, total: at.total + (stays ? 1 : 0) - (had ? 1 : 0) };
}

export class LiveWall {
  private state: WallState = INITIAL_WALL;
  private readonly listeners = new Set<(s: WallState) => void>();
  private source: EventSource | null = null;
  /** At most one fetch and one reconnection wait at a time, however many failures asked. */
  private refetchTimer: number | null = null;
  private reconnectTimer: number | null = null;
  private fetching = false;
  private fetchAgain = false;
  /** Alarms the stream sent while a fetch was under way, laid again over its answer. */
  private sentDuringFetch: Alarm[] = [];
  private stopped = false;

  subscribe(listener: (s: WallState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.refetch();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    if (this.refetchTimer !== null) window.clearTimeout(this.refetchTimer);
    if (this.reconnectTimer !== null) window.clearTimeout(this.reconnectTimer);
    this.listeners.clear();
  }

  /** An alarm as the hub now has it (from the stream or an action's answer): onto, within or off the wall. */
  put(alarm: Alarm): void {
    if (this.fetching) this.sentDuringFetch.push(alarm);
    this.set(placed(this.state, alarm));
  }

  /** Fetches the whole wall; calls while one is under way make one more after it. */
  refetch(): void {
    if (this.stopped) return;
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = true;
    this.sentDuringFetch = [];
    void this.load().finally(() => {
      this.fetching = false;
      if (this.fetchAgain) {
        this.fetchAgain = false;
        this.refetch();
      }
    });
  }

  private async load(): Promise<void> {
    try {
      const page = await api.wall();
      if (this.stopped) return;
      if (page.replay) {
        this.set({ phase: 'rebuilding', replay: page.replay, error: null });
        this.refetchIn(REPLAY_POLL_MS);
        return;
      }
      let wall: Placed = { alarms: page.alarms.map(seen), total: page.total };
      for (const a of this.sentDuringFetch) wall = placed(wall, a);
      this.set({ ...wall, phase: 'ready', replay: null, flood: page.flood, error: null });
    } catch (e) {
      if (this.stopped) return;
      this.set({ error: api.asApiError(e) });
      // The stream's reconnection fetches again too, but it may be up while only this failed.
      this.refetchIn(RETRY_MS);
    }
  }

  private connect(): void {
    // Same origin: the session cookie goes with it.
    const source = new EventSource(api.STREAM_URL);
    this.source = source;
    source.addEventListener('open', () => {
      this.set({ live: true });
      this.refetch();
    });
    source.addEventListener('alarm', (e: MessageEvent<string>) => {
      try {
        this.put(JSON.parse(e.data) as Alarm);
      } catch {
        // A garbled event: the whole wall says what it should have.
        this.refetch();
      }
    });
    source.addEventListener('lagged', () => this.refetch());
    source.addEventListener('error', () => {
      this.set({ live: false });
      this.refetch();
      // EventSource retries by itself unless the answer was not a stream (a 401, a 503): then we do.
      if (source.readyState === EventSource.CLOSED) {
        this.reconnectTimer ??= window.setTimeout(() => {
          this.reconnectTimer = null;
          if (!this.stopped) this.connect();
        }, RETRY_MS);
      }
    });
  }

  private refetchIn(ms: number): void {
    this.refetchTimer ??= window.setTimeout(() => {
      this.refetchTimer = null;
      this.refetch();
    }, ms);
  }

  private set(change: Partial<WallState>): void {
    this.state = { ...this.state, ...change };
    this.listeners.forEach((l) => l(this.state));
  }
}
