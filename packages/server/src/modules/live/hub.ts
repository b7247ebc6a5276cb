import { type Actor, can, canAnywhere, type Grant, scopeOf } from '../access/policy.js';
import type { FloodEvent } from '../alarms/engine/index.js';
import type { PlacedEvent } from '../alarms/index.js';
import type { Point } from '../ingest/types.js';

/** What the hub needs of a connected socket (a `ws` WebSocket fits). */
export interface LiveSocket {
  /** A Buffer goes out as a text frame with `{ binary: false }`: one encoding shared by many sockets. */
  send(data: string | Buffer, options?: { binary?: boolean }): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
  close(code?: number, reason?: string): void;
}

/** Where the hub finds each tag's plant path: the in-memory tag directory (no SQL here). */
export interface LivePaths {
  get(tagId: number): { path: string } | undefined;
  all(): Iterable<{ path: string }>;
  onChange(listener: () => void): () => void;
}

/** An alarm event serialised once for every client. */
interface Piece {
  key: string;
  path: string;
  event: string;
  view: string;
}

/** Alarm frames not yet sent: per scope group, or per client while that client is behind. */
interface Pending {
  events: string[];
  alarms: Map<string, string>;
  floods: FloodEvent[];
  coalesced: number;
}

/**
 * The clients with the same alarm.read scope. Every alarm event is checked and serialised once
 * per group, and the group's frame is encoded once and written to all of its sockets.
 */
interface Group {
  key: string;
  /** Any member's actor: members have the same alarm.read grants. */
  actor: Actor;
  clients: Set<Client>;
  /** alarm.read decision per plant path; dropped whenever grants or paths change. */
  readable: Map<string, boolean>;
  pending: Pending;
  scheduled: boolean;
}

interface Client {
  socket: LiveSocket;
  actor: Actor;
  group: Group | null;
  /** Subscribed tags (checked against tag.read when subscribing and again at every delivery). */
  tags: Set<number>;
  /** tag.read decision per plant path; dropped whenever grants or paths change. */
  tagReadable: Map<string, boolean>;
  values: Map<number, Point>;
  valuesScheduled: boolean;
  /** Set while the socket is too slow for its group's frames: it then gets its own, coalesced. */
  behind: Pending | null;
  behindScheduled: boolean;
}

export interface LiveStats {
  clients: number;
  groups: number;
  framesSent: number;
  eventsCoalesced: number;
}

// A client whose socket has this much unsent data gets coalesced updates less often, so a slow
// phone on a weak link does not hold the server's memory or slow the others.
const SLOW_CLIENT_BYTES = 1 << 20;
const MAX_PENDING_EVENTS = 20_000;
/** Close code for a connection whose user's access changed: the client reconnects with fresh grants. */
export const ACCESS_CHANGED_CLOSE = 4403;

const emptyPending = (): Pending => ({ events: [], alarms: new Map(), floods: [], coalesced: 0 });
const hasPending = (p: Pending) => p.events.length > 0 || p.alarms.size > 0 || p.floods.length > 0;

function alarmFrame(p: Pending) {
  let alarms = '';
  for (const v of p.alarms.values()) alarms += alarms ? `,${v}` : v;
  return (
    `{"type":"alarms","events":[${p.events.join(',')}],"alarms":[${alarms}],` +
    `"floods":${JSON.stringify(p.floods)}${p.coalesced ? `,"coalesced":${p.coalesced}` : ''}}`
  );
}

/** The alarm.read scope as a key: clients with equal keys see exactly the same alarms. */
function groupKey(actor: Actor): string | null {
  if (!canAnywhere(actor, 'alarm.read')) return null;
  const scope = scopeOf(actor, 'alarm.read');
  return scope.all ? '*' : [...scope.paths].sort().join(' ');
}

/** The plant path of an area (workshop), from any tag below it: floods are counted per area. */
function areaPaths(paths: LivePaths) {
  const areas = new Map<string, string>();
  for (const { path } of paths.all()) {
    const ids = path.split('/', 5);
    // '/e/s/a/…' splits into ['', e, s, a, …]
    if (ids.length === 5 && ids[3] && !areas.has(ids[3]))
      areas.set(ids[3], `/${ids[1]}/${ids[2]}/${ids[3]}/`);
  }
  return areas;
}

