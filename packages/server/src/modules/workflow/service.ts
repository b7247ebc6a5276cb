import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import type { AccessGuard } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import {
  availableActions,
  decide,
  type MachineDef,
  type TimerSpec,
  type TransitionRecord,
} from './machine.js';
import * as repo from './repo.js';

export interface DueTimer {
  id: number;
  recordKind: string;
  recordId: number;
  key: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  attempts: number;
}

export type TimerHandler = (tx: Db, timer: DueTimer, now: Date) => Promise<void>;

/** A timer whose handler keeps failing is given up after this many tries (the error stays on the row). */
const MAX_TIMER_ATTEMPTS = 5;
const RETRY_MS = 60_000;

const nodeIdOf = (path: string | null) => {
  const m = path ? /(\d+)\/$/.exec(path) : null;
  return m ? Number(m[1]) : null;
};

export interface WorkflowRecordRef<S extends string, R> {
  id: number;
  /** plant path of the record (permissions are checked there); null: enterprise-wide */
  path: string | null;
  state: S;
  record: R;
}

export interface ApplyOptions<R> {
  reason?: string | null;
  /** the action's input, kept on the transition and shown to guards */
  data?: Record<string, unknown>;
  /** the record as it will be after the change (for the timers of the new state); default: record */
  recordAfter?: R;
  /** what the audit entry shows as "after" besides the new state; default: data */
  auditAfter?: Record<string, unknown>;
  /** the name people know the record by, for the audit trail */
  label?: string;
}

/**
 * The workflow service: moves a record through its machine in the caller's transaction —
 * decides (machine.ts), stores the transition, appends the audit entry (who/when/what/why) and
 * keeps the SLA timers of the new state as rows. The module that owns the record writes its
 * state column itself, in the same transaction, after locking the row.
 */
