// What a phone sends (a round, a hazard report) waits here until the hub has
// it: stored in localStorage first, so a dropped connection or a closed page
// loses nothing, then sent, and removed only on a 2xx, or on a refusal that
// sending again cannot change (shown to the person). Everything else is
// tried again when the browser comes online and on a timer. Each entry
// carries its client_id: the hub answers a resend with what the first made,
// so sending twice never records twice.

import { ApiError, asApiError } from './api';
import { send } from './programapi';

export type PendingKind = 'round' | 'report';

export interface Pending {
  client_id: string;
  kind: PendingKind;
  path: string;
  /** The JSON body, client_id inside. */
  body: Record<string, unknown>;
  /** Whose it is (`name#login`): only they send it. */
  actor: string;
  /** When it was put here, RFC 3339. */
  queued: string;
  /** What it is, for people: the task's name, the report's first words. */
  label: string;
  /** The round's task. */
  task?: string;
  tries: number;
}

/** An entry the hub refused for good; its body is dropped. */
export interface Refused {
  client_id: string;
  kind: PendingKind;
  label: string;
  actor: string;
  queued: string;
  status: number;
  code: string;
  message: string | null;
}

export interface Sent {
  client_id: string;
  kind: PendingKind;
  label: string;
}

export interface OutboxState {
  /** This person's entries still to send, oldest first. */
  pending: Pending[];
  refused: Refused[];
  /** Sent by this page lately, newest last. */
  sent: Sent[];
  sending: boolean;
  /** The last try failed for a reason that passes (no network, hub busy). */
  lastFailure: ApiError | null;
  /** False when storage refused the entries: they live in this page only. */
  stored: boolean;
}

const PENDING_KEY = 'twinwall.outbox.v1';
const REFUSED_KEY = 'twinwall.outbox.refused.v1';
/** Tried again this often while something waits. */
const RETRY_MS = 20_000;
const SENT_SHOWN = 5;

/** Worth sending again: no answer, the session to sign in again, the hub busy or failing. */
export function retryable(e: ApiError): boolean {
  return e.status === 0 || e.status === 401 || e.status === 408 || e.status === 425 || e.status === 429 || e.status >= 500;
}