/** May the actor read alarms anywhere in this subtree (a flood of the area concerns them)? */
const readsWithin = (actor: Actor, subtree: string) =>
  actor.grants.some(
    (g) =>
      (g.permission === '*' || g.permission === 'alarm.read') &&
      (g.path === null || g.path.startsWith(subtree) || subtree.startsWith(g.path)),
  );

export type LiveHub = ReturnType<typeof createLiveHub>;

/**
 * Pushes alarm events and subscribed tag values to WebSocket clients, each filtered by the
 * client's scope: alarms by alarm.read, values by tag.read over the tag's equipment. Plant
 * paths come from the tag directory, so a moved equipment is filtered by where it is now.
 */
export function createLiveHub({ paths }: { paths: LivePaths }) {
  const clients = new Set<Client>();
  const groups = new Map<string, Group>();
  const stats: LiveStats = { clients: 0, groups: 0, framesSent: 0, eventsCoalesced: 0 };
  let areas: Map<string, string> | null = null;

  // Tags moved or changed: every cached decision by path may be wrong now.
  paths.onChange(() => {
    areas = null;
    forgetDecisions();
  });

  function forgetDecisions() {
    for (const g of groups.values()) g.readable.clear();
    for (const c of clients) c.tagReadable.clear();
  }

  const pathOf = (tagId: number, fallback: string) => paths.get(tagId)?.path ?? fallback;

  function join(c: Client) {
    const key = groupKey(c.actor);
    if (key === null) return;
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        actor: c.actor,
        clients: new Set(),
        readable: new Map(),
        pending: emptyPending(),
        scheduled: false,
      };
      groups.set(key, g);
    }
    g.clients.add(c);
    c.group = g;
  }

  function leave(c: Client) {
    const g = c.group;
    c.group = null;
    if (!g) return;
    g.clients.delete(c);
    if (!g.clients.size) groups.delete(g.key);
  }

  function drop(c: Client) {
    clients.delete(c);
    leave(c);
  }

  function add(p: Pending, piece: Piece) {
    if (p.events.length >= MAX_PENDING_EVENTS) {
      p.coalesced++;
      stats.eventsCoalesced++;
    } else {
      p.events.push(piece.event);
    }
    p.alarms.set(piece.key, piece.view);
  }

  function merge(into: Pending, from: Pending) {
    for (const e of from.events) {
      if (into.events.length >= MAX_PENDING_EVENTS) {
        into.coalesced++;
        stats.eventsCoalesced++;
      } else into.events.push(e);
    }
    into.coalesced += from.coalesced;
    for (const [k, v] of from.alarms) into.alarms.set(k, v);
    into.floods.push(...from.floods);
  }

  const isSlow = (c: Client) => c.socket.bufferedAmount > SLOW_CLIENT_BYTES;

  function flushGroup(g: Group) {
    g.scheduled = false;
    if (!hasPending(g.pending) || groups.get(g.key) !== g) return;
    const pending = g.pending;
    g.pending = emptyPending();
    let shared: Buffer | null = null;
    for (const c of g.clients) {
      if (c.socket.readyState !== 1) continue;
      // A client that is behind keeps its own queue, in order, until it has caught up.
      if (c.behind || isSlow(c)) {
        c.behind ??= emptyPending();
        merge(c.behind, pending);
        scheduleBehind(c, 100);
        continue;
      }
      shared ??= Buffer.from(alarmFrame(pending));
      c.socket.send(shared, { binary: false });
      stats.framesSent++;
    }
  }

  function flushBehind(c: Client) {
    c.behindScheduled = false;
    if (!c.behind || c.socket.readyState !== 1) return;
    if (isSlow(c)) {
      scheduleBehind(c, 100);
      return;
    }
    const pending = c.behind;
    c.behind = null;
    if (hasPending(pending)) {
      c.socket.send(alarmFrame(pending));
      stats.framesSent++;
    }
  }

  function flushValues(c: Client) {
    c.valuesScheduled = false;
    if (!c.values.size || c.socket.readyState !== 1) return;
    if (isSlow(c)) {
      c.valuesScheduled = true;
      setTimeout(() => flushValues(c), 100).unref();
      return;
    }
    let points = '';
    for (const p of c.values.values()) {
      const one = JSON.stringify({ tagId: p.tagId, ts: p.ts, value: p.value, quality: p.quality });
      points += points ? `,${one}` : one;
    }
    c.values.clear();
    c.socket.send(`{"type":"values","points":[${points}]}`);
    stats.framesSent++;
  }

  // The first change after a flush goes out on the next turn of the event loop (milliseconds);
  // everything arriving meanwhile rides in the same frame.
  function scheduleGroup(g: Group) {
    if (g.scheduled) return;
    g.scheduled = true;
    setImmediate(() => flushGroup(g));
  }
  function scheduleBehind(c: Client, delayMs: number) {
    if (c.behindScheduled) return;
    c.behindScheduled = true;
    setTimeout(() => flushBehind(c), delayMs).unref();
  }
  function scheduleValues(c: Client) {
    if (c.valuesScheduled) return;
    c.valuesScheduled = true;
    setImmediate(() => flushValues(c));
  }

  function groupReads(g: Group, path: string) {
    let allowed = g.readable.get(path);
    if (allowed === undefined) {
      allowed = can(g.actor, 'alarm.read', path);
      g.readable.set(path, allowed);
    }
    return allowed;
  }

  function clientReadsTag(c: Client, path: string) {
    let allowed = c.tagReadable.get(path);
    if (allowed === undefined) {
      allowed = can(c.actor, 'tag.read', path);
      c.tagReadable.set(path, allowed);
    }
    return allowed;
  }

  function closeClient(c: Client, code: number, reason: string) {
    drop(c);
    c.socket.close(code, reason);
  }

  const send = (socket: LiveSocket, msg: unknown) => socket.send(JSON.stringify(msg));

  return {
    stats: (): LiveStats => ({ ...stats, clients: clients.size, groups: groups.size }),

    /** A signed-in socket joins; returns the handler for its messages and for its close. */
    connect(socket: LiveSocket, actor: Actor) {
      const client: Client = {
        socket,
        actor,
        group: null,
        tags: new Set(),
        tagReadable: new Map(),
        values: new Map(),
        valuesScheduled: false,
        behind: null,
        behindScheduled: false,
      };
      clients.add(client);
      join(client);
      send(socket, { type: 'hello', user: actor.username, alarms: canAnywhere(actor, 'alarm.read') });
      return {
        async message(raw: string) {
          let msg: { type?: unknown; tagIds?: unknown; id?: unknown };
          try {
            msg = JSON.parse(raw);
          } catch {
            send(socket, { type: 'error', code: 'validation_failed', message: 'Messages are JSON objects' });
            return;
          }
          if (!clients.has(client)) return;
          const ids = Array.isArray(msg?.tagIds)
            ? msg.tagIds.filter((v): v is number => Number.isInteger(v) && v > 0).slice(0, 5000)
            : [];
          if (msg?.type === 'subscribe') {
            const accepted: number[] = [];
            const refused: number[] = [];
            for (const id of ids) {
              const path = paths.get(id)?.path;
              if (path !== undefined && clientReadsTag(client, path)) {
                client.tags.add(id);
                accepted.push(id);
              } else refused.push(id);
            }
            send(socket, { type: 'subscribed', tagIds: accepted, refused });
          } else if (msg?.type === 'unsubscribe') {
            for (const id of ids) client.tags.delete(id);
          } else if (msg?.type === 'ping') {
            send(socket, { type: 'pong', id: msg.id ?? null });
          } else {
            send(socket, {
              type: 'error',
              code: 'validation_failed',
              message: 'Unknown message type; use subscribe, unsubscribe or ping',
            });
          }
        },
        close() {
          drop(client);
        },
      };
    },

    publishPoints(points: Point[]) {
      if (!clients.size) return;
      for (const c of clients) {
        if (!c.tags.size) continue;
        let any = false;
        for (const p of points) {
          if (!c.tags.has(p.tagId)) continue;
          const path = paths.get(p.tagId)?.path;
          // Checked at every delivery: the equipment may have moved out of the client's scope.
          if (path === undefined || !clientReadsTag(c, path)) continue;
          c.values.set(p.tagId, p);
          any = true;
        }
        if (any) scheduleValues(c);
      }
    },

    publishAlarmEvents(events: PlacedEvent[]) {
      if (!groups.size) return;
      const pieces: Piece[] = new Array(events.length);
      for (let i = 0; i < events.length; i++) {
        const { event, place, alarm } = events[i]!;
        pieces[i] = {
          key: event.key,
          path: pathOf(place.tagId, place.path),
          event: JSON.stringify({ ...event, tagId: place.tagId, equipmentId: place.equipmentId }),
          view: JSON.stringify({
            ...alarm,
            updatedAt: new Date(event.at).toISOString(),
            ruleRecordId: place.ruleId,
            tagId: place.tagId,
            equipmentId: place.equipmentId,
            areaId: place.areaId,
          }),
        };
      }
      for (const g of groups.values()) {
        let any = false;
        for (const piece of pieces) {
          if (!groupReads(g, piece.path)) continue;
          add(g.pending, piece);
          any = true;
        }
        if (any) scheduleGroup(g);
      }
    },

    publishFloods(events: FloodEvent[]) {
      if (!groups.size) return;
      areas ??= areaPaths(paths);
      for (const g of groups.values()) {
        const mine = events.filter((e) => {
          const area = areas!.get(e.area);
          return area !== undefined && readsWithin(g.actor, area);
        });
        if (!mine.length) continue;
        g.pending.floods.push(...mine);
        scheduleGroup(g);
      }
    },

    /** Closes the connections opened with sessions or a token that were just revoked. */
    revoked(
      e:
        | { sessionId: number }
        | { userId: number; exceptSessionId: number | null }
        | { tokenId: number }
        | { kioskTokenId: number },
    ) {
      for (const c of clients) {
        const a = c.actor;
        const hit =
          'sessionId' in e
            ? a.sessionId === e.sessionId
            : 'tokenId' in e
              ? a.tokenId === e.tokenId
              : 'kioskTokenId' in e
                ? a.kiosk?.tokenId === e.kioskTokenId
                : a.userId === e.userId && (e.exceptSessionId === null || a.sessionId !== e.exceptSessionId);
        if (hit) closeClient(c, 4401, 'session ended');
      }
    },

    /**
     * A user's grants changed (grant revoked or given, role permissions edited, account
     * deactivated): their open streams close with 4403, and the client reconnects with what
     * it may see now (a deactivated user cannot).
     */
    accessChanged(e: { userIds: number[] }) {
      const users = new Set(e.userIds);
      for (const c of clients) {
        if (c.actor.userId !== null && users.has(c.actor.userId))
          closeClient(c, ACCESS_CHANGED_CLOSE, 'access changed');
      }
    },

    /**
     * A subtree of the plant moved: grants held inside it follow it, and every decision made by
     * plant path is dropped. Values and alarms are then filtered by where the equipment is now
     * (the tag directory's paths), for the leads of both the old and the new workshop.
     */
    plantMoved(e: { from: string; to: string }) {
      const movedGrant = (g: Grant) =>
        g.path?.startsWith(e.from) ? { ...g, path: e.to + g.path.slice(e.from.length) } : g;
      for (const c of clients) {
        if (!c.actor.grants.some((g) => g.path?.startsWith(e.from))) continue;
        // What the old group still owes this client goes out on its own, before anything new.
        if (c.group && hasPending(c.group.pending)) {
          c.behind ??= emptyPending();
          merge(c.behind, c.group.pending);
          scheduleBehind(c, 0);
        }
        leave(c);
        c.actor = { ...c.actor, grants: c.actor.grants.map(movedGrant) };
        join(c);
      }
      for (const g of groups.values()) g.actor = g.clients.values().next().value?.actor ?? g.actor;
      areas = null;
      forgetDecisions();
    },

    /** Whether the person has a live connection open now. */
    hasUser(userId: number) {
      for (const c of clients) if (c.actor.userId === userId) return true;
      return false;
    },

    /** A notification for one person: to every socket they have open (the bell updates at once). */
    publishToUser(userId: number, frame: unknown) {
      let text: string | null = null;
      for (const c of clients) {
        if (c.actor.userId !== userId) continue;
        text ??= JSON.stringify(frame);
        c.socket.send(text);
      }
    },

    closeAll() {
      for (const c of clients) c.socket.close(1001, 'server shutting down');
      clients.clear();
      groups.clear();
    },
  };
}