export function createWorkflowService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
}) {
  const { db, audit, guard, clock } = deps;
  const handlers = new Map<string, TimerHandler>();

  function actorOf(ctx: RequestContext) {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return ctx.actor;
  }

  async function record<S extends string, A extends string, R>(
    tx: Db,
    ctx: RequestContext,
    def: MachineDef<S, A, R>,
    rec: { id: number; path: string | null },
    t: { action: string; from: S | null; to: S; reason: string | null; data: Record<string, unknown> },
    opts: { auditAfter?: Record<string, unknown>; label?: string },
  ) {
    const actor = actorOf(ctx);
    const now = clock.now();
    await repo.insertTransition(tx, {
      recordKind: def.kind,
      recordId: rec.id,
      action: t.action,
      fromState: t.from,
      toState: t.to,
      actorId: actor.userId,
      actorName: actor.displayName || actor.username,
      at: now,
      reason: t.reason,
      data: t.data,
    });
    await audit.append(tx, ctx, {
      action: `${def.kind}.${t.action}`,
      targetType: def.kind,
      targetId: rec.id,
      nodeId: nodeIdOf(rec.path),
      reason: t.reason,
      before: t.from === null ? undefined : { state: t.from },
      after: { state: t.to, ...(opts.auditAfter ?? t.data) },
      ...(opts.label ? { targetLabel: opts.label } : {}),
    });
  }

  const service = {
    /** A record's transitions, oldest first. */
    history(tx: Db, kind: string, id: number): Promise<TransitionRecord[]> {
      return repo.history(tx, kind, id);
    },

    /** Histories of many records at once (lists). */
    histories(tx: Db, kind: string, ids: number[]): Promise<Map<number, TransitionRecord[]>> {
      return repo.histories(tx, kind, ids);
    },

    /** A new record enters its machine: the 'create' transition, its audit entry and its timers. */
    async begin<S extends string, A extends string, R>(
      tx: Db,
      ctx: RequestContext,
      def: MachineDef<S, A, R>,
      rec: { id: number; path: string | null; record: R },
      opts: Omit<ApplyOptions<R>, 'recordAfter'> & { state?: S } = {},
    ): Promise<S> {
      const state = opts.state ?? def.initial;
      await record(
        tx,
        ctx,
        def,
        rec,
        { action: 'create', from: null, to: state, reason: opts.reason ?? null, data: opts.data ?? {} },
        opts,
      );
      await service.setTimers(tx, def.kind, rec.id, def.timers?.(state, rec.record, clock.now()) ?? []);
      return state;
    },

    /**
     * Takes an action: refused with 409 transition_refused / 403 separation_of_duties / 400
     * reason_required, otherwise stored with its audit entry and the new state's timers.
     * The caller must hold the record's row lock (SELECT … FOR UPDATE) and write the new state.
     */
    async apply<S extends string, A extends string, R>(
      tx: Db,
      ctx: RequestContext,
      def: MachineDef<S, A, R>,
      rec: WorkflowRecordRef<S, R>,
      action: A,
      opts: ApplyOptions<R> = {},
    ): Promise<{ from: S; to: S; history: TransitionRecord[] }> {
      const actor = actorOf(ctx);
      const history = await repo.history(tx, def.kind, rec.id);
      const data = opts.data ?? {};
      const decision = decide(
        def,
        rec.state,
        action,
        { record: rec.record, actorId: actor.userId, now: clock.now(), data, history },
        (p) => guard.can(ctx, p, rec.path),
        opts.reason ?? null,
      );
      if (!decision.ok)
        throw new AppError(decision.refusal.code, decision.refusal.message, decision.refusal.details);
      await record(
        tx,
        ctx,
        def,
        rec,
        { action, from: decision.from, to: decision.to, reason: opts.reason ?? null, data },
        opts,
      );
      await service.setTimers(
        tx,
        def.kind,
        rec.id,
        def.timers?.(decision.to, opts.recordAfter ?? rec.record, clock.now()) ?? [],
      );
      return { from: decision.from, to: decision.to, history };
    },

    /** The actions the caller could take on the record now (buttons in the UI). */
    actions<S extends string, A extends string, R>(
      ctx: RequestContext,
      def: MachineDef<S, A, R>,
      rec: WorkflowRecordRef<S, R>,
      history: readonly TransitionRecord[],
    ): A[] {
      if (!ctx.actor) return [];
      return availableActions(
        def,
        rec.state,
        { record: rec.record, actorId: ctx.actor.userId, now: clock.now(), data: {}, history },
        (p) => guard.can(ctx, p, rec.path),
      );
    },

    /** Holds exactly these pending timers for the record: others cancelled, same keys moved. */
    async setTimers(tx: Db, kind: string, id: number, specs: TimerSpec[]) {
      await repo.replaceTimers(tx, kind, id, specs);
    },

    async cancelTimers(tx: Db, kind: string, id: number) {
      await repo.replaceTimers(tx, kind, id, []);
    },

    /** The pending timers of a record (task and hazard pages show the next deadline). */
    pendingTimers(tx: Db, kind: string, id: number) {
      return repo.pendingTimers(tx, kind, id);
    },

    /** A module handles the timers of its record kind (one handler per kind). */
    onTimer(kind: string, handler: TimerHandler) {
      handlers.set(kind, handler);
      return () => {
        if (handlers.get(kind) === handler) handlers.delete(kind);
      };
    },

    /**
     * Fires the timers that are due, each in its own transaction (claimed FOR UPDATE SKIP LOCKED,
     * so two schedulers never fire one twice). A handler that throws rolls its own work back;
     * the timer is tried again a minute later and given up after five tries.
     */
    async runDueTimers(limit = 200): Promise<{ fired: number; failed: number }> {
      let fired = 0;
      let failed = 0;
      const now = clock.now();
      const kinds = [...handlers.keys()];
      if (!kinds.length) return { fired, failed };
      for (let i = 0; i < limit; i++) {
        const outcome = await db.transaction(async (tx) => {
          const t = await repo.claimDueTimer(tx, now, kinds);
          if (!t) return null;
          // A savepoint keeps the claim when the handler's own SQL fails, so the failure is recorded.
          await tx.query('SAVEPOINT workflow_timer');
          try {
            await handlers.get(t.recordKind)!(tx, t, now);
            await tx.query('RELEASE SAVEPOINT workflow_timer');
            await repo.markFired(tx, t.id, now);
            return 'fired' as const;
          } catch (err) {
            await tx.query('ROLLBACK TO SAVEPOINT workflow_timer');
            await repo.recordFailure(tx, t, now, String(err), RETRY_MS, MAX_TIMER_ATTEMPTS);
            return 'failed' as const;
          }
        });
        if (!outcome) break;
        if (outcome === 'fired') fired++;
        else failed++;
      }
      return { fired, failed };
    },
  };
  return service;
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;
