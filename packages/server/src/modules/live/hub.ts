import type { Db } from '../../db/index.js';
import { type Actor, can, canAnywhere } from '../access/policy.js';
import type { FloodEvent } from '../alarms/engine/index.js';
import type { PlacedEvent } from '../alarms/index.js';
import type { Point } from '../ingest/types.js';

/** What the hub needs of a connected socket (a `ws` WebSocket fits). */
export interface LiveSocket {
  send(data: string): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
  close(code?: number, reason?: string): void;
}

interface Client {
  socket: LiveSocket;
  actor: Actor;
  /** Subscribed tags with their plant path (checked against tag.read when subscribing). */
  tags: Map<number, string>;
  values: Map<number, Point>;
  /** Pending events, each already serialised (once for all clients). */
  events: string[];
  /** Latest view per alarm key (serialised), sent once per flush even when many events were coalesced. */
  alarms: Map<string, string>;
  /** alarm.read decisions per plant path: a connection's grants do not change while it is open. */
  readable: Map<string, boolean>;
  floods: FloodEvent[];
  scheduled: boolean;
  coalesced: number;
}

export interface LiveStats {
  clients: number;
  framesSent: number;
  eventsCoalesced: number;
}

// A client whose socket has this much unsent data gets coalesced updates less often, so a slow
// phone on a weak link does not hold the server's memory or slow the others.
const SLOW_CLIENT_BYTES = 1 << 20;
const MAX_PENDING_EVENTS = 20_000;

export type LiveHub = ReturnType<typeof createLiveHub>;

/**
 * Pushes alarm events and subscribed tag values to WebSocket clients, each filtered by the
 * client's scope: alarms by alarm.read, values by tag.read over the tag's equipment.
 */
