import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import type { MachineDef } from './machine.js';
import { createWorkflowService } from './service.js';

type S = 'open' | 'fixing' | 'closed';
type A = 'assign' | 'close';
interface R {
  deadline: Date;
}
const def: MachineDef<S, A, R> = {
  kind: 'wf_sample',
  states: ['open', 'fixing', 'closed'],
  initial: 'open',
  terminal: ['closed'],
  transitions: {
    assign: { from: ['open'], to: 'fixing', permission: 'hazard.manage' },
    close: { from: ['fixing'], to: 'closed', permission: 'hazard.verify', reasonRequired: true },
  },
  timers: (state, r) =>
    state === 'open'
      ? [{ key: 'triage', dueAt: new Date(r.deadline.getTime() - 3_600_000) }]
      : state === 'fixing'
        ? [
            { key: 'remind', dueAt: new Date(r.deadline.getTime() - 600_000) },
            { key: 'overdue', dueAt: r.deadline, payload: { stage: 'fix' } },
          ]
        : [],
};

let app: TestApp;
const ctx = systemContext('wf-test');

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const timers = (id: number) =>
  app.aegis.services.db.query<{ timer_key: string; status: string }>(
    `SELECT timer_key, status FROM workflow_timer WHERE record_kind = 'wf_sample' AND record_id = $1 ORDER BY id`,
    [id],
  );

describe('the workflow service', () => {
  it('stores each transition with its audit entry (who, what, why) and keeps the timers of the state', async () => {
    const { workflow, db } = app.aegis.services;
    const deadline = new Date('2026-03-03T08:00:00Z');
    await db.transaction(async (tx) => {
      await workflow.begin(
        tx,
        ctx,
        def,
        { id: 1, path: null, record: { deadline } },
        { reason: 'found on the round' },
      );
      await workflow.apply(
        tx,
        ctx,
        def,
        { id: 1, path: null, state: 'open', record: { deadline } },
        'assign',
        {
          data: { to: 'maintenance' },
        },
      );
    });
    const history = await workflow.history(db, 'wf_sample', 1);
    expect(history.map((h) => [h.action, h.fromState, h.toState])).toEqual([
      ['create', null, 'open'],
      ['assign', 'open', 'fixing'],
    ]);
    const audit = await db.query<{ action: string; reason: string | null; after: { state: string } }>(
      `SELECT action, reason, after FROM audit_log WHERE target_type = 'wf_sample' ORDER BY seq`,
    );
    expect(audit.map((a) => [a.action, a.reason, a.after.state])).toEqual([
      ['wf_sample.create', 'found on the round', 'open'],
      ['wf_sample.assign', null, 'fixing'],
    ]);
    expect(await timers(1)).toEqual([
      { timer_key: 'triage', status: 'cancelled' },
      { timer_key: 'remind', status: 'pending' },
      { timer_key: 'overdue', status: 'pending' },
    ]);
  });

  it('stores nothing of a refused transition', async () => {
    const { workflow, db } = app.aegis.services;
    const deadline = new Date('2026-03-03T08:00:00Z');
    await expect(
      db.transaction((tx) =>
        workflow.apply(
          tx,
          ctx,
          def,
          { id: 1, path: null, state: 'fixing', record: { deadline } },
          'close',
          {},
        ),
      ),
    ).rejects.toMatchObject({ code: 'reason_required', status: 400 });
    expect((await workflow.history(db, 'wf_sample', 1)).length).toBe(2);
  });

  it('fires a due timer once, in its own transaction, and retries a failing handler', async () => {
    const { workflow, db } = app.aegis.services;
    const fired: string[] = [];
    let failNext = true;
    const off = workflow.onTimer('wf_sample', async (tx, t) => {
      if (t.key === 'overdue' && failNext) {
        failNext = false;
        // the handler's own write is rolled back with it
        await tx.query(`INSERT INTO workflow_transition (record_kind, record_id, action, to_state, actor_name, at)
                        VALUES ('wf_sample', 99, 'half-done', 'x', 'x', now())`);
        throw new Error('mail server down');
      }
      fired.push(t.key);
    });
    try {
      expect(await workflow.runDueTimers()).toEqual({ fired: 0, failed: 0 });
      app.clock.set(new Date('2026-03-03T08:00:00Z'));
      expect(await workflow.runDueTimers()).toEqual({ fired: 1, failed: 1 });
      expect(fired).toEqual(['remind']);
      expect((await workflow.history(db, 'wf_sample', 99)).length).toBe(0);
      // retried a minute later, then fired once; a further run finds nothing
      app.clock.advance(61_000);
      expect(await workflow.runDueTimers()).toEqual({ fired: 1, failed: 0 });
      expect(await workflow.runDueTimers()).toEqual({ fired: 0, failed: 0 });
      expect(fired).toEqual(['remind', 'overdue']);
    } finally {
      off();
    }
  });

  it('lets two schedulers fire each timer exactly once (concurrently on PostgreSQL)', async () => {
    const { db, audit, guard, clock } = app.aegis.services;
    const deadline = new Date('2026-03-04T08:00:00Z');
    const a = createWorkflowService({ db, audit, guard, clock });
    const b = createWorkflowService({ db, audit, guard, clock });
    await db.transaction(async (tx) => {
      for (let id = 10; id < 40; id++)
        await a.setTimers(tx, 'wf_sample', id, [{ key: 'overdue', dueAt: deadline }]);
    });
    const seen: number[] = [];
    for (const w of [a, b])
      w.onTimer('wf_sample', async (_tx, t) => {
        seen.push(t.recordId);
      });
    app.clock.set(deadline);
    const [ra, rb] = await Promise.all([a.runDueTimers(), b.runDueTimers()]);
    expect(ra.fired + rb.fired).toBe(30);
    expect(new Set(seen).size).toBe(30);
    expect(seen.length).toBe(30);
  });
});
