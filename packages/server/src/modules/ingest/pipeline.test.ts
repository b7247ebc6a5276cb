import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { createIngestPipeline } from './pipeline.js';
import type { Point } from './types.js';

let app: TestApp;
let tagA: number;
let tagB: number;

beforeAll(async () => {
  app = await startTestApp();
  const p = await seedTwoWorkshops(app);
  const admin = await app.as('admin');
  const mk = async (code: string) => {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code,
      nameZh: code,
      nameEn: code,
      reason: 'commissioning',
      type: 'number',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };
  tagA = await mk('ORD_A');
  tagB = await mk('ORD_B');
});
afterAll(() => app.close());

/**
 * The real database, but the first batch statement answers only when the test opens the gate
 * (and then fails if asked); the second batch's statement is reported when it has committed.
 */
function slowFirstBatch(db: Db, opts: { fail: boolean }) {
  let batches = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  let secondDone!: () => void;
  const secondCommitted = new Promise<void>((r) => {
    secondDone = r;
  });
  const wrapped: Db = {
    dialect: db.dialect,
    async query<T>(sql: string, params?: Parameters<Db['query']>[1]) {
      if (!sql.includes('INSERT INTO tag_value')) return db.query<T>(sql, params);
      const n = ++batches;
      if (n === 1 && opts.fail) {
        await gate;
        throw new Error('simulated failure of the first batch');
      }
      const rows = await db.query<T>(sql, params);
      if (n === 1) await gate;
      if (n === 2) secondDone();
      return rows;
    },
    transaction: (fn) => db.transaction(fn),
  };
  return { db: wrapped, open, secondCommitted };
}

async function run(fail: boolean, t0: number) {
  const { db, open, secondCommitted } = slowFirstBatch(app.aegis.services.db, { fail });
  const pipeline = createIngestPipeline({
    db,
    directory: app.aegis.services.directory,
    clock: app.clock,
    concurrentWrites: 2,
  });
  const seen: Point[][] = [];
  pipeline.onStored((pts) => {
    seen.push(pts);
  });
  const events: string[] = [];

  const first = pipeline.submit([{ tagId: tagA, ts: t0, value: 1, quality: 'good' as const }]);
  // Enough queued points for a second write to start while the first is still running.
  const second = pipeline.submit(
    Array.from({ length: 1500 }, (_, i) => ({ tagId: tagB, ts: t0 + i, value: i, quality: 'good' as const })),
  );
  const f = first.then(
    (r) => {
      events.push(`first resolved, listeners saw ${seen.length}`);
      return r;
    },
    (e: Error) => {
      events.push(`first rejected: ${e.message}`);
    },
  );
  const s = second.then((r) => {
    events.push(`second resolved, listeners saw ${seen.length}`);
    return r;
  });
  await secondCommitted;
  // The second batch is already committed, yet held back behind the first.
  const [row] = await app.aegis.services.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM tag_value WHERE tag_id = $1 AND ts >= $2',
    [tagB, new Date(t0)],
  );
  expect(row!.n).toBe(1500);
  expect(seen).toHaveLength(0);
  expect(events).toEqual([]);
  open();
  await pipeline.drain();
  await Promise.all([f, s]);
  expect(pipeline.stats().batches).toBe(fail ? 1 : 2);
  return { seen, events, second: await s, stats: pipeline.stats() };
}

describe('ingest pipeline with concurrent writes', () => {
  it('hands batches to the listeners and resolves the submitters in the order they were formed', async () => {
    const t0 = app.clock.now().getTime() - 60_000;
    const { seen, events, second } = await run(false, t0);
    expect(seen.map((b) => b[0]!.tagId)).toEqual([tagA, tagB]);
    expect(seen[1]).toHaveLength(1500);
    // The second batch was held until the first completed; then both are handed over at once,
    // in order, and each submitter learns of its result after its batch reached the listeners.
    expect(events).toEqual(['first resolved, listeners saw 1', 'second resolved, listeners saw 2']);
    expect(second).toEqual({ accepted: 1500, duplicates: 0, late: 0, rejected: [] });
  });

  it('rejects only the submitters of a failed batch; the later batch is stored and delivered', async () => {
    const t0 = app.clock.now().getTime() - 30_000;
    const { seen, events, stats } = await run(true, t0);
    expect(events).toEqual([
      'first rejected: simulated failure of the first batch',
      'second resolved, listeners saw 1',
    ]);
    expect(seen.map((b) => b[0]!.tagId)).toEqual([tagB]);
    expect(stats.failedBatches).toBe(1);
    const [cur] = await app.aegis.services.db.query<{ ms: number }>(
      'SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms FROM tag_current WHERE tag_id = $1',
      [tagB],
    );
    expect(cur!.ms).toBe(t0 + 1499);
  });
});
