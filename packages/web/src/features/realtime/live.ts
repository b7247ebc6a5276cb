import type { AlarmEvent, AlarmView, FloodEvent, Notification, Quality } from '@aegis/shared';

/**
 * One WebSocket to /api/live for the whole page: alarm frames for everyone holding alarm.read,
 * value frames for the tags some component subscribed to. It reconnects with back-off,
 * re-subscribes what is still wanted, and tells listeners it reopened so they can refetch what
 * they may have missed meanwhile.
 */

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'closed';

/** A value as it arrives from the hub; `ts` is the source time in epoch ms. */
export interface LivePoint {
  tagId: number;
  ts: number;
  value: number | boolean | string | null;
  quality: Quality;
}

/** An alarm as pushed by the hub: the alarm view without `updatedAt`. */
export type LiveAlarm = Omit<AlarmView, 'updatedAt'> & { updatedAt?: string };
export type LiveAlarmEvent = AlarmEvent & { tagId: number; equipmentId: number };

export interface AlarmFrame {
  type: 'alarms';
  events: LiveAlarmEvent[];
  alarms: LiveAlarm[];
  floods: FloodEvent[];
  /** Events the hub dropped for a slow client; the alarm views are complete regardless. */
  coalesced?: number;
}

/** A notification addressed to the signed-in user, with their new unread count (for the bell). */
export interface NotificationFrame {
  type: 'notification';
  notification: Notification;
  unread: number;
}

type Incoming =
  | { type: 'hello'; user: string; alarms: boolean }
  | AlarmFrame
  | NotificationFrame
  | { type: 'values'; points: Array<Omit<LivePoint, 'ts'> & { ts: number | string }> }
  | { type: 'subscribed'; tagIds: number[]; refused: number[] }
  | { type: 'pong'; id: unknown }
  | { type: 'error'; code: string; message: string };

const PING_EVERY_MS = 25_000;
// A phone that lost its network keeps a half-open socket for minutes; no answer to a ping in
// this time means the link is dead.
const PONG_TIMEOUT_MS = 10_000;
// Leaving one page for another releases and re-acquires the connection; keep it that long.
const CLOSE_GRACE_MS = 5_000;
const SUBSCRIBE_CHUNK = 5000;

/** 1 s doubling to 30 s, with jitter so a control room of screens does not reconnect in step. */
export function reconnectDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.75 + random() * 0.5));
}

export class LiveConnection {
  status: LiveStatus = 'idle';
  /** Bumped on every values frame, so React can tell the value store changed. */
  valuesVersion = 0;
  private readonly latest = new Map<number, LivePoint>();
  private ws: WebSocket | null = null;
  private users = 0;
  private attempt = 0;
  private readonly tagRefs = new Map<number, number>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private pingSeq = 0;
  private readonly statusListeners = new Set<() => void>();
  private readonly valueListeners = new Set<(points: LivePoint[]) => void>();
  private readonly alarmListeners = new Set<(frame: AlarmFrame) => void>();
  private readonly notificationListeners = new Set<(frame: NotificationFrame) => void>();
  private readonly openListeners = new Set<() => void>();

