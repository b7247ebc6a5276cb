import {
  type CreateHazardSchema,
  type HAZARD_ACTION_BODIES,
  HAZARD_STATE_LABELS,
  type HazardAction,
  type HazardCounts,
  type HazardDetail,
  type HazardFromInspection,
  type HazardListQuerySchema,
  type HazardPhoto,
  type HazardState,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { type AccessGuard, grantsOf } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import type { EvidenceService } from '../evidence/index.js';
import type { NotifyEventInput } from '../notify/index.js';
import { wallClock } from '../org/index.js';
import type { DueTimer, WorkflowService } from '../workflow/index.js';
import { type HazardFacts, hazardMachine, STAGE_OF, STALLED_AFTER_MS } from './machine.js';
import * as repo from './repo.js';

type In<T extends z.ZodType> = z.output<T>;
type Bodies = { [A in HazardAction]: z.output<(typeof HAZARD_ACTION_BODIES)[A]> };
type Rec = NonNullable<Awaited<ReturnType<typeof repo.get>>>;

const _OPEN = (s: HazardState) => s !== 'closed' && s !== 'rejected';

export function createHazardService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  timezone: string;
  workflow: WorkflowService;
  notify: { publish(tx: Db, events: NotifyEventInput[]): Promise<void>; wake(): void };
  evidence?: Pick<EvidenceService, 'registerOwner' | 'list' | 'byIds'>;
}) {
  const { db, audit, guard, clock, timezone, workflow, notify } = deps;
  const SYSTEM = systemContext('hazard');

  const actorOf = (ctx: RequestContext) => {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return ctx.actor;
  };
  const local = (d: Date) => {
    const w = wallClock(d, timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };

  const factsOf = (h: Rec): HazardFacts => ({
    reporterId: h.reporterId,
    responsibleId: h.responsible?.id ?? null,
    treatment: h.treatment,
    grade: h.grade,
    deadline: h.deadline ? new Date(h.deadline) : null,
    rectifyingSince: h.rectifyingSince ? new Date(h.rectifyingSince) : null,
  });
  const refOf = (h: Rec) => ({ id: h.id, path: h.path, state: h.state, record: factsOf(h) });

  function event(
    kind: NotifyEventInput['kind'],
    h: Rec,
    stage: string,
    now: Date,
    what: { zh: string; en: string },
  ): NotifyEventInput {
    return {
      kind,
      at: now,
      priority: h.grade === 'major' ? 'high' : 'medium',
      path: h.path,
      subject: `hazard:${h.id}:${stage}`,
      payload: {
        title: {
          zh: `${h.code} ${h.title}（${h.location}）${what.zh}`,
          en: `${h.code} ${h.title} (${h.location}) ${what.en}`,
        },
        alarmText: null,
        value: null,
        link: `/hazards/${h.id}`,
        // policies with the recipient 'assignee' reach the rectifier named at triage
        assignee: { userIds: h.responsible ? [h.responsible.id] : [] },
      },
    };
  }

  /** The events of a move: the stage left is over (escalations stop), the stage entered is announced. */
  function stageEvents(h: Rec, from: HazardState | null, to: HazardState, now: Date): NotifyEventInput[] {
    const out: NotifyEventInput[] = [];
    const left = from ? STAGE_OF[from] : undefined;
    if (left) {
      if (to === 'closed')
        out.push(event('hazard.closed', h, left, now, { zh: '已验收关闭', en: 'verified and closed' }));
      else
        out.push(
          event('hazard.progressed', h, left, now, {
            zh: `→ ${HAZARD_STATE_LABELS[to].zh}`,
            en: `→ ${HAZARD_STATE_LABELS[to].en}`,
          }),
        );
    }
    const who = h.responsible?.name ?? '';
    switch (to) {
      case 'reported':
        out.push(event('hazard.reported', h, 'triage', now, { zh: '待评估', en: 'awaits triage' }));
        break;
      case 'approval':
        out.push(
          event('hazard.approval_needed', h, 'approve', now, {
            zh: '整改方案待审批',
            en: 'plan awaits approval',
          }),
        );
        break;
      case 'rectifying':
        out.push(
          event('hazard.assigned', h, 'rectify', now, {
            zh: `由 ${who} 整改${h.deadline ? `，期限 ${local(new Date(h.deadline))}` : ''}`,
            en: `assigned to ${who}${h.deadline ? `, due ${local(new Date(h.deadline))}` : ''}`,
          }),
        );
        break;
      case 'verifying':
        out.push(
          event('hazard.verification_needed', h, 'verify', now, {
            zh: '整改完成待验收',
            en: 'awaits verification',
          }),
        );
        break;
      default:
    }
    return out;
  }

  async function requireRectifier(tx: Db, personId: number, h: { path: string }) {
    const p = await repo.person(tx, personId);
    if (!p?.active)
      throw new AppError('validation_failed', `No active person ${personId}`, { field: 'responsibleId' });
    const grants = await grantsOf(tx, personId);
    if (
      !grants.some(
        (g) =>
          (g.permission === '*' || g.permission === 'hazard.rectify') &&
          (g.path === null || h.path.startsWith(g.path)),
      )
    )
      throw new AppError(
        'validation_failed',
        `${p.name} may not rectify hazards here (needs hazard.rectify at this place)`,
        { field: 'responsibleId', userId: personId },
      );
    return p;
  }

  async function requireDepartment(tx: Db, id: number, h: { path: string }) {
    const d = await repo.department(tx, id);
    // a department of another workshop cannot be made responsible here
    if (!d || (d.path !== null && !h.path.startsWith(d.path) && !d.path.startsWith(h.path)))
      throw new AppError('validation_failed', `No department ${id} at this place`, { field: 'departmentId' });
    return d;
  }

  async function photosOf(tx: Db, h: Rec, history: { action: string; data: Record<string, unknown> }[]) {
    if (!deps.evidence) return [];
    const after = new Set(
      history
        .filter((t) => t.action === 'rectify')
        .flatMap((t) => (Array.isArray(t.data.photoIds) ? (t.data.photoIds as number[]) : [])),
    );
    const own = await deps.evidence.list(tx, 'hazard', h.id);
    const named = h.photoIds.length ? await deps.evidence.byIds(tx, h.photoIds) : [];
    const seen = new Set<number>();
    const out: HazardPhoto[] = [];
    for (const p of [...named, ...own]) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      out.push({ ...p, stage: after.has(p.id) ? 'after' : 'before' });
    }
    return out;
  }

  async function detail(tx: Db, ctx: RequestContext, h: Rec): Promise<HazardDetail> {
    const history = await workflow.history(tx, 'hazard', h.id);
    const timers = await workflow.pendingTimers(tx, 'hazard', h.id);
    return {
      ...h,
      history: history.map((t) => ({
        id: Number(t.id),
        action: t.action,
        fromState: t.fromState,
        toState: t.toState,
        actor: { id: t.actorId === null ? null : Number(t.actorId), name: t.actorName },
        at: new Date(t.at).toISOString(),
        reason: t.reason,
        data: t.data ?? {},
      })),
      actions: workflow.actions(ctx, hazardMachine, refOf(h), history),
      photos: await photosOf(tx, h, history),
      timers: timers.map((t) => ({ key: t.key, dueAt: t.dueAt.toISOString() })),
    };
  }

  async function create(
    tx: Db,
    ctx: RequestContext,
    input: Omit<repo.NewHazard, 'code' | 'reportedBy' | 'reportedByName' | 'reportedAt'>,
  ) {
    const actor = actorOf(ctx);
    const now = clock.now();
    const code = await repo.nextCode(tx, Number(wallClock(now, timezone).day.slice(0, 4)));
    const id = await repo.insert(tx, {
      ...input,
      code,
      reportedBy: actor.userId,
      reportedByName: actor.displayName || actor.username,
      reportedAt: now,
    });
    if (id === null) return null;
    const h = (await repo.get(tx, id, now))!;
    await workflow.begin(
      tx,
      ctx,
      hazardMachine,
      { id, path: h.path, record: factsOf(h) },
      {
        data: { source: h.source, title: h.title, nodeId: h.nodeId },
        label: `${h.code} ${h.title}`,
      },
    );
    await notify.publish(tx, stageEvents(h, null, 'reported', now));
    return h;
  }

  async function act<A extends HazardAction>(
    ctx: RequestContext,
    id: number,
    action: A,
    body: Bodies[A],
    opts: { allowPastDeadline?: boolean } = {},
  ): Promise<HazardDetail> {
    const actor = actorOf(ctx);
    const out = await db.transaction(async (tx) => {
      const now = clock.now();
      const h = guard.readable(ctx, 'hazard.read', await repo.get(tx, id, now, true), 'hazard', id);
      const patch: repo.HazardPatch = {};
      let data: Record<string, unknown> = { ...body };
      let reason: string | null = null;
      const futureDeadline = (iso: string) => {
        const d = new Date(iso);
        if (!opts.allowPastDeadline && d <= now)
          throw new AppError('validation_failed', 'The deadline must be in the future', {
            field: 'deadline',
          });
        return d;
      };
      switch (action) {
        case 'triage': {
          const b = body as Bodies['triage'];
          // the machine refuses first when triage is not possible (state, permission)
          if (h.state === 'reported' && guard.can(ctx, 'hazard.manage', h.path)) {
            if (b.treatment === 'deadline') {
              if (b.deadline) futureDeadline(b.deadline);
              if (b.responsibleId) await requireRectifier(tx, b.responsibleId, h);
            } else if (b.responsibleId && b.responsibleId !== h.reporterId) {
              await repo.person(tx, b.responsibleId).then((p) => {
                if (!p?.active)
                  throw new AppError('validation_failed', `No active person ${b.responsibleId}`, {
                    field: 'responsibleId',
                  });
              });
            }
            if (b.departmentId) await requireDepartment(tx, b.departmentId, h);
          }
          Object.assign(patch, {
            grade: b.grade,
            type: b.type,
            cause: b.cause,
            treatment: b.treatment,
            deadline: b.treatment === 'deadline' && b.deadline ? new Date(b.deadline) : null,
            departmentId: b.departmentId,
            responsibleId: b.treatment === 'immediate' ? (b.responsibleId ?? h.reporterId) : b.responsibleId,
            measures: b.measures,
            funds: b.funds,
          });
          break;
        }
        case 'reject':
        case 'reject_plan':
          reason = (body as Bodies['reject']).reason;
          data = {};
          break;
        case 'approve':
        case 'verify':
          break;
        case 'rectify': {
          const b = body as Bodies['rectify'];
          if (deps.evidence && h.state === 'rectifying') {
            const found = await deps.evidence.byIds(tx, b.photoIds);
            const mine = new Set(
              found.filter((p) => p.ownerKind === 'hazard' && p.ownerId === h.id).map((p) => p.id),
            );
            const missing = b.photoIds.filter((p) => !mine.has(p));
            if (missing.length)
              throw new AppError(
                'validation_failed',
                `Photos ${missing.join(', ')} are not photos of this hazard`,
                {
                  field: 'photoIds',
                  missing,
                },
              );
          }
          Object.assign(patch, { rectification: b.description, rectifiedBy: actor.userId, rectifiedAt: now });
          break;
        }
        case 'reopen': {
          const b = body as Bodies['reopen'];
          reason = b.reason;
          data = { deadline: b.deadline, responsibleId: b.responsibleId };
          if (h.state === 'verifying' && guard.can(ctx, 'hazard.verify', h.path)) {
            if (h.treatment === 'immediate' && (!b.deadline || !b.responsibleId))
              throw new AppError(
                'validation_failed',
                'An immediate fix that failed verification needs a rectifier and a deadline',
                { field: 'responsibleId' },
              );
            if (b.responsibleId) await requireRectifier(tx, b.responsibleId, h);
            if (b.deadline) futureDeadline(b.deadline);
          }
          if (b.responsibleId) patch.responsibleId = b.responsibleId;
          if (b.deadline) {
            patch.deadline = new Date(b.deadline);
            patch.treatment = 'deadline';
          }
          break;
        }
      }
      const decided = hazardMachine.transitions[action];
      const guessTo =
        typeof decided.to === 'function'
          ? decided.to({ record: factsOf(h), actorId: actor.userId, now, data, history: [] })
          : decided.to;
      if (guessTo === 'rectifying') patch.rectifyingSince = now;
      if (guessTo === 'closed') Object.assign(patch, { verifiedBy: actor.userId, closedAt: now });
      const after: HazardFacts = {
        ...factsOf(h),
        ...(patch.responsibleId !== undefined ? { responsibleId: patch.responsibleId as number | null } : {}),
        ...(patch.treatment !== undefined ? { treatment: patch.treatment as HazardFacts['treatment'] } : {}),
        ...(patch.grade !== undefined ? { grade: patch.grade as HazardFacts['grade'] } : {}),
        ...(patch.deadline !== undefined ? { deadline: patch.deadline as Date | null } : {}),
        ...(patch.rectifyingSince !== undefined ? { rectifyingSince: now } : {}),
      };
      const res = await workflow.apply(tx, ctx, hazardMachine, refOf(h), action, {
        reason,
        data,
        recordAfter: after,
        label: `${h.code} ${h.title}`,
      });
      await repo.update(tx, id, { ...patch, state: res.to }, now);
      const moved = (await repo.get(tx, id, now))!;
      await notify.publish(tx, stageEvents(moved, res.from, res.to, now));
      return detail(tx, ctx, moved);
    });
    notify.wake();
    return out;
  }

  /** The event that reminds a stalled stage's people (the kinds their policies already match). */
  const STALLED_KIND: Partial<Record<HazardState, NotifyEventInput['kind']>> = {
    reported: 'hazard.reported',
    approval: 'hazard.approval_needed',
    verifying: 'hazard.verification_needed',
  };

  async function onTimer(tx: Db, timer: DueTimer, now: Date) {
    const h = await repo.get(tx, timer.recordId, now, true);
    if (timer.key === 'stalled') {
      // still waiting in the stage the timer was set for: remind that stage's people again
      const stage = h ? STAGE_OF[h.state] : undefined;
      if (!h || !stage || timer.payload.state !== h.state) return;
      const kind = STALLED_KIND[h.state]!;
      const hours = Math.round((STALLED_AFTER_MS[h.state] ?? 0) / 3600_000);
      await notify.publish(tx, [
        event(kind, h, stage, now, {
          zh: `已等待${HAZARD_STATE_LABELS[h.state].zh}超过 ${hours} 小时`,
          en: `waiting for ${HAZARD_STATE_LABELS[h.state].en.toLowerCase()} for more than ${hours} h`,
        }),
      ]);
      notify.wake();
      return;
    }
    if (h?.state !== 'rectifying' || !h.deadline) return;
    const due = local(new Date(h.deadline));
    const who = h.responsible?.name ?? '';
    if (timer.key === 'remind') {
      await notify.publish(tx, [
        event('hazard.assigned', h, 'rectify', now, {
          zh: `整改将于 ${due} 到期（${who}）`,
          en: `rectification due at ${due} (${who})`,
        }),
      ]);
    } else if (timer.key === 'overdue') {
      await audit.append(tx, SYSTEM, {
        action: 'hazard.overdue',
        targetType: 'hazard',
        targetId: h.id,
        nodeId: h.nodeId,
        after: { deadline: h.deadline, responsible: who },
        targetLabel: `${h.code} ${h.title}`,
      });
      await notify.publish(tx, [
        event('hazard.rectification_overdue', h, 'rectify', now, {
          zh: `整改超期（期限 ${due}，责任人 ${who}）`,
          en: `rectification overdue (due ${due}, ${who})`,
        }),
      ]);
    }
    notify.wake();
  }
  workflow.onTimer('hazard', onTimer);

  // Photos of a hazard: readable with it; the reporter (or triage) adds "before" photos while it is
  // reported, the rectifier "after" photos while rectifying, the verifier while verifying.
  deps.evidence?.registerOwner('hazard', {
    async readable(ctx, ownerId, tx) {
      const h = await repo.get(tx, ownerId, clock.now());
      return h && guard.can(ctx, 'hazard.read', h.path) ? { path: h.path } : null;
    },
    async attachable(ctx, ownerId, tx) {
      const now = clock.now();
      const actor = actorOf(ctx);
      const h = guard.readable(ctx, 'hazard.read', await repo.get(tx, ownerId, now), 'hazard', ownerId);
      const mayManage = guard.can(ctx, 'hazard.manage', h.path);
      const allowed =
        (h.state === 'reported' && (mayManage || (actor.userId !== null && actor.userId === h.reporterId))) ||
        (h.state === 'approval' && mayManage) ||
        (h.state === 'rectifying' &&
          (mayManage || (actor.userId !== null && actor.userId === h.responsible?.id))) ||
        (h.state === 'verifying' && guard.can(ctx, 'hazard.verify', h.path));
      if (!allowed)
        throw new AppError(
          'evidence_refused',
          `Photos cannot be added to hazard ${h.code} by you while it is ${HAZARD_STATE_LABELS[h.state].en.toLowerCase()}`,
          { state: h.state },
        );
      // "after" photos must be taken after the rectification started
      const from = h.state === 'rectifying' && h.rectifyingSince ? new Date(h.rectifyingSince) : null;
      return {
        path: h.path,
        scopeKey: `hazard-node:${h.nodeId}`,
        window: from ? { from, to: new Date(now.getTime() + 10 * 60_000) } : null,
      };
    },
  });

  const service = {
    machine: hazardMachine,

    async list(ctx: RequestContext, q: In<typeof HazardListQuerySchema>) {
      const page = await repo.list(db, guard.scope(ctx, 'hazard.read'), q, clock.now());
      return page;
    },

    /** Rows for the XLSX register (up to 10 000). */
    async register(ctx: RequestContext, q: In<typeof HazardListQuerySchema>) {
      return (
        await repo.list(db, guard.scope(ctx, 'hazard.read'), { ...q, limit: 10_000, offset: 0 }, clock.now())
      ).items;
    },

    async counts(ctx: RequestContext, q: { nodeId?: number }): Promise<HazardCounts> {
      return service.countsByNode(db, ctx, q.nodeId ?? null);
    },

    /** Open hazards by grade, overdue and closed, in the caller's scope (registers, the risk map). */
    countsByNode(tx: Db, ctx: RequestContext, nodeId: number | null) {
      return repo.counts(tx, guard.scope(ctx, 'hazard.read'), nodeId, clock.now());
    },

    async get(ctx: RequestContext, id: number) {
      const h = guard.readable(ctx, 'hazard.read', await repo.get(db, id, clock.now()), 'hazard', id);
      return detail(db, ctx, h);
    },

    /** An ad hoc report (随手拍) by anyone holding hazard.report at the node. */
    async create(ctx: RequestContext, input: In<typeof CreateHazardSchema>) {
      const out = await db.transaction(async (tx) => {
        const node = await guard.require(
          tx,
          ctx,
          'hazard.report',
          await repo.node(tx, input.nodeId),
          'plant node',
          input.nodeId,
        );
        if (input.photoIds.length && deps.evidence) {
          // only photos the reporter may read already (e.g. of a task at this place)
          const found = await deps.evidence.byIds(tx, input.photoIds);
          if (found.length !== input.photoIds.length)
            throw new AppError('validation_failed', 'Unknown photos', { field: 'photoIds' });
        }
        const h = (await create(tx, ctx, {
          nodeId: node.id,
          title: input.title,
          description: input.description,
          place: input.place,
          source: input.source,
          photoIds: input.photoIds,
          inspection: null,
        }))!;
        return detail(tx, ctx, h);
      });
      notify.wake();
      return out;
    },

    act,

    /**
     * An abnormal inspection item becomes a hazard, in the inspection's transaction; the same task
     * and item again returns the first (offline sync may submit twice). The reporter is ctx's user.
     */
    async reportFromInspection(tx: Db, ctx: RequestContext, input: HazardFromInspection) {
      const now = clock.now();
      const found = await repo.byInspectionItem(tx, input.taskId, input.itemKey, now);
      if (found) return { id: found.id, code: found.code };
      const reading = input.reading
        ? `\n读数：${input.reading.value} ${input.reading.unit}（限值 ${input.reading.low ?? '—'} ~ ${input.reading.high ?? '—'}）`
        : '';
      const h = await create(tx, ctx, {
        nodeId: input.nodeId,
        title: input.title.slice(0, 200),
        description: `${input.description}${reading}`.slice(0, 4000),
        place: '',
        source: 'inspection',
        photoIds: input.photoIds,
        inspection: {
          taskId: input.taskId,
          itemKey: input.itemKey,
          itemLabel: input.itemLabel,
          checkpointId: input.checkpointId,
          tagId: input.tagId,
          reading: input.reading,
        },
      });
      const h2 = h ?? (await repo.byInspectionItem(tx, input.taskId, input.itemKey, now))!;
      return { id: h2.id, code: h2.code };
    },
  };
  return service;
}

export type HazardService = ReturnType<typeof createHazardService>;