/** A new client_id: a UUID where the browser makes them (secure contexts), else random enough. */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (c !== undefined && typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // Not a secure context: below.
    }
  }
  const bytes = new Uint8Array(16);
  if (c !== undefined && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A list kept in localStorage, or in memory once storage refuses it (full, or off). */
class Shelf<T> {
  private memory: T[] | null = null;

  constructor(
    private readonly key: string,
    private readonly valid: (v: unknown) => v is T,
  ) {}

  get stored(): boolean {
    return this.memory === null;
  }

  read(): T[] {
    if (this.memory !== null) return this.memory;
    try {
      const text = localStorage.getItem(this.key);
      const v: unknown = text === null ? [] : JSON.parse(text);
      return Array.isArray(v) ? v.filter(this.valid) : [];
    } catch {
      return [];
    }
  }

  /** Read, change, write back: another tab's entries are kept. */
  change(f: (items: T[]) => T[]): void {
    const items = f(this.read());
    try {
      if (items.length === 0) localStorage.removeItem(this.key);
      else localStorage.setItem(this.key, JSON.stringify(items));
      this.memory = null;
    } catch {
      this.memory = items;
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const isPending = (v: unknown): v is Pending =>
  isObject(v) && typeof v.client_id === 'string' && typeof v.path === 'string' && isObject(v.body) && typeof v.actor === 'string';

const isRefused = (v: unknown): v is Refused => isObject(v) && typeof v.client_id === 'string' && typeof v.actor === 'string';

export class Outbox {
  private readonly pendingShelf = new Shelf<Pending>(PENDING_KEY, isPending);
  private readonly refusedShelf = new Shelf<Refused>(REFUSED_KEY, isRefused);
  private readonly listeners = new Set<(s: OutboxState) => void>();
  private actor: string | null = null;
  private sending = false;
  private sent: Sent[] = [];
  private lastFailure: ApiError | null = null;
  private timer: number | null = null;
  private readonly onOnline = (): void => void this.flush();
  private readonly onVisible = (): void => {
    if (document.visibilityState === 'visible') void this.flush();
  };
  private readonly onStorage = (e: StorageEvent): void => {
    if (e.key === PENDING_KEY || e.key === REFUSED_KEY) this.tell();
  };

  /** Sends `actor`'s entries from now on (after sign-in), and at once what is waiting. */
  start(actor: string): void {
    this.stop();
    this.actor = actor;
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisible);
    window.addEventListener('storage', this.onStorage);
    this.timer = window.setInterval(() => void this.flush(), RETRY_MS);
    this.tell();
    void this.flush();
  }

  /** Sends nothing more (signed out); what waits stays stored for the next sign-in. */
  stop(): void {
    this.actor = null;
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onVisible);
    window.removeEventListener('storage', this.onStorage);
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.sent = [];
  }

  subscribe(f: (s: OutboxState) => void): () => void {
    this.listeners.add(f);
    f(this.state());
    return () => {
      this.listeners.delete(f);
    };
  }

  state(): OutboxState {
    const mine = <T extends { actor: string }>(xs: T[]): T[] => xs.filter((x) => x.actor === this.actor);
    return {
      pending: mine(this.pendingShelf.read()),
      refused: mine(this.refusedShelf.read()),
      sent: this.sent,
      sending: this.sending,
      lastFailure: this.lastFailure,
      stored: this.pendingShelf.stored,
    };
  }

  /** Keeps a new entry, then tries to send it; the answer is its client_id. */
  add(entry: { kind: PendingKind; path: string; body: Record<string, unknown>; label: string; task?: string }): string {
    if (this.actor === null) throw new Error('the outbox is not started: nobody is signed in');
    const existing = typeof entry.body.client_id === 'string' ? entry.body.client_id : null;
    const client_id = existing ?? newClientId();
    const item: Pending = {
      ...entry,
      body: { ...entry.body, client_id },
      client_id,
      actor: this.actor,
      queued: new Date().toISOString(),
      tries: 0,
    };
    this.pendingShelf.change((xs) => [...xs.filter((x) => x.client_id !== client_id), item]);
    this.tell();
    void this.flush();
    return client_id;
  }

  /** Forgets a refusal once the person has read it. */
  dismiss(client_id: string): void {
    this.refusedShelf.change((xs) => xs.filter((x) => x.client_id !== client_id));
    this.tell();
  }

  /** Sends this person's entries in order; stops at the first that may pass later. */
  async flush(): Promise<void> {
    if (this.sending || this.actor === null) return;
    if (this.state().pending.length === 0) return;
    this.sending = true;
    this.tell();
    try {
      for (;;) {
        const actor = this.actor;
        const next = this.pendingShelf.read().find((x) => x.actor === actor);
        if (next === undefined || actor === null) break;
        try {
          await send(next.path, next.body);
          this.pendingShelf.change((xs) => xs.filter((x) => x.client_id !== next.client_id));
          this.sent = [...this.sent, { client_id: next.client_id, kind: next.kind, label: next.label }].slice(-SENT_SHOWN);
          this.lastFailure = null;
        } catch (e) {
          const err = asApiError(e);
          if (retryable(err)) {
            this.pendingShelf.change((xs) => xs.map((x) => (x.client_id === next.client_id ? { ...x, tries: x.tries + 1 } : x)));
            this.lastFailure = err;
            break;
          }
          // The hub said no for good (a fault in the entry, not the link): kept only as a note.
          this.pendingShelf.change((xs) => xs.filter((x) => x.client_id !== next.client_id));
          this.refusedShelf.change((xs) => [
            ...xs,
            {
              client_id: next.client_id,
              kind: next.kind,
              label: next.label,
              actor: next.actor,
              queued: next.queued,
              status: err.status,
              code: err.code,
              message: err.hubMessage,
            },
          ]);
          this.lastFailure = null;
        }
        this.tell();
      }
    } finally {
      this.sending = false;
      this.tell();
    }
  }

  private tell(): void {
    const s = this.state();
    for (const f of this.listeners) f(s);
  }
}

/** The page's one outbox. */
export const outbox = new Outbox();