  constructor(private readonly url: () => string) {
    if (typeof window !== 'undefined') {
      // Back on the network or back to the tab: try now instead of waiting out the back-off.
      window.addEventListener('online', () => this.retryNow());
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') this.retryNow();
      });
    }
  }

  /** Keeps the connection open until the returned function is called. */
  acquire(): () => void {
    this.users++;
    if (this.closeTimer) {
      clearTimeout(this.closeTimer);
      this.closeTimer = null;
    }
    if (!this.ws && !this.reconnectTimer) this.connect();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      if (this.users === 0) this.closeTimer = setTimeout(() => this.shutdown(), CLOSE_GRACE_MS);
    };
  }

  /** Asks for values of these tags; the returned function gives them up again. */
  subscribe(tagIds: number[]): () => void {
    const fresh: number[] = [];
    for (const id of tagIds) {
      const n = this.tagRefs.get(id) ?? 0;
      this.tagRefs.set(id, n + 1);
      if (n === 0) fresh.push(id);
    }
    if (fresh.length) this.send({ type: 'subscribe', tagIds: fresh });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const gone: number[] = [];
      for (const id of tagIds) {
        const n = (this.tagRefs.get(id) ?? 1) - 1;
        if (n <= 0) {
          this.tagRefs.delete(id);
          this.latest.delete(id);
          gone.push(id);
        } else this.tagRefs.set(id, n);
      }
      if (gone.length) this.send({ type: 'unsubscribe', tagIds: gone });
    };
  }

  /** The newest pushed value of a subscribed tag. */
  value(tagId: number): LivePoint | undefined {
    return this.latest.get(tagId);
  }

  onStatus = (fn: () => void) => this.listen(this.statusListeners, fn);
  onValues = (fn: (points: LivePoint[]) => void) => this.listen(this.valueListeners, fn);
  onAlarms = (fn: (frame: AlarmFrame) => void) => this.listen(this.alarmListeners, fn);
  onNotification = (fn: (frame: NotificationFrame) => void) => this.listen(this.notificationListeners, fn);
  /** Called on every (re)open: whatever happened while the socket was down must be refetched. */
  onOpen = (fn: () => void) => this.listen(this.openListeners, fn);

  private listen<T>(set: Set<T>, fn: T) {
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  private setStatus(s: LiveStatus) {
    if (this.status === s) return;
    this.status = s;
    for (const fn of this.statusListeners) fn();
  }

  private send(msg: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private connect() {
    this.reconnectTimer = null;
    this.setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus('open');
      const ids = [...this.tagRefs.keys()];
      for (let i = 0; i < ids.length; i += SUBSCRIBE_CHUNK) {
        this.send({ type: 'subscribe', tagIds: ids.slice(i, i + SUBSCRIBE_CHUNK) });
      }
      this.startPing();
      for (const fn of this.openListeners) fn();
    };
    ws.onmessage = (e) => this.receive(e.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPing();
      this.setStatus('closed');
      if (this.users > 0) this.scheduleReconnect();
      else this.setStatus('idle');
    };
    // An error is always followed by close, which does the rest.
    ws.onerror = () => {};
  }

  private receive(data: unknown) {
    if (this.pongTimer) {
      // Any frame proves the link is alive.
      clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    let msg: Incoming;
    try {
      msg = JSON.parse(String(data)) as Incoming;
    } catch {
      return;
    }
    if (msg.type === 'values') {
      const points: LivePoint[] = [];
      for (const p of msg.points) {
        if (!this.tagRefs.has(p.tagId)) continue;
        const ts = typeof p.ts === 'number' ? p.ts : Date.parse(p.ts);
        const point = { tagId: p.tagId, ts, value: p.value, quality: p.quality };
        const prev = this.latest.get(p.tagId);
        if (!prev || prev.ts <= ts) this.latest.set(p.tagId, point);
        points.push(point);
      }
      if (!points.length) return;
      this.valuesVersion++;
      for (const fn of this.valueListeners) fn(points);
    } else if (msg.type === 'alarms') {
      for (const fn of this.alarmListeners) fn(msg);
    } else if (msg.type === 'notification') {
      for (const fn of this.notificationListeners) fn(msg);
    }
  }

  private startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      this.send({ type: 'ping', id: ++this.pingSeq });
      if (!this.pongTimer) this.pongTimer = setTimeout(() => this.ws?.close(), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  private stopPing() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = null;
    this.pongTimer = null;
  }

  private scheduleReconnect() {
    if (this.reconnectTimer) return;
    const delay = reconnectDelayMs(this.attempt++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      // Everyone left meanwhile (e.g. signed out): a new socket would only be refused.
      if (this.users > 0) this.connect();
      else this.setStatus('idle');
    }, delay);
  }

  private retryNow() {
    if (this.users === 0 || !this.reconnectTimer) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    this.connect();
  }

  private shutdown() {
    this.closeTimer = null;
    if (this.users > 0) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopPing();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'no more listeners');
    this.attempt = 0;
    this.latest.clear();
    this.setStatus('idle');
  }
}

const liveUrl = () => `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/live`;

/** The page's one connection. */
export const live = new LiveConnection(liveUrl);
