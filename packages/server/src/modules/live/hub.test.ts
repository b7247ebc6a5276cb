import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import type { Actor } from '../access/policy.js';
import type { PlacedEvent } from '../alarms/index.js';
import { createLiveHub, type LiveSocket } from './hub.js';

// Tags 1 and 2 sit in workshop A (/1/2/3/), tag 3 in workshop B (/1/2/4/).
const PATHS: Record<number, string> = { 1: '/1/2/3/10/', 2: '/1/2/3/11/', 3: '/1/2/4/12/' };
const fakeDb = {
  dialect: 'pglite',
  async query(_sql: string, params: unknown[] = []) {
    return (params[0] as number[]).filter((id) => PATHS[id]).map((id) => ({ id, path: PATHS[id] }));
  },
  transaction: async (fn: (tx: Db) => Promise<unknown>) => fn(fakeDb),
} as unknown as Db;

const actor = (path: string | null): Actor => ({
  userId: 7,
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
  const s: LiveSocket & { frames: any[] } = {
    frames,
    bufferedAmount: 0,
    readyState: 1,
    send: (data: string) => frames.push(JSON.parse(data)),
    close() {},
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
    const hub = createLiveHub({ db: fakeDb });
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
    const hub = createLiveHub({ db: fakeDb });
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
    const hub = createLiveHub({ db: fakeDb });
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
    const hub = createLiveHub({ db: fakeDb });
    const a = socket();
    const session = hub.connect(a, actor(null));
    await session.message('not json');
    await session.message(JSON.stringify({ type: 'dance' }));
    expect(a.frames.slice(-2).map((f) => f.type)).toEqual(['error', 'error']);
    await session.message(JSON.stringify({ type: 'ping', id: 4 }));
    expect(a.frames.at(-1)).toEqual({ type: 'pong', id: 4 });
  });
});
