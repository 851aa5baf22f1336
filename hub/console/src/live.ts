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
/** The most alarms the wall holds; a campus past this is in a flood, grouped by the hub. */
const WALL_MAX = 20_000;
/**
 * Each page after the first starts this many alarms early: an alarm that
 * left the wall between two requests moves the rest up, and the overlap
 * keeps the one at the seam from falling between the pages.
 */
const PAGE_OVERLAP = 100;
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

/** Stream changes arriving within this long are laid on the wall together. */
const BATCH_MS = 10;

/** `changed` put onto, within or off the wall `at` at once: one sort, however many (a flood). */
function placedAll(at: Placed, changed: Alarm[]): Placed {
  const [only] = changed;
  if (changed.length === 1 && only !== undefined) return placed(at, only);
  const ids = new Set(changed.map((a) => a.id));
  const kept = at.alarms.filter((w) => !ids.has(w.alarm.id));
  const stays = changed.filter(onWall).map(seen);
  const alarms = [...kept, ...stays].sort((a, b) => order(a.alarm, b.alarm));
  return { alarms, total: at.total + stays.length - (at.alarms.length - kept.length) };
}

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
  /** Changes waiting for the batch to be drawn, by alarm id (the latest wins). */
  private readonly pending = new Map<string, Alarm>();
  private batchTimer: number | null = null;

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
    if (this.batchTimer !== null) window.clearTimeout(this.batchTimer);
    this.listeners.clear();
  }

  /**
   * An alarm as the hub now has it (from the stream or an action's answer):
   * onto, within or off the wall. Changes that come together (a building's
   * alarms, a flood) are drawn together, not one render each.
   */
  put(alarm: Alarm): void {
    if (this.fetching) this.sentDuringFetch.push(alarm);
    this.pending.set(alarm.id, alarm);
    // A timer, not an animation frame: a wall in a background tab still hears its alarms.
    this.batchTimer ??= window.setTimeout(() => {
      this.batchTimer = null;
      const changed = [...this.pending.values()];
      this.pending.clear();
      if (!this.stopped) this.set(placedAll(this.state, changed));
    }, BATCH_MS);
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
      const page = await api.wall(0);
      if (this.stopped) return;
      if (page.replay) {
        this.set({ phase: 'rebuilding', replay: page.replay, error: null });
        this.refetchIn(REPLAY_POLL_MS);
        return;
      }
      // The first page is shown at once (the most urgent alarms lead the
      // hub's order); then page after page until the whole wall is in. An
      // alarm that moved between pages meanwhile is taken once, and the
      // stream's changes are laid over each.
      const byId = new Map(page.alarms.map((a) => [a.id, a]));
      const show = (total: number = page.total): void => {
        let wall: Placed = { alarms: [...byId.values()].sort(order).map(seen), total };
        for (const a of this.sentDuringFetch) wall = placed(wall, a);
        this.set({ ...wall, phase: 'ready', replay: null, flood: page.flood, error: null });
      };
      show();
      let fetched = page.alarms.length;
      let total = page.total;
      while (fetched < total && fetched < WALL_MAX) {
        const from = Math.max(0, fetched - PAGE_OVERLAP);
        const next = await api.wall(from);
        if (this.stopped) return;
        if (next.replay || next.alarms.length === 0) break;
        for (const a of next.alarms) byId.set(a.id, a);
        fetched = from + next.alarms.length;
        total = next.total;
      }
      if (fetched > page.alarms.length) {
        show(total);
        // More moved than the overlap covers (the wall changed fast while
        // it was read): read it again rather than show it short.
        if (this.state.alarms.length < Math.min(this.state.total, WALL_MAX)) this.fetchAgain = true;
      }
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
