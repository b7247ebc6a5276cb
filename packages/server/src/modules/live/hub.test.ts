import { describe, expect, it } from 'vitest';
import type { Actor } from '../access/policy.js';
import type { PlacedEvent } from '../alarms/index.js';
import { ACCESS_CHANGED_CLOSE, createLiveHub, type LiveSocket } from './hub.js';

// Tags 1 and 2 sit in workshop A (/1/2/3/), tag 3 in workshop B (/1/2/4/).
const PATHS: Record<number, string> = { 1: '/1/2/3/10/', 2: '/1/2/3/11/', 3: '/1/2/4/12/' };

/** The tag directory as the hub sees it: paths by tag id, with change notifications. */
function directory(initial: Record<number, string> = PATHS) {
  const paths = new Map(Object.entries(initial).map(([id, path]) => [Number(id), path]));
  const listeners = new Set<() => void>();
  return {
    get: (id: number) => (paths.has(id) ? { path: paths.get(id)! } : undefined),
    all: () => [...paths.values()].map((path) => ({ path })),
    onChange(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    /** Moves a tag and notifies, as a reload after a plant move does. */
    move(id: number, path: string) {
      paths.set(id, path);
      for (const l of listeners) l();
    },
  };
}

const actor = (path: string | null, userId = 7): Actor => ({
  userId,
  username: 'lead',
  displayName: 'Lead',
  kind: 'person',
  passwordChangeRequired: false,
  grants: [
    { permission: 'alarm.read', nodeId: 3, path },
    { permission: 'tag.read', nodeId: 3, path },
  ],
});

function socket() {
  const frames: any[] = [];
  const s: LiveSocket & { frames: any[]; closed: number | null } = {
    frames,
    bufferedAmount: 0,
    readyState: 1,
    closed: null as number | null,
    send: (data: string | Buffer) => frames.push(JSON.parse(String(data))),
    close(code?: number) {
      s.closed = code ?? 1000;
      (s as { readyState: number }).readyState = 3;
    },
  };
  return s;
}
const nextTurn = () => new Promise((r) => setImmediate(r));

const event = (key: string, path: string, tagId: number): PlacedEvent =>
  ({
    event: {
      type: 'activated',
      key,
      ruleId: key.split(':')[0],
      tag: 'X',
      from: 'normal',
      to: 'unack_active',
      at: 1,
      user: null,
      comment: null,
      value: 80,
      priority: 'high',
      message: 'high',
      annunciated: true,
    },
    place: { ruleId: Number(key.split(':')[0]), tagId, equipmentId: 10, areaId: 3, path },
    alarm: { key, state: 'unack_active' },
  }) as unknown as PlacedEvent;

describe('live push', () => {
  it('sends a client only the alarms of its scope', async () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    const b = socket();
    hub.connect(a, actor('/1/2/3/'));
    hub.connect(b, actor('/1/2/4/'));
    hub.publishAlarmEvents([event('5:H', PATHS[1]!, 1), event('6:H', PATHS[3]!, 3)]);
    await nextTurn();
    expect(a.frames.at(-1)).toMatchObject({ type: 'alarms', events: [{ key: '5:H' }] });
    expect(a.frames.at(-1).events).toHaveLength(1);
    expect(b.frames.at(-1).events.map((e: { key: string }) => e.key)).toEqual(['6:H']);
  });

  it('refuses subscriptions to tags outside the scope and sends values of the others', async () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    const session = hub.connect(a, actor('/1/2/3/'));
    await session.message(JSON.stringify({ type: 'subscribe', tagIds: [1, 3, 99] }));
    expect(a.frames.at(-1)).toEqual({ type: 'subscribed', tagIds: [1], refused: [3, 99] });
    hub.publishPoints([
      { tagId: 1, ts: 1, value: 1.5, quality: 'good' },
      { tagId: 3, ts: 1, value: 9, quality: 'good' },
    ]);
    await nextTurn();
    expect(a.frames.at(-1)).toEqual({
      type: 'values',
      points: [{ tagId: 1, ts: 1, value: 1.5, quality: 'good' }],
    });
  });

  it('coalesces a burst into few frames and loses no alarm', async () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    hub.connect(a, actor(null));
    for (let i = 0; i < 5000; i++) hub.publishAlarmEvents([event(`${i}:H`, PATHS[1]!, 1)]);
    await nextTurn();
    const frames = a.frames.filter((f) => f.type === 'alarms');
    expect(frames.length).toBeLessThanOrEqual(2);
    const keys = new Set(frames.flatMap((f) => f.alarms.map((x: { key: string }) => x.key)));
    expect(keys.size).toBe(5000);
  });

  it('answers malformed messages with an error instead of dropping the connection', async () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    const session = hub.connect(a, actor(null));
    await session.message('not json');
    await session.message(JSON.stringify({ type: 'dance' }));
    expect(a.frames.slice(-2).map((f) => f.type)).toEqual(['error', 'error']);
    await session.message(JSON.stringify({ type: 'ping', id: 4 }));
    expect(a.frames.at(-1)).toEqual({ type: 'pong', id: 4 });
  });

  it('encodes a frame once for all clients with the same scope and sends each its scope only', async () => {
    const hub = createLiveHub({ paths: directory() });
    const raw = (sock: LiveSocket & { frames: any[] }) => {
      const sent: Array<string | Buffer> = [];
      const send = sock.send;
      sock.send = (d) => {
        sent.push(d);
        send(d);
      };
      return sent;
    };
    const leadsA = Array.from({ length: 50 }, () => socket());
    const leadB = socket();
    const sentA = leadsA.map(raw);
    for (const [i, s] of leadsA.entries()) hub.connect(s, actor('/1/2/3/', 100 + i));
    hub.connect(leadB, actor('/1/2/4/', 200));
    expect(hub.stats().groups).toBe(2);
    hub.publishAlarmEvents([event('5:H', PATHS[1]!, 1), event('6:H', PATHS[3]!, 3)]);
    await nextTurn();
    const frames = sentA.map((sent) => sent.at(-1));
    expect(Buffer.isBuffer(frames[0])).toBe(true);
    expect(frames.every((f) => f === frames[0])).toBe(true);
    expect(leadsA[0]!.frames.at(-1).events.map((e: { key: string }) => e.key)).toEqual(['5:H']);
    expect(leadB.frames.at(-1).events.map((e: { key: string }) => e.key)).toEqual(['6:H']);
  });

  it('sends values with their tag, time, value and quality only', async () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    const session = hub.connect(a, actor('/1/2/3/'));
    await session.message(JSON.stringify({ type: 'subscribe', tagIds: [1] }));
    hub.publishPoints([
      {
        tagId: 1,
        ts: 1,
        value: 2,
        quality: 'good',
        receipt: { clientId: 'dev', packetId: 1, hash: 'h', connection: 'c' },
      },
    ]);
    await nextTurn();
    expect(a.frames.at(-1)).toEqual({
      type: 'values',
      points: [{ tagId: 1, ts: 1, value: 2, quality: 'good' }],
    });
  });

  it('follows equipment moved to another workshop: the old lead stops receiving it, the new lead starts', async () => {
    const tags = directory();
    const hub = createLiveHub({ paths: tags });
    const a = socket();
    const b = socket();
    const sa = hub.connect(a, actor('/1/2/3/', 1));
    const sb = hub.connect(b, actor('/1/2/4/', 2));
    await sa.message(JSON.stringify({ type: 'subscribe', tagIds: [1, 2] }));
    // Equipment 10 (tag 1) moves from workshop A to workshop B.
    tags.move(1, '/1/2/4/10/');
    hub.plantMoved({ from: '/1/2/3/10/', to: '/1/2/4/10/' });
    await sb.message(JSON.stringify({ type: 'subscribe', tagIds: [1] }));
    expect(b.frames.at(-1)).toEqual({ type: 'subscribed', tagIds: [1], refused: [] });
    hub.publishPoints([
      { tagId: 1, ts: 2, value: 7, quality: 'good' },
      { tagId: 2, ts: 2, value: 8, quality: 'good' }, // the marker: still workshop A's
    ]);
    // The alarm engine may still carry the old path: the hub goes by the directory.
    hub.publishAlarmEvents([event('9:H', PATHS[1]!, 1)]);
    await nextTurn();
    const valuesOf = (s: { frames: any[] }) =>
      s.frames
        .filter((f) => f.type === 'values')
        .flatMap((f) => f.points.map((p: { tagId: number }) => p.tagId));
    const alarmsOf = (s: { frames: any[] }) =>
      s.frames.filter((f) => f.type === 'alarms').flatMap((f) => f.events.map((e: { key: string }) => e.key));
    expect(valuesOf(a)).toEqual([2]);
    expect(valuesOf(b)).toEqual([1]);
    expect(alarmsOf(a)).toEqual([]);
    expect(alarmsOf(b)).toEqual(['9:H']);
  });

  it('moves grants held inside a moved subtree along with it', async () => {
    const tags = directory();
    const hub = createLiveHub({ paths: tags });
    const a = socket();
    const sa = hub.connect(a, actor('/1/2/3/'));
    await sa.message(JSON.stringify({ type: 'subscribe', tagIds: [1] }));
    // Workshop 3 moves from site 2 to site 5, with its equipment.
    tags.move(1, '/1/5/3/10/');
    hub.plantMoved({ from: '/1/2/3/', to: '/1/5/3/' });
    hub.publishPoints([{ tagId: 1, ts: 3, value: 1, quality: 'good' }]);
    hub.publishAlarmEvents([event('5:H', '/1/5/3/10/', 1)]);
    await nextTurn();
    expect(a.frames.filter((f) => f.type === 'values')).toHaveLength(1);
    expect(a.frames.filter((f) => f.type === 'alarms')).toHaveLength(1);
  });

  it('closes the streams of a user whose access changed, and only theirs', () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    const b = socket();
    hub.connect(a, actor('/1/2/3/', 1));
    hub.connect(b, actor('/1/2/4/', 2));
    hub.accessChanged({ userIds: [1] });
    expect(a.closed).toBe(ACCESS_CHANGED_CLOSE);
    expect(b.closed).toBeNull();
    expect(hub.stats().clients).toBe(1);
  });

  it('tells a lead about floods of their own workshop only', async () => {
    const hub = createLiveHub({ paths: directory() });
    const a = socket();
    const all = socket();
    hub.connect(a, actor('/1/2/3/', 1));
    hub.connect(all, actor(null, 2));
    const flood = { type: 'flood_start' as const, at: 1, count: 11, total: 11, windowMs: 600_000 };
    hub.publishFloods([{ ...flood, area: '4' }]);
    hub.publishFloods([{ ...flood, area: '3' }]);
    await nextTurn();
    const floodsOf = (s: { frames: any[] }) =>
      s.frames
        .filter((f) => f.type === 'alarms')
        .flatMap((f) => f.floods.map((x: { area: string }) => x.area));
    expect(floodsOf(a)).toEqual(['3']);
    expect(floodsOf(all)).toEqual(['4', '3']);
  });

  it('keeps a slow client on its own queue, in order, without holding back the others', async () => {
    const hub = createLiveHub({ paths: directory() });
    const fast = socket();
    const slow = socket() as ReturnType<typeof socket> & { bufferedAmount: number };
    hub.connect(fast, actor(null, 1));
    hub.connect(slow, actor(null, 2));
    slow.bufferedAmount = 2 << 20;
    hub.publishAlarmEvents([event('1:H', PATHS[1]!, 1)]);
    await nextTurn();
    hub.publishAlarmEvents([event('2:H', PATHS[1]!, 1)]);
    await nextTurn();
    const keys = (s: { frames: any[] }) =>
      s.frames.filter((f) => f.type === 'alarms').flatMap((f) => f.events.map((e: { key: string }) => e.key));
    expect(keys(fast)).toEqual(['1:H', '2:H']);
    expect(keys(slow)).toEqual([]);
    slow.bufferedAmount = 0; // the link drained
    const until = Date.now() + 5000;
    while (keys(slow).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(keys(slow)).toEqual(['1:H', '2:H']);
    expect(slow.frames.filter((f) => f.type === 'alarms')).toHaveLength(1);
  });
});