export function createLiveHub({ db }: { db: Db }) {
  const clients = new Set<Client>();
  const stats: LiveStats = { clients: 0, framesSent: 0, eventsCoalesced: 0 };

  function flush(c: Client) {
    c.scheduled = false;
    if (c.socket.readyState !== 1) return;
    if (c.socket.bufferedAmount > SLOW_CLIENT_BYTES) {
      schedule(c, 100);
      return;
    }
    if (c.events.length || c.alarms.size || c.floods.length) {
      // Assembled from pieces serialised once per event, so a hundred screens cost one stringify.
      c.socket.send(
        `{"type":"alarms","events":[${c.events.join(',')}],"alarms":[${[...c.alarms.values()].join(',')}],` +
          `"floods":${JSON.stringify(c.floods)}${c.coalesced ? `,"coalesced":${c.coalesced}` : ''}}`,
      );
      stats.framesSent++;
      c.events = [];
      c.alarms.clear();
      c.floods = [];
      c.coalesced = 0;
    }
    if (c.values.size) {
      c.socket.send(JSON.stringify({ type: 'values', points: [...c.values.values()] }));
      stats.framesSent++;
      c.values.clear();
    }
  }

  // The first change after a flush goes out on the next turn of the event loop (milliseconds);
  // everything arriving meanwhile rides in the same frame.
  function schedule(c: Client, delayMs = 0) {
    if (c.scheduled) return;
    c.scheduled = true;
    if (delayMs === 0) setImmediate(() => flush(c));
    else setTimeout(() => flush(c), delayMs).unref();
  }

  async function pathsOf(tagIds: number[]) {
    if (!tagIds.length) return new Map<number, string>();
    const rows = await db.query<{ id: number; path: string }>(
      'SELECT t.id, e.path FROM tag t JOIN plant_node e ON e.id = t.equipment_id WHERE t.id = ANY($1::bigint[])',
      [tagIds],
    );
    return new Map(rows.map((r) => [r.id, r.path]));
  }

  return {
    stats: () => ({ ...stats, clients: clients.size }),

    /** A signed-in socket joins; returns the handler for its messages and for its close. */
    connect(socket: LiveSocket, actor: Actor) {
      const client: Client = {
        socket,
        actor,
        tags: new Map(),
        values: new Map(),
        events: [],
        alarms: new Map(),
        readable: new Map(),
        floods: [],
        scheduled: false,
        coalesced: 0,
      };
      clients.add(client);
      socket.send(
        JSON.stringify({ type: 'hello', user: actor.username, alarms: canAnywhere(actor, 'alarm.read') }),
      );
      return {
        async message(raw: string) {
          let msg: { type?: unknown; tagIds?: unknown; id?: unknown };
          try {
            msg = JSON.parse(raw);
          } catch {
            socket.send(
              JSON.stringify({
                type: 'error',
                code: 'validation_failed',
                message: 'Messages are JSON objects',
              }),
            );
            return;
          }
          const ids = Array.isArray(msg.tagIds)
            ? msg.tagIds.filter((v): v is number => Number.isInteger(v) && v > 0).slice(0, 5000)
            : [];
          if (msg.type === 'subscribe') {
            const paths = await pathsOf(ids);
            const refused: number[] = [];
            for (const id of ids) {
              const path = paths.get(id);
              if (path !== undefined && can(actor, 'tag.read', path)) client.tags.set(id, path);
              else refused.push(id);
            }
            socket.send(
              JSON.stringify({
                type: 'subscribed',
                tagIds: ids.filter((id) => !refused.includes(id)),
                refused,
              }),
            );
          } else if (msg.type === 'unsubscribe') {
            for (const id of ids) client.tags.delete(id);
          } else if (msg.type === 'ping') {
            socket.send(JSON.stringify({ type: 'pong', id: msg.id ?? null }));
          } else {
            socket.send(
              JSON.stringify({
                type: 'error',
                code: 'validation_failed',
                message: 'Unknown message type; use subscribe, unsubscribe or ping',
              }),
            );
          }
        },
        close() {
          clients.delete(client);
        },
      };
    },

    publishPoints(points: Point[]) {
      for (const c of clients) {
        if (!c.tags.size) continue;
        let any = false;
        for (const p of points) {
          if (!c.tags.has(p.tagId)) continue;
          c.values.set(p.tagId, p);
          any = true;
        }
        if (any) schedule(c);
      }
    },

    publishAlarmEvents(events: PlacedEvent[]) {
      if (!clients.size) return;
      const pieces = events.map(({ event, place, alarm }) => ({
        key: event.key,
        path: place.path,
        event: JSON.stringify({ ...event, tagId: place.tagId, equipmentId: place.equipmentId }),
        view: JSON.stringify({
          ...alarm,
          updatedAt: new Date(event.at).toISOString(),
          ruleRecordId: place.ruleId,
          tagId: place.tagId,
          equipmentId: place.equipmentId,
          areaId: place.areaId,
        }),
      }));
      for (const c of clients) {
        let any = false;
        for (const p of pieces) {
          let allowed = c.readable.get(p.path);
          if (allowed === undefined) {
            allowed = can(c.actor, 'alarm.read', p.path);
            c.readable.set(p.path, allowed);
          }
          if (!allowed) continue;
          if (c.events.length >= MAX_PENDING_EVENTS) {
            c.coalesced++;
            stats.eventsCoalesced++;
          } else {
            c.events.push(p.event);
          }
          c.alarms.set(p.key, p.view);
          any = true;
        }
        if (any) schedule(c);
      }
    },

    publishFloods(events: FloodEvent[]) {
      for (const c of clients) {
        if (!canAnywhere(c.actor, 'alarm.read')) continue;
        c.floods.push(...events);
        schedule(c);
      }
    },

    /** Closes the connections opened with sessions or a token that were just revoked. */
    revoked(
      e: { sessionId: number } | { userId: number; exceptSessionId: number | null } | { tokenId: number },
    ) {
      for (const c of clients) {
        const a = c.actor;
        const hit =
          'sessionId' in e
            ? a.sessionId === e.sessionId
            : 'tokenId' in e
              ? a.tokenId === e.tokenId
              : a.userId === e.userId && (e.exceptSessionId === null || a.sessionId !== e.exceptSessionId);
        if (!hit) continue;
        c.socket.close(4401, 'session ended');
        clients.delete(c);
      }
    },

    closeAll() {
      for (const c of clients) c.socket.close(1001, 'server shutting down');
      clients.clear();
    },
  };
}
