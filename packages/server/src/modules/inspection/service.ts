import type {
  Assignee,
  CreateCheckpointSchema,
  CreatePlanSchema,
  CreateRouteSchema,
  CreateTemplateSchema,
  ItemResult,
  LiveValueSchema,
  PlanDraftPreviewSchema,
  PlanPreviewQuerySchema,
  ReassignTaskSchema,
  ScanSchema,
  Schedule,
  SubmitTaskSchema,
  TaskFlag,
  TaskListQuerySchema,
  TaskState,
  TaskWindow,
  TemplateItem,
  UpdateCheckpointSchema,
  UpdatePlanSchema,
  UpdateRouteSchema,
  UpdateTemplateSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, conflict, invalid } from '../../errors.js';
import type { AccessGuard } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import type { NotifyEventInput } from '../notify/index.js';
import { currentShifts, getPost, getTeam, type OrgService, wallClock } from '../org/index.js';
import type { PlantService } from '../plant/index.js';
import type { UsersService } from '../users/index.js';
import type { DueTimer, WorkflowService } from '../workflow/index.js';
import { evaluate } from './evaluate.js';
import { isActive, type TaskRecord, taskMachine } from './machine.js';
import * as repo from './repo.js';
import { cronError, occurrences, windowOf } from './schedule.js';
import { distanceM, signToken, verifyToken } from './token.js';

type In<T extends z.ZodType> = z.output<T>;

/** Tasks are generated this far ahead. */
export const GENERATE_AHEAD_MS = 24 * 3_600_000;
/** After downtime, occurrences are looked for at most this far back (older ones are not recorded). */
const LOOKBACK_MS = 7 * 86_400_000;
/** A checkpoint with coordinates but no radius: a scan farther than this is flagged. */
const DEFAULT_RADIUS_M = 100;

/** The evidence module as seen from here (optional while it is being built). */
export interface EvidencePort {
  registerOwner?(
    kind: 'inspection_task',
    owner: {
      readable(ctx: RequestContext, ownerId: number, db: Db): Promise<{ path: string | null } | null>;
      attachable(
        ctx: RequestContext,
        ownerId: number,
        tx: Db,
      ): Promise<{ path: string | null; scopeKey: string; window: { from: Date; to: Date } | null }>;
    },
  ): void;
  list?(tx: Db, ownerKind: 'inspection_task', ownerId: number): Promise<EvidenceRef[]>;
}
export interface EvidenceRef {
  [field: string]: unknown;
  id: number;
  ownerKind: string;
  ownerId: number;
  clientId: string | null;
  flags: { code: string; message: { zh: string; en: string } }[];
  review: { decision: string } | null;
}
export interface HazardFromInspection {
  taskId: number;
  itemKey: string;
  itemLabel: string;
  nodeId: number;
  path: string;
  tagId: number | null;
  title: string;
  description: string;
  reading: { value: number; unit: string; low: number | null; high: number | null } | null;
  photoIds: number[];
  checkpointId: number;
}
/** The hazard module as seen from here (optional while it is being built). */
export interface HazardPort {
  reportFromInspection?(
    tx: Db,
    ctx: RequestContext,
    input: HazardFromInspection,
  ): Promise<{ id: number; code: string }>;
}
/** Current values of tags (timeseries) and their descriptions (tag directory). */
export interface LivePort {
  tag(id: number): { id: number; code: string; nameZh: string; unit: string; path: string } | undefined;
  current(
    ids: number[],
  ): Promise<Map<number, { value: number | null; at: string | null; quality: string | null }>>;
}

export function createInspectionService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  timezone: string;
  plant: PlantService;
  users: UsersService;
  org: OrgService;
  notify: { publish(tx: Db, events: NotifyEventInput[]): Promise<void>; wake(): void };
  workflow: WorkflowService;
  /** secrets.deriveKey('inspection.qr'): signs and checks the QR tokens */
  qrKey: Buffer;
  directory: Parameters<typeof liveFromTags>[0];
  timeseries: Parameters<typeof liveFromTags>[1];
  evidence?: EvidencePort;
  hazard?: HazardPort;
}) {
  const { db, audit, guard, clock, timezone, plant, users, org, notify, workflow, qrKey } = deps;
  const live = liveFromTags(deps.directory, deps.timeseries);
  const SYSTEM = systemContext('inspection');

  const nodeIdOf = (path: string) => Number(/(\d+)\/$/.exec(path)?.[1] ?? 0);
  const actorOf = (ctx: RequestContext) => {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return ctx.actor;
  };
  const hhmm = (d: Date) => {
    const w = wallClock(d, timezone);
    return `${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };
  /** The roster day an instant belongs to: a night shift's tasks count for the day it started. */
  function dayAndShift(
    at: Date,
    shifts: readonly { id: number; name: string; startTime: string; endTime: string }[],
  ) {
    const running = currentShifts(shifts, at, timezone)[0];
    return running
      ? { day: running.day, shiftId: running.shift.id, shiftName: running.shift.name }
      : { day: wallClock(at, timezone).day, shiftId: null, shiftName: null };
  }

  // ------------------------------------------------------------- references in scope

  async function nodeRef(
    tx: Db,
    ctx: RequestContext,
    id: number,
    permission: 'inspection.manage' | 'inspection.read',
  ) {
    const node = await plant.byId(id, tx);
    return guard.readable(ctx, permission, node, 'plant node', id);
  }
  async function templateRef(tx: Db, ctx: RequestContext, id: number, field = 'templateId') {
    const t = await repo.getTemplate(tx, id);
    guard.readable(ctx, 'inspection.manage', t, 'inspection template', id);
    if (!t!.active) throw invalid(`Template ${t!.code} is retired`, [{ path: field, message: 'retired' }]);
    return t!;
  }
  async function checkpointRef(tx: Db, ctx: RequestContext, id: number, field: string) {
    const c = guard.readable(ctx, 'inspection.manage', await repo.getCheckpoint(tx, id), 'checkpoint', id);
    if (!c.active) throw invalid(`Checkpoint ${c.code} is retired`, [{ path: field, message: 'retired' }]);
    return c;
  }
  function tagRef(ctx: RequestContext, id: number, field: string) {
    const tag = live.tag(id);
    if (!tag) throw invalid(`Tag ${id} does not exist`, [{ path: field, message: 'unknown tag' }]);
    return guard.readable(ctx, 'inspection.manage', tag, 'tag', id);
  }
  async function userRef(tx: Db, ctx: RequestContext, id: number) {
    const row = await users.byId(id, tx);
    const u = guard.readable(ctx, 'user.read', row ? users.present(row) : null, 'user', id);
    if (!u.active || u.kind !== 'person')
      throw invalid(`${u.displayName} is not an active person`, [
        { path: 'assignee.userId', message: 'inactive' },
      ]);
    return u;
  }
  async function teamRef(tx: Db, ctx: RequestContext, id: number) {
    return guard.readable(ctx, 'inspection.manage', await getTeam(tx, id), 'team', id);
  }
  async function postRef(tx: Db, id: number) {
    const p = await getPost(tx, id);
    if (!p)
      throw invalid(`Post ${id} does not exist`, [{ path: 'assignee.postId', message: 'unknown post' }]);
    return p;
  }
  async function measureRef(tx: Db, ctx: RequestContext, id: number) {
    return guard.readable(ctx, 'inspection.manage', await repo.measurePath(tx, id), 'control measure', id);
  }
  async function assigneeRef(tx: Db, ctx: RequestContext, a: Assignee) {
    if (a.kind === 'user') await userRef(tx, ctx, a.userId);
    else if (a.kind === 'team') await teamRef(tx, ctx, a.teamId);
    else if (a.kind === 'post') await postRef(tx, a.postId);
  }

  async function checkItems(tx: Db, ctx: RequestContext, items: TemplateItem[]) {
    void tx;
    items.forEach((it, i) => {
      if (it.tagId === null) return;
      if (it.kind !== 'numeric')
        throw invalid('Only numeric items can be bound to a tag', [
          { path: `items.${i}.tagId`, message: 'not numeric' },
        ]);
      tagRef(ctx, it.tagId, `items.${i}.tagId`);
    });
  }

  // ------------------------------------------------------------- templates

  const publicOf = <T extends { path: string }>(r: T) => {
    const { path: _p, ...rest } = r;
    return rest;
  };

  const templates = {
    async list(ctx: RequestContext, q: { nodeId?: number; active: string }) {
      return (await repo.listTemplates(db, guard.scope(ctx, 'inspection.read'), q)).map(publicOf);
    },
    async get(ctx: RequestContext, id: number) {
      return publicOf(
        guard.readable(ctx, 'inspection.read', await repo.getTemplate(db, id), 'inspection template', id),
      );
    },
    async versions(ctx: RequestContext, id: number) {
      guard.readable(ctx, 'inspection.read', await repo.getTemplate(db, id), 'inspection template', id);
      return repo.listVersions(db, id);
    },
    async version(ctx: RequestContext, id: number, v: number) {
      guard.readable(ctx, 'inspection.read', await repo.getTemplate(db, id), 'inspection template', id);
      const found = await repo.getVersion(db, id, v);
      if (!found) throw new AppError('not_found', `Version ${v} of template ${id} not found`);
      return found;
    },
    async create(ctx: RequestContext, input: In<typeof CreateTemplateSchema>) {
      return db.transaction(async (tx) => {
        const node = await nodeRef(tx, ctx, input.nodeId, 'inspection.manage');
        await guard.require(tx, ctx, 'inspection.manage', node, 'plant node', node.id);
        await checkItems(tx, ctx, input.items);
        const now = clock.now();
        const id = await unique(
          () => repo.insertTemplate(tx, { ...input, now }),
          `Template code ${input.code} is taken`,
        );
        await repo.insertTemplateVersion(tx, {
          templateId: id,
          version: 1,
          name: input.name,
          description: input.description,
          items: input.items,
          now,
          by: ctx.actor?.userId ?? null,
          reason: null,
        });
        const t = (await repo.getTemplate(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.template.create',
          targetType: 'inspection_template',
          targetId: id,
          nodeId: node.id,
          after: publicOf(t),
        });
        return publicOf(t);
      });
    },
    async update(ctx: RequestContext, id: number, input: In<typeof UpdateTemplateSchema>) {
      return db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'inspection.manage',
          await repo.getTemplate(tx, id),
          'inspection template',
          id,
        );
        await tx.query('SELECT id FROM inspection_template WHERE id = $1 FOR UPDATE', [id]);
        const items = input.items ?? before.items;
        if (input.items) await checkItems(tx, ctx, input.items);
        const name = input.name ?? before.name;
        const description = input.description ?? before.description;
        const changed =
          name !== before.name ||
          description !== before.description ||
          JSON.stringify(items) !== JSON.stringify(before.items);
        const now = clock.now();
        const version = changed ? before.version + 1 : before.version;
        if (changed)
          await repo.insertTemplateVersion(tx, {
            templateId: id,
            version,
            name,
            description,
            items,
            now,
            by: ctx.actor?.userId ?? null,
            reason: input.reason,
          });
        await repo.updateTemplateHead(tx, id, {
          name,
          description,
          version,
          active: input.active ?? before.active,
          now,
        });
        const after = (await repo.getTemplate(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.template.update',
          targetType: 'inspection_template',
          targetId: id,
          nodeId: before.nodeId,
          reason: input.reason,
          before: publicOf(before),
          after: publicOf(after),
        });
        return publicOf(after);
      });
    },
  };

  // ------------------------------------------------------------- checkpoints

  const tokenOf = (c: { id: number; tokenVersion: number }) => ({
    checkpointId: c.id,
    tokenVersion: c.tokenVersion,
    token: signToken(qrKey, c.id, c.tokenVersion),
  });

  const checkpoints = {
    async list(ctx: RequestContext, q: { nodeId?: number; active: string }) {
      return (await repo.listCheckpoints(db, guard.scope(ctx, 'inspection.read'), q)).map(publicOf);
    },
    async get(ctx: RequestContext, id: number) {
      return publicOf(
        guard.readable(ctx, 'inspection.read', await repo.getCheckpoint(db, id), 'checkpoint', id),
      );
    },
    async create(ctx: RequestContext, input: In<typeof CreateCheckpointSchema>) {
      return db.transaction(async (tx) => {
        const node = await nodeRef(tx, ctx, input.nodeId, 'inspection.manage');
        const id = await unique(
          () => repo.insertCheckpoint(tx, { ...input, active: true }, clock.now()),
          `Checkpoint code ${input.code} is taken`,
        );
        const c = (await repo.getCheckpoint(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.checkpoint.create',
          targetType: 'inspection_checkpoint',
          targetId: id,
          nodeId: node.id,
          after: publicOf(c),
        });
        return publicOf(c);
      });
    },
    async update(ctx: RequestContext, id: number, input: In<typeof UpdateCheckpointSchema>) {
      return db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'inspection.manage',
          await repo.getCheckpoint(tx, id),
          'checkpoint',
          id,
        );
        await repo.lockCheckpoint(tx, id);
        const { reason, ...changes } = input;
        const next = { ...before, ...changes };
        if ((next.lat === null) !== (next.lng === null))
          throw invalid('Give both latitude and longitude, or neither', [{ path: 'lng', message: 'pair' }]);
        if (changes.nodeId !== undefined) await nodeRef(tx, ctx, changes.nodeId, 'inspection.manage');
        await unique(
          () => repo.updateCheckpoint(tx, id, next, clock.now()),
          `Checkpoint code ${next.code} is taken`,
        );
        const after = (await repo.getCheckpoint(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.checkpoint.update',
          targetType: 'inspection_checkpoint',
          targetId: id,
          nodeId: after.nodeId,
          reason,
          before: publicOf(before),
          after: publicOf(after),
        });
        return publicOf(after);
      });
    },
    /** Reprint: every label printed before stops working (tokenVersion + 1). */
    async rotate(ctx: RequestContext, id: number, reason: string) {
      return db.transaction(async (tx) => {
        const c = await guard.require(
          tx,
          ctx,
          'inspection.manage',
          await repo.getCheckpoint(tx, id),
          'checkpoint',
          id,
        );
        await repo.lockCheckpoint(tx, id);
        const version = await repo.bumpTokenVersion(tx, id, clock.now());
        await audit.append(tx, ctx, {
          action: 'inspection.checkpoint.rotate',
          targetType: 'inspection_checkpoint',
          targetId: id,
          nodeId: c.nodeId,
          reason,
          before: { tokenVersion: c.tokenVersion },
          after: { tokenVersion: version },
        });
        return tokenOf({ id, tokenVersion: version });
      });
    },
    async token(ctx: RequestContext, id: number) {
      const c = await guard.require(
        db,
        ctx,
        'inspection.manage',
        await repo.getCheckpoint(db, id),
        'checkpoint',
        id,
      );
      return tokenOf(c);
    },
    /** What a label sheet prints for each checkpoint (the caller renders the PDF). */
    async labels(ctx: RequestContext, ids: number[]) {
      const out = [];
      for (const id of [...new Set(ids)]) {
        const c = await guard.require(
          db,
          ctx,
          'inspection.manage',
          await repo.getCheckpoint(db, id),
          'checkpoint',
          id,
        );
        const node = await plant.byId(c.nodeId);
        out.push({
          ...publicOf(c),
          nodeName: node?.nameZh ?? '',
          token: tokenOf(c).token,
        });
      }
      await audit.record(ctx, {
        action: 'inspection.checkpoint.labels',
        targetType: 'inspection_checkpoint',
        targetId: ids.join(','),
        after: { checkpoints: out.map((c) => ({ id: c.id, code: c.code, tokenVersion: c.tokenVersion })) },
      });
      return out;
    },
  };

  // ------------------------------------------------------------- routes (巡检路线)

  const routes = {
    async list(ctx: RequestContext, q: { nodeId?: number }) {
      return (await repo.listRoutes(db, guard.scope(ctx, 'inspection.read'), q)).map(publicOf);
    },
    async get(ctx: RequestContext, id: number) {
      return publicOf(
        guard.readable(ctx, 'inspection.read', await repo.getRoute(db, id), 'inspection route', id),
      );
    },
    async create(ctx: RequestContext, input: In<typeof CreateRouteSchema>) {
      return db.transaction(async (tx) => {
        const node = await nodeRef(tx, ctx, input.nodeId, 'inspection.manage');
        for (const [i, cp] of input.checkpointIds.entries())
          await checkpointRef(tx, ctx, cp, `checkpointIds.${i}`);
        const id = await unique(
          () => repo.insertRoute(tx, input, clock.now()),
          `Route code ${input.code} is taken`,
        );
        await repo.setRouteStops(tx, id, input.checkpointIds);
        const r = (await repo.getRoute(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.route.create',
          targetType: 'inspection_route',
          targetId: id,
          nodeId: node.id,
          after: publicOf(r),
        });
        return publicOf(r);
      });
    },
    async update(ctx: RequestContext, id: number, input: In<typeof UpdateRouteSchema>) {
      return db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'inspection.manage',
          await repo.getRoute(tx, id),
          'inspection route',
          id,
        );
        const { reason, checkpointIds, ...changes } = input;
        const next = { ...before, ...changes };
        await unique(() => repo.updateRoute(tx, id, next, clock.now()), `Route code ${next.code} is taken`);
        if (checkpointIds) {
          for (const [i, cp] of checkpointIds.entries())
            await checkpointRef(tx, ctx, cp, `checkpointIds.${i}`);
          await repo.setRouteStops(tx, id, checkpointIds);
        }
        const after = (await repo.getRoute(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.route.update',
          targetType: 'inspection_route',
          targetId: id,
          nodeId: after.nodeId,
          reason,
          before: publicOf(before),
          after: publicOf(after),
        });
        return publicOf(after);
      });
    },
    async remove(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'inspection.manage',
          await repo.getRoute(tx, id),
          'inspection route',
          id,
        );
        const using = await repo.plansUsingRoute(tx, id);
        if (using.length)
          throw conflict(
            `Route ${before.code} is used by plan ${using.map((p) => p.code).join(', ')}; change the plan first`,
          );
        await repo.deleteRoute(tx, id);
        await audit.append(tx, ctx, {
          action: 'inspection.route.delete',
          targetType: 'inspection_route',
          targetId: id,
          nodeId: before.nodeId,
          reason,
          before: publicOf(before),
        });
      });
    },
  };

  // ------------------------------------------------------------- plans

  function checkSchedule(schedule: Schedule, known: Set<number>) {
    if (schedule.kind === 'cron') {
      const err = cronError(schedule.expression, timezone);
      if (err)
        throw invalid(`The cron expression is not valid: ${err}`, [
          { path: 'schedule.expression', message: err },
        ]);
    }
    if (schedule.kind === 'shift') {
      for (const [i, id] of schedule.shiftIds.entries())
        if (!known.has(id))
          throw invalid(`Shift ${id} does not exist`, [
            { path: `schedule.shiftIds.${i}`, message: 'unknown' },
          ]);
      if (known.size === 0)
        throw invalid('No shifts are defined yet (组织 → 班次)', [
          { path: 'schedule', message: 'no shifts' },
        ]);
    }
  }
  async function checkPlan(
    tx: Db,
    ctx: RequestContext,
    p: repo.PlanFields,
    measureIds: number[],
    known: Set<number>,
  ) {
    await nodeRef(tx, ctx, p.nodeId, 'inspection.manage');
    await templateRef(tx, ctx, p.templateId);
    if (p.routeId !== null) {
      const r = guard.readable(
        ctx,
        'inspection.manage',
        await repo.getRoute(tx, p.routeId),
        'inspection route',
        p.routeId,
      );
      if (!r.active) throw invalid(`Route ${r.code} is retired`, [{ path: 'routeId', message: 'retired' }]);
    }
    for (const [i, s] of p.stops.entries()) {
      await checkpointRef(tx, ctx, s.checkpointId, `stops.${i}.checkpointId`);
      if (s.templateId !== null) await templateRef(tx, ctx, s.templateId, `stops.${i}.templateId`);
    }
    if (p.routeId === null && p.stops.length === 0)
      throw invalid('Choose a route or at least one checkpoint', [{ path: 'stops', message: 'empty' }]);
    checkSchedule(p.schedule, known);
    await assigneeRef(tx, ctx, p.assignee);
    for (const id of measureIds) await measureRef(tx, ctx, id);
  }

  const plans = {
    async list(ctx: RequestContext, q: { nodeId?: number; active: string }) {
      return (await repo.listPlans(db, guard.scope(ctx, 'inspection.read'), q)).map(planView);
    },
    async get(ctx: RequestContext, id: number) {
      return planView(
        guard.readable(ctx, 'inspection.read', await repo.getPlan(db, id), 'inspection plan', id),
      );
    },
    async create(ctx: RequestContext, input: In<typeof CreatePlanSchema>) {
      const known = new Set((await org.listShifts()).map((x) => x.id));
      return db.transaction(async (tx) => {
        const { controlMeasureIds, ...fields } = input;
        await checkPlan(tx, ctx, fields, controlMeasureIds, known);
        const id = await unique(
          () => repo.insertPlan(tx, fields, clock.now()),
          `Plan code ${input.code} is taken`,
        );
        await repo.setPlanMeasures(tx, id, controlMeasureIds);
        const p = (await repo.getPlan(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'inspection.plan.create',
          targetType: 'inspection_plan',
          targetId: id,
          nodeId: p.nodeId,
          after: planView(p),
        });
        return planView(p);
      });
    },
    async update(ctx: RequestContext, id: number, input: In<typeof UpdatePlanSchema>) {
      const known = new Set((await org.listShifts()).map((x) => x.id));
      return db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'inspection.manage',
          await repo.getPlan(tx, id),
          'inspection plan',
          id,
        );
        await tx.query('SELECT id FROM inspection_plan WHERE id = $1 FOR UPDATE', [id]);
        const { reason, controlMeasureIds, ...changes } = input;
        const next: repo.PlanFields = { ...before, ...changes };
        const measures = controlMeasureIds ?? before.controlMeasureIds;
        await checkPlan(tx, ctx, next, measures, known);
        await unique(() => repo.updatePlan(tx, id, next, clock.now()), `Plan code ${next.code} is taken`);
        await repo.setPlanMeasures(tx, id, measures);
        const after = (await repo.getPlan(tx, id))!;
        // Tasks not yet open follow the plan: withdrawn and issued anew by the generator
        // (open and finished ones keep what they were issued with).
        const GENERATION = [
          'templateId',
          'routeId',
          'stops',
          'schedule',
          'assignee',
          'window',
          'requireScan',
          'onMissingScan',
          'requirePhotoOnAbnormal',
          'active',
        ] as const;
        if (GENERATION.some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))) {
          for (const t of await repo.plannedTasksOf(tx, id)) {
            await workflow.apply(
              tx,
              ctx,
              taskMachine,
              { id: t.id, path: t.path, state: t.state, record: recordOf(t) },
              'cancel',
              {
                reason: `计划已修改：${reason}`,
                data: { superseded: true },
                label: `${t.planName} · ${t.checkpointName}`,
              },
            );
            await repo.supersede(tx, t.id);
          }
          await repo.resetWatermark(tx, id, clock.now());
        }
        await audit.append(tx, ctx, {
          action: 'inspection.plan.update',
          targetType: 'inspection_plan',
          targetId: id,
          nodeId: after.nodeId,
          reason,
          before: planView(before),
          after: planView(after),
        });
        return planView(after);
      });
    },
    async preview(ctx: RequestContext, id: number, q: In<typeof PlanPreviewQuerySchema>) {
      const p = guard.readable(ctx, 'inspection.read', await repo.getPlan(db, id), 'inspection plan', id);
      return previewOf(p.schedule, p.window, q, await org.listShifts());
    },
    /** The same for an unsaved plan (the editor): manage at its node, the schedule checked as on save. */
    async previewDraft(ctx: RequestContext, input: In<typeof PlanDraftPreviewSchema>) {
      const shifts = await org.listShifts();
      await nodeRef(db, ctx, input.nodeId, 'inspection.manage');
      checkSchedule(input.schedule, new Set(shifts.map((x) => x.id)));
      return previewOf(input.schedule, input.window, input, shifts);
    },
  };
  function previewOf(
    schedule: Schedule,
    window: TaskWindow,
    q: { from?: string; hours: number },
    shifts: Awaited<ReturnType<typeof org.listShifts>>,
  ) {
    const from = q.from ? new Date(q.from) : clock.now();
    const list = occurrences(
      schedule,
      shifts,
      from,
      new Date(from.getTime() + q.hours * 3_600_000),
      timezone,
      500,
    );
    return {
      timezone,
      occurrences: list.map((at) => {
        const w = windowOf(at, window);
        return {
          at: at.toISOString(),
          opensAt: w.opensAt.toISOString(),
          dueAt: w.dueAt.toISOString(),
          missedAt: w.missedAt.toISOString(),
        };
      }),
    };
  }
  function planView(p: repo.PlanRec) {
    const { path: _p, generatedUntil: _g, ...rest } = p;
    return rest;
  }

  // ------------------------------------------------------------- the generator

  async function workshopOf(path: string, tx: Db, cache: Map<string, number>) {
    const hit = cache.get(path);
    if (hit !== undefined) return hit;
    const ids = path.split('/').filter(Boolean).map(Number);
    let found = ids[ids.length - 1]!;
    for (const id of ids) {
      const n = await plant.byId(id, tx);
      if (n?.level === 'area') found = id;
    }
    cache.set(path, found);
    return found;
  }

  async function resolveAssignee(
    tx: Db,
    a: Assignee,
    path: string,
    at: Date,
  ): Promise<repo.NewTask['assignee']> {
    const none = { userId: null, postId: null, teamId: null };
    switch (a.kind) {
      case 'user': {
        const u = await users.byId(a.userId, tx);
        return { ...none, kind: 'user', userId: a.userId, name: u?.display_name ?? `#${a.userId}` };
      }
      case 'post': {
        const p = await getPost(tx, a.postId);
        return { ...none, kind: 'post', postId: a.postId, name: p?.name ?? `#${a.postId}` };
      }
      case 'team': {
        const t = await getTeam(tx, a.teamId);
        return { ...none, kind: 'team', teamId: a.teamId, name: t?.name ?? `#${a.teamId}` };
      }
      case 'shift_on_duty': {
        const duty = await org.onDutyAt(path, at, tx);
        return duty
          ? {
              ...none,
              kind: 'shift_on_duty',
              teamId: duty.teamId,
              name: `${duty.shiftName} ${duty.teamName}`,
            }
          : { ...none, kind: 'shift_on_duty', name: '当班（未排班）' };
      }
    }
  }

  function recordOf(t: {
    opensAt: Date | string;
    dueAt: Date | string;
    missedAt: Date | string;
    remindAt: Date | null;
    reminded: boolean;
    state: TaskState;
  }): TaskRecord {
    return {
      opensAt: new Date(t.opensAt),
      dueAt: new Date(t.dueAt),
      missedAt: new Date(t.missedAt),
      remindAt: t.remindAt,
      reminded: t.reminded,
      state: t.state,
    };
  }

  /**
   * Creates the tasks of the next 24 h, exactly once per (plan, occurrence, checkpoint): the
   * insert is ON CONFLICT DO NOTHING on that key, so a second scheduler, a restart or a clock
   * set back adds nothing. Occurrences the clock jumped past (downtime) are still created: open
   * or overdue when their window has not ended, else recorded at once as missed (未检, quietly:
   * nobody could have done them). Occurrences before the plan existed are only created while
   * they can still be done.
   */
  async function generate(): Promise<{ created: number; existing: number; missed: number }> {
    const now = clock.now();
    const until = new Date(now.getTime() + GENERATE_AHEAD_MS);
    const shifts = await org.listShifts();
    const totals = { created: 0, existing: 0, missed: 0 };
    const workshops = new Map<string, number>();
    for (const plan of await repo.activePlans(db)) {
      const since = plan.generatedUntil ?? new Date(plan.createdAt);
      const span =
        (plan.window.dueAfterMin + plan.window.graceMin + Math.max(0, -plan.window.startOffsetMin)) * 60_000;
      const from = new Date(
        Math.max(Math.min(since.getTime(), now.getTime() - span), now.getTime() - LOOKBACK_MS),
      );
      const list = occurrences(plan.schedule, shifts, from, until, timezone);
      if (!list.length) {
        await repo.advanceWatermark(db, plan.id, until);
        continue;
      }
      await db.transaction(async (tx) => {
        const stops = await stopsOf(tx, plan);
        for (const at of list) {
          // before the plan existed (or already processed) and over: nothing to record
          if (at.getTime() < since.getTime() && windowOf(at, plan.window).missedAt.getTime() <= now.getTime())
            continue;
          await issueOccurrence(tx, plan, stops, at, now, shifts, workshops, totals);
        }
        await repo.advanceWatermark(tx, plan.id, until);
      });
    }
    return totals;
  }

  type Stop = Awaited<ReturnType<typeof stopsOf>>[number];
  /** One occurrence of a plan: a task per stop unless it exists; its state from the clock. */
  async function issueOccurrence(
    tx: Db,
    plan: repo.PlanRec,
    stops: Stop[],
    at: Date,
    now: Date,
    shifts: Parameters<typeof dayAndShift>[1],
    workshops: Map<string, number>,
    totals: { created: number; existing: number; missed: number },
  ) {
    const w = windowOf(at, plan.window);
    const state: TaskState =
      now >= w.missedAt ? 'missed' : now >= w.dueAt ? 'overdue' : now >= w.opensAt ? 'open' : 'planned';
    const { day, shiftId, shiftName } = dayAndShift(at, shifts);
    const ids: number[] = [];
    for (const stop of stops) {
      const assignee = await resolveAssignee(tx, plan.assignee, stop.path, at);
      const id = await repo.insertTaskOnce(tx, {
        planId: plan.id,
        occurrenceAt: at,
        checkpointId: stop.checkpointId,
        seq: stop.seq,
        nodeId: stop.nodeId,
        workshopId: await workshopOf(stop.path, tx, workshops),
        day,
        shiftId,
        shiftName,
        templateId: stop.templateId,
        templateVersion: stop.templateVersion,
        assignee,
        state,
        opensAt: w.opensAt,
        dueAt: w.dueAt,
        missedAt: w.missedAt,
        remindAt: w.remindAt,
        requireScan: plan.requireScan,
        onMissingScan: plan.onMissingScan,
        requirePhotoOnAbnormal: plan.requirePhotoOnAbnormal,
        result: state === 'missed' ? 'not_checked' : null,
        now,
      });
      if (id === null) {
        totals.existing++;
        continue;
      }
      ids.push(id);
      if (state === 'missed') totals.missed++;
      else totals.created++;
      await workflow.begin(
        tx,
        SYSTEM,
        taskMachine,
        {
          id,
          path: stop.path,
          record: recordOf({ ...w, state, reminded: w.remindAt !== null && w.remindAt <= now }),
        },
        {
          state,
          data: { planId: plan.id, occurrenceAt: at.toISOString(), checkpointId: stop.checkpointId },
          label: `${plan.name} · ${stop.name} ${hhmm(at)}`,
          ...(state === 'missed' ? { reason: '生成时已超过宽限期（系统停机或时钟跳变）' } : {}),
        },
      );
    }
    return ids;
  }

  /**
   * Issues one occurrence of a plan now, outside its schedule (an extra round; the demo uses it
   * for today's tasks): once per (plan, instant, checkpoint) like the generator. Task ids created.
   */
  async function issue(planId: number, at: Date): Promise<number[]> {
    const shifts = await org.listShifts();
    return db.transaction(async (tx) => {
      const plan = await repo.getPlan(tx, planId);
      if (!plan) throw new AppError('not_found', `Inspection plan ${planId} not found`);
      const stops = await stopsOf(tx, plan);
      return issueOccurrence(tx, plan, stops, at, clock.now(), shifts, new Map(), {
        created: 0,
        existing: 0,
        missed: 0,
      });
    });
  }

  /** The plan's stops in route order, each with the template version tasks are issued with. */
  async function stopsOf(tx: Db, plan: repo.PlanRec) {
    let stops = plan.stops;
    if (!stops.length && plan.routeId !== null) {
      const route = await repo.getRoute(tx, plan.routeId);
      stops = (route?.checkpointIds ?? []).map((checkpointId) => ({ checkpointId, templateId: null }));
    }
    const out = [];
    for (const [seq, s] of stops.entries()) {
      const cp = await repo.getCheckpoint(tx, s.checkpointId);
      const tpl = await repo.getTemplate(tx, s.templateId ?? plan.templateId);
      if (!cp?.active || !tpl?.active) continue;
      out.push({
        seq,
        checkpointId: cp.id,
        name: cp.name,
        nodeId: cp.nodeId,
        path: cp.path,
        templateId: tpl.id,
        templateVersion: tpl.version,
      });
    }
    return out;
  }

  // ------------------------------------------------------------- timers and notifications

  function taskEvent(
    kind: NotifyEventInput['kind'],
    t: repo.TaskRec,
    now: Date,
    priority: NotifyEventInput['priority'],
    what: { zh: string; en: string },
  ): NotifyEventInput {
    return {
      kind,
      at: now,
      priority,
      path: t.path,
      subject: `inspection_task:${t.id}`,
      payload: {
        title: {
          zh: `${t.planName} · ${t.checkpointName}（${t.assignee.name}）${what.zh}`,
          en: `${t.planName} · ${t.checkpointName} (${t.assignee.name}) ${what.en}`,
        },
        alarmText: null,
        value: null,
        link: `/inspection/tasks/${t.id}`,
        // policies with the recipient 'assignee' reach the person, post or team the task is for
        assignee: {
          userIds: t.assignee.userId ? [t.assignee.userId] : [],
          postId: t.assignee.postId,
          teamId: t.assignee.teamId,
        },
      },
    };
  }

  async function onTimer(tx: Db, timer: DueTimer, now: Date) {
    const t = await repo.getTask(tx, timer.recordId, true);
    if (!t || !isActive(t.state)) return;
    const ref = { id: t.id, path: t.path, state: t.state, record: recordOf(t) };
    const due = hhmm(new Date(t.dueAt));
    switch (timer.key) {
      case 'open':
        if (t.state !== 'planned') return;
        await workflow.apply(tx, SYSTEM, taskMachine, ref, 'open', {
          recordAfter: { ...ref.record, state: 'open' },
        });
        await repo.setTaskState(tx, t.id, 'open', false);
        return;
      case 'remind':
        if (t.reminded || t.state === 'overdue') return;
        await repo.markReminded(tx, t.id, now);
        await notify.publish(tx, [
          taskEvent('inspection.due_soon', t, now, 'low', { zh: `将于 ${due} 到期`, en: `is due at ${due}` }),
        ]);
        notify.wake();
        return;
      case 'overdue':
        if (t.state !== 'open' && t.state !== 'in_progress') return;
        await workflow.apply(tx, SYSTEM, taskMachine, ref, 'overdue', {
          recordAfter: { ...ref.record, state: 'overdue' },
        });
        await repo.setTaskState(tx, t.id, 'overdue', false);
        await notify.publish(tx, [
          taskEvent('inspection.overdue', t, now, 'medium', {
            zh: `已超期（应于 ${due} 前完成）`,
            en: `is overdue (due ${due})`,
          }),
        ]);
        notify.wake();
        return;
      case 'missed':
        await workflow.apply(tx, SYSTEM, taskMachine, ref, 'miss', {
          recordAfter: { ...ref.record, state: 'missed' },
        });
        await repo.markMissed(tx, t.id);
        await notify.publish(tx, [
          taskEvent('inspection.missed', t, now, 'high', {
            zh: '未检（漏检）',
            en: 'was not checked (missed)',
          }),
        ]);
        notify.wake();
        return;
    }
  }
  workflow.onTimer(taskMachine.kind, onTimer);

  // ------------------------------------------------------------- tasks

  async function isAssignee(tx: Db, ctx: RequestContext, t: repo.TaskRec) {
    const actor = actorOf(ctx);
    if (actor.userId === null) return true;
    if (t.assignee.userId === actor.userId) return true;
    if (t.assignee.postId !== null || t.assignee.teamId !== null) {
      const u = await users.byId(actor.userId, tx);
      if (u && t.assignee.postId !== null && u.post_id === t.assignee.postId) return true;
      if (u && t.assignee.teamId !== null && u.team_id === t.assignee.teamId) return true;
    }
    // a planner of the place may stand in
    return guard.can(ctx, 'inspection.manage', t.path);
  }
  async function requirePerformer(tx: Db, ctx: RequestContext, t: repo.TaskRec) {
    await guard.require(tx, ctx, 'inspection.perform', t, 'inspection task', t.id);
    if (!(await isAssignee(tx, ctx, t)))
      throw new AppError(
        'forbidden',
        `这项点检分配给了 ${t.assignee.name} / This task is assigned to ${t.assignee.name}`,
      );
  }

  type LiveValues = Awaited<ReturnType<LivePort['current']>>;
  /** Current values of a task's bound tags; read outside transactions (the store has its own connection). */
  async function liveOf(t: repo.TaskRec): Promise<LiveValues> {
    const version = await repo.getVersion(db, t.templateId, t.templateVersion);
    return live.current(version?.items.flatMap((i) => (i.tagId === null ? [] : [i.tagId])) ?? []);
  }
  /** The task page's record; without `values` (inside a transaction) the live values are left out. */
  async function detail(tx: Db, t: repo.TaskRec, values: LiveValues | null = null) {
    const version = (await repo.getVersion(tx, t.templateId, t.templateVersion))!;
    const cp = (await repo.getCheckpoint(tx, t.checkpointId))!;
    const bound = version.items.filter((i) => i.tagId !== null);
    const liveOut: Record<string, z.infer<typeof LiveValueSchema>> = {};
    if (bound.length && values) {
      for (const it of bound) {
        const tag = live.tag(it.tagId!);
        if (!tag) continue;
        const v = values.get(tag.id);
        liveOut[it.key] = {
          tagId: tag.id,
          tagCode: tag.code,
          tagName: tag.nameZh,
          unit: tag.unit,
          value: v?.value ?? null,
          at: v?.at ?? null,
          quality: v?.quality ?? null,
        };
      }
    }
    const evidence = deps.evidence?.list ? await deps.evidence.list(tx, 'inspection_task', t.id) : [];
    const { path: _p, day: _d, workshopId: _w, onMissingScan: _o, remindAt: _r, reminded: _rm, ...pub } = t;
    const plan = await repo.getPlan(tx, t.planId);
    const history = (await workflow.history(tx, 'inspection_task', t.id)).map((h) => ({
      id: h.id,
      action: h.action,
      fromState: h.fromState,
      toState: h.toState,
      actor: { id: h.actorId, name: h.actorName },
      at: h.at.toISOString(),
      reason: h.reason,
      data: h.data,
    }));
    return {
      ...pub,
      items: version.items,
      checkpoint: publicOf(cp),
      live: liveOut,
      evidence,
      controlMeasureIds: plan?.controlMeasureIds ?? [],
      history,
    };
  }
  async function detailOf(id: number) {
    const t = (await repo.getTask(db, id))!;
    return detail(db, t, await liveOf(t));
  }
  const taskView = (t: repo.TaskRec) => {
    const {
      path: _p,
      day: _d,
      workshopId: _w,
      onMissingScan: _o,
      remindAt: _r,
      reminded: _rm,
      scan: _s,
      results: _res,
      comment: _c,
      clientSubmissionId: _cs,
      ...pub
    } = t;
    return pub;
  };

  async function lockedTask(tx: Db, ctx: RequestContext, id: number) {
    const t = await repo.getTask(tx, id, true);
    return guard.readable(ctx, 'inspection.read', t, 'inspection task', id);
  }

  /** Checks a scanned token against the task's checkpoint; the refusal in words for people. */
  async function checkScan(
    tx: Db,
    t: repo.TaskRec,
    scan: In<typeof ScanSchema>,
  ): Promise<
    { ok: true; distanceM: number | null; flags: TaskFlag[] } | { ok: false; message: string; why: string }
  > {
    const cp = (await repo.getCheckpoint(tx, t.checkpointId))!;
    const check = verifyToken(qrKey, scan.token);
    if (!check.ok)
      return check.reason === 'malformed'
        ? {
            ok: false,
            why: 'malformed',
            message: '这不是 Aegis 巡检点二维码 / This is not an Aegis checkpoint QR code',
          }
        : {
            ok: false,
            why: 'forged',
            message: '二维码签名无效（伪造或损坏） / The QR code signature is not valid (forged or damaged)',
          };
    if (check.checkpointId !== cp.id) {
      const other = await repo.getCheckpoint(tx, check.checkpointId);
      const name = other ? `${other.code} ${other.name}` : `#${check.checkpointId}`;
      return {
        ok: false,
        why: 'other_checkpoint',
        message: `这是另一个巡检点（${name}）的二维码，本任务在 ${cp.code} ${cp.name} / This QR code belongs to checkpoint ${name}, the task is at ${cp.code}`,
      };
    }
    if (check.version !== cp.tokenVersion)
      return {
        ok: false,
        why: 'expired',
        message: `该标签已作废（已重新打印，第 ${cp.tokenVersion} 版） / This label was replaced (version ${cp.tokenVersion} is current)`,
      };
    const at = clock.now().toISOString();
    const flags: TaskFlag[] = [];
    let distance: number | null = null;
    if (cp.lat !== null && cp.lng !== null) {
      if (scan.lat != null && scan.lng != null) {
        distance = Math.round(distanceM({ lat: cp.lat, lng: cp.lng }, { lat: scan.lat, lng: scan.lng }));
        const radius = cp.radiusM ?? DEFAULT_RADIUS_M;
        if (distance > radius)
          flags.push({
            code: 'gps_far',
            itemKey: null,
            message: `扫码位置距巡检点 ${distance} 米（允许 ${radius} 米）`,
            details: { distanceM: distance, radiusM: radius, accuracyM: scan.accuracyM ?? null },
            at,
          });
      } else {
        flags.push({ code: 'gps_missing', itemKey: null, message: '扫码时没有定位信息', details: null, at });
      }
    }
    return { ok: true, distanceM: distance, flags };
  }

  /** A refused scan: recorded on the task and audited in a transaction of its own, then refused. */
  async function refuseScan(
    ctx: RequestContext,
    t: repo.TaskRec,
    why: string,
    message: string,
  ): Promise<never> {
    await db.transaction(async (tx) => {
      const flag: TaskFlag = {
        code: 'scan_refused',
        itemKey: null,
        message,
        details: { why },
        at: clock.now().toISOString(),
      };
      const fresh = (await repo.getTask(tx, t.id, true))!;
      await repo.setFlags(tx, t.id, [...fresh.flags, flag]);
      await audit.append(tx, ctx, {
        action: 'inspection_task.scan',
        targetType: 'inspection_task',
        targetId: t.id,
        nodeId: nodeIdOf(t.path),
        outcome: 'denied',
        after: { why, checkpointId: t.checkpointId },
      });
    });
    ctx.audited = true;
    throw new AppError('evidence_refused', message, { why, checkpointId: t.checkpointId });
  }

  const tasks = {
    async myTasks(ctx: RequestContext, date?: string) {
      const actor = actorOf(ctx);
      if (actor.userId === null) return [];
      const u = await users.byId(actor.userId);
      if (!u) return [];
      const day = date ?? dayAndShift(clock.now(), await org.listShifts()).day;
      const list = await repo.tasksFor(db, { userId: u.id, postId: u.post_id, teamId: u.team_id }, day);
      return list.filter((t) => guard.can(ctx, 'inspection.perform', t.path)).map(taskView);
    },
    async list(ctx: RequestContext, q: In<typeof TaskListQuerySchema>) {
      const { limit, offset, ...filter } = q;
      const page = await repo.listTasks(db, guard.scope(ctx, 'inspection.read'), filter, { limit, offset });
      return { items: page.items.map(taskView), total: page.total };
    },
    /** The rows of the 排查记录 register (XLSX), at most 50 000. */
    async register(ctx: RequestContext, q: In<typeof TaskListQuerySchema>) {
      const { limit: _l, offset: _o, ...filter } = q;
      const page = await repo.listTasks(db, guard.scope(ctx, 'inspection.read'), filter, {
        limit: 50_000,
        offset: 0,
      });
      const out = [];
      for (const t of page.items) {
        const version = await repo.getVersion(db, t.templateId, t.templateVersion);
        const label = new Map(version?.items.map((i) => [i.key, i.label]) ?? []);
        out.push({
          task: t,
          abnormal: Object.values(t.results)
            .filter((r) => r.abnormal)
            .map((r) => r.abnormalReason ?? label.get(r.key) ?? r.key),
        });
      }
      return out;
    },
    async get(ctx: RequestContext, id: number) {
      const t = guard.readable(ctx, 'inspection.read', await repo.getTask(db, id), 'inspection task', id);
      return detail(db, t, await liveOf(t));
    },
    async start(ctx: RequestContext, id: number) {
      await db.transaction(async (tx) => {
        const t = await lockedTask(tx, ctx, id);
        await requirePerformer(tx, ctx, t);
        if (t.state === 'planned')
          throw new AppError(
            'transition_refused',
            `任务 ${hhmm(new Date(t.opensAt))} 开始 / The task opens at ${t.opensAt}`,
            {
              opensAt: t.opensAt,
            },
          );
        if (t.state === 'open') {
          await workflow.apply(
            tx,
            ctx,
            taskMachine,
            { id, path: t.path, state: t.state, record: recordOf(t) },
            'start',
            {
              recordAfter: { ...recordOf(t), state: 'in_progress' },
            },
          );
          await repo.markStarted(tx, id, 'in_progress', actorOf(ctx).userId!, clock.now());
        } else if (!isActive(t.state)) {
          throw new AppError('transition_refused', `The task is ${t.state}`, { state: t.state });
        } else {
          await repo.markStarted(tx, id, t.state, actorOf(ctx).userId!, clock.now());
        }
        return id;
      });
      return detailOf(id);
    },
    async scan(ctx: RequestContext, id: number, input: In<typeof ScanSchema>) {
      const outcome = await db.transaction(async (tx) => {
        const t = await lockedTask(tx, ctx, id);
        await requirePerformer(tx, ctx, t);
        if (!isActive(t.state) || t.state === 'planned')
          throw new AppError('transition_refused', `The task is ${t.state}; it cannot be scanned now`, {
            state: t.state,
          });
        const check = await checkScan(tx, t, input);
        if (!check.ok) return { kind: 'refused' as const, refused: check, task: t };
        const now = clock.now();
        const actor = actorOf(ctx);
        await repo.setScan(
          tx,
          id,
          {
            at: now.toISOString(),
            by: actor.userId!,
            distanceM: check.distanceM,
            lat: input.lat ?? null,
            lng: input.lng ?? null,
          },
          actor.userId!,
          now,
        );
        if (check.flags.length) {
          const kept = t.flags.filter((f) => f.code !== 'gps_far' && f.code !== 'gps_missing');
          await repo.setFlags(tx, id, [...kept, ...check.flags]);
        }
        if (t.state === 'open') {
          await workflow.apply(
            tx,
            ctx,
            taskMachine,
            { id, path: t.path, state: t.state, record: recordOf(t) },
            'start',
            {
              recordAfter: { ...recordOf(t), state: 'in_progress' },
              data: { scan: true },
            },
          );
          await repo.setTaskState(tx, id, 'in_progress', false);
        }
        await audit.append(tx, ctx, {
          action: 'inspection_task.scan',
          targetType: 'inspection_task',
          targetId: id,
          nodeId: nodeIdOf(t.path),
          after: {
            checkpointId: t.checkpointId,
            distanceM: check.distanceM,
            flags: check.flags.map((f) => f.code),
          },
        });
        const cp = (await repo.getCheckpoint(tx, t.checkpointId))!;
        return {
          kind: 'ok' as const,
          result: {
            verified: true as const,
            checkpointId: t.checkpointId,
            distanceM: check.distanceM,
            withinRadius:
              check.distanceM === null ? null : check.distanceM <= (cp.radiusM ?? DEFAULT_RADIUS_M),
            flags: check.flags,
            task: taskView((await repo.getTask(tx, id))!),
          },
        };
      });
      if (outcome.kind === 'refused')
        return refuseScan(ctx, outcome.task, outcome.refused.why, outcome.refused.message);
      return outcome.result;
    },

    /**
     * Stores a completed checklist, once: the same clientSubmissionId again answers with what was
     * stored; a task changed since the phone's revision (reassigned, cancelled, done by someone
     * else, missed) is a 409 sync_conflict with the server's version — never overwritten.
     */
    async submit(ctx: RequestContext, id: number, input: In<typeof SubmitTaskSchema>) {
      let refusedScan: { why: string; message: string; task: repo.TaskRec } | null = null;
      // live values are read before the transaction (the time-series store has its own connection)
      const pre = await repo.getTask(db, id);
      const liveValues = pre ? await liveOf(pre) : new Map<number, never>();
      await db.transaction(async (tx) => {
        const t = await lockedTask(tx, ctx, id);
        const seen = await repo.taskBySubmission(tx, input.clientSubmissionId);
        if (seen) {
          if (seen.id !== id)
            throw conflict(`This submission id was used for task ${seen.id}`, { taskId: seen.id });
          return id;
        }
        if (!isActive(t.state) || t.state === 'planned' || t.revision !== input.baseRevision) {
          const server = await detail(tx, t);
          const why =
            t.state === 'done' || t.state === 'done_late'
              ? `已由 ${t.doneByName ?? '他人'} 提交 / already submitted by ${t.doneByName ?? 'someone else'}`
              : t.state === 'cancelled'
                ? '任务已取消 / the task was cancelled'
                : t.state === 'missed'
                  ? '任务已记为未检 / the task was recorded as missed'
                  : t.state === 'planned'
                    ? '任务尚未开始 / the task has not opened yet'
                    : '任务已在服务器上变更（如改派） / the task was changed on the server (e.g. reassigned)';
          throw new AppError('sync_conflict', `点检任务 ${id} 冲突：${why}`, {
            taskId: id,
            baseRevision: input.baseRevision,
            revision: t.revision,
            state: t.state,
            server,
          });
        }
        await requirePerformer(tx, ctx, t);
        const actor = actorOf(ctx);
        const now = clock.now();
        const nowIso = now.toISOString();
        const flags: TaskFlag[] = [...t.flags];

        // proof of presence
        let scanRecord: repo.ScanRecord | null = null;
        if (input.scan) {
          const check = await checkScan(tx, t, input.scan);
          if (check.ok) {
            scanRecord = {
              at: input.scan.scannedAt ?? nowIso,
              by: actor.userId!,
              distanceM: check.distanceM,
              lat: input.scan.lat ?? null,
              lng: input.scan.lng ?? null,
            };
            flags.push(...check.flags);
          } else if (t.scan === null) {
            if (t.requireScan && t.onMissingScan === 'refuse') {
              refusedScan = { why: check.why, message: check.message, task: t };
              return null;
            }
            flags.push({
              code: 'scan_refused',
              itemKey: null,
              message: check.message,
              details: { why: check.why },
              at: nowIso,
            });
          }
        }
        if (t.requireScan && t.scan === null && scanRecord === null) {
          if (t.onMissingScan === 'refuse')
            throw new AppError(
              'evidence_refused',
              '本任务要求扫描巡检点二维码后才能提交 / Scan the checkpoint QR code before submitting',
              { why: 'scan_missing', checkpointId: t.checkpointId },
            );
          if (!flags.some((f) => f.code === 'scan_missing'))
            flags.push({
              code: 'scan_missing',
              itemKey: null,
              message: '未扫描巡检点二维码',
              details: null,
              at: nowIso,
            });
        }

        // photos: by the phone's client id or by id, each of this task
        const version = (await repo.getVersion(tx, t.templateId, t.templateVersion))!;
        const photos = deps.evidence?.list ? await deps.evidence.list(tx, 'inspection_task', id) : [];
        const byClient = new Map(photos.filter((p) => p.clientId).map((p) => [p.clientId!, p]));
        const byId = new Map(photos.map((p) => [p.id, p]));
        const keys = new Set(version.items.map((i) => i.key));
        const errors: { path: string; message: string }[] = [];
        for (const key of Object.keys(input.answers))
          if (!keys.has(key))
            errors.push({
              path: `answers.${key}`,
              message: `No item "${key}" in version ${t.templateVersion}`,
            });
        const photoIdsOf = (key: string) => {
          const ids: number[] = [];
          for (const ref of input.answers[key]?.photos ?? []) {
            const p = typeof ref === 'number' ? byId.get(ref) : byClient.get(ref);
            if (!p) {
              errors.push({
                path: `answers.${key}.photos`,
                message: `照片 ${ref} 尚未上传到本任务 / photo ${ref} is not uploaded to this task`,
              });
              continue;
            }
            ids.push(p.id);
            if (p.flags.length && p.review?.decision !== 'accepted')
              flags.push({
                code: 'photo_flagged',
                itemKey: key,
                message: p.flags.map((f) => f.message.zh).join('；'),
                details: { photoId: p.id, codes: p.flags.map((f) => f.code) },
                at: nowIso,
              });
          }
          return ids;
        };

        const results: Record<string, ItemResult> = {};
        for (const item of version.items) {
          const a = input.answers[item.key];
          const ev = evaluate(
            item,
            a ? { value: a.value, note: a.note, photoIds: photoIdsOf(item.key) } : undefined,
          );
          if (ev.error) errors.push({ path: `answers.${item.key}`, message: ev.error });
          let liveRec: ItemResult['live'] = null;
          if (item.tagId !== null) {
            const v = liveValues.get(item.tagId);
            liveRec = { value: v?.value ?? null, at: v?.at ?? null };
            const manual = typeof ev.result.value === 'number' ? ev.result.value : null;
            if (manual !== null && item.tolerance !== null) {
              if (liveRec.value === null)
                flags.push({
                  code: 'live_unavailable',
                  itemKey: item.key,
                  message: `「${item.label}」绑定的位号当前无值`,
                  details: null,
                  at: nowIso,
                });
              else if (Math.abs(manual - liveRec.value) > item.tolerance)
                flags.push({
                  code: 'live_mismatch',
                  itemKey: item.key,
                  message: `「${item.label}」人工读数 ${manual} 与实时值 ${liveRec.value} 相差超过 ${item.tolerance}`,
                  details: { manual, live: liveRec.value, tolerance: item.tolerance },
                  at: nowIso,
                });
            }
          }
          if (ev.result.abnormal && t.requirePhotoOnAbnormal && ev.result.photoIds.length === 0)
            errors.push({
              path: `answers.${item.key}.photos`,
              message: `「${item.label}」异常，需要拍照 / an abnormal item needs a photo`,
            });
          results[item.key] = { ...ev.result, live: liveRec, hazardId: null, hazardCode: null };
        }
        if (errors.length) throw invalid(errors[0]!.message, errors);

        const abnormal = Object.values(results).filter((r) => r.abnormal);
        const lateFrom = t.state === 'overdue';
        if (lateFrom)
          flags.push({
            code: 'late',
            itemKey: null,
            message: `超期提交（应于 ${hhmm(new Date(t.dueAt))} 前完成）`,
            details: null,
            at: nowIso,
          });
        const { to } = await workflow.apply(
          tx,
          ctx,
          taskMachine,
          { id, path: t.path, state: t.state, record: recordOf(t) },
          'submit',
          {
            data: { clientSubmissionId: input.clientSubmissionId, abnormal: abnormal.length },
            auditAfter: {
              result: abnormal.length ? 'abnormal' : 'ok',
              abnormal: abnormal.map((r) => r.abnormalReason),
              flags: flags.map((f) => f.code),
            },
            label: `${t.planName} · ${t.checkpointName}`,
          },
        );

        // every abnormal item becomes a hidden-danger report (idempotent per task and item)
        const events: NotifyEventInput[] = [];
        for (const r of abnormal) {
          const item = version.items.find((i) => i.key === r.key)!;
          const reading =
            item.kind === 'numeric' && typeof r.value === 'number'
              ? { value: r.value, unit: item.unit, low: item.low, high: item.high }
              : null;
          if (deps.hazard?.reportFromInspection) {
            const h = await deps.hazard.reportFromInspection(tx, ctx, {
              taskId: id,
              itemKey: r.key,
              itemLabel: item.label,
              nodeId: t.nodeId,
              path: t.path,
              tagId: item.tagId,
              title: `${t.checkpointName}：${r.abnormalReason ?? item.label}`,
              description: [
                `点检：${t.planName}（${t.checkpointCode} ${t.checkpointName}）`,
                `检查项：${item.label}`,
                r.abnormalReason ?? '',
                r.note ? `备注：${r.note}` : '',
              ]
                .filter(Boolean)
                .join('\n'),
              reading,
              photoIds: r.photoIds,
              checkpointId: t.checkpointId,
            });
            r.hazardId = h.id;
            r.hazardCode = h.code;
          }
          if (item.tagId !== null)
            events.push({
              ...taskEvent('inspection.reading_abnormal', t, now, 'medium', { zh: '', en: '' }),
              subject: `inspection_reading:${id}:${r.key}`,
              payload: {
                title: { zh: r.abnormalReason ?? item.label, en: r.abnormalReason ?? item.label },
                alarmText: null,
                value: typeof r.value === 'number' ? r.value : null,
                link: `/inspection/tasks/${id}`,
              },
            });
        }
        await repo.storeSubmission(tx, id, {
          state: to,
          doneAt: now,
          doneBy: actor.userId!,
          doneByName: actor.displayName || actor.username,
          result: abnormal.length ? 'abnormal' : 'ok',
          abnormalCount: abnormal.length,
          results,
          flags,
          comment: input.comment,
          clientSubmissionId: input.clientSubmissionId,
          clientCompletedAt: input.completedAt ? new Date(input.completedAt) : null,
          scan: scanRecord,
        });
        events.push(
          taskEvent('inspection.done', t, now, null, {
            zh: abnormal.length ? `已完成，${abnormal.length} 项异常` : '已完成',
            en: abnormal.length ? `done, ${abnormal.length} abnormal` : 'done',
          }),
        );
        await notify.publish(tx, events);
        return id;
      });
      if (refusedScan) {
        const r = refusedScan as { why: string; message: string; task: repo.TaskRec };
        return refuseScan(ctx, r.task, r.why, r.message);
      }
      notify.wake();
      return detailOf(id);
    },

    async cancel(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        const t = await lockedTask(tx, ctx, id);
        const now = clock.now();
        await workflow.apply(
          tx,
          ctx,
          taskMachine,
          { id, path: t.path, state: t.state, record: recordOf(t) },
          'cancel',
          {
            reason,
            label: `${t.planName} · ${t.checkpointName}`,
          },
        );
        await repo.setTaskState(tx, id, 'cancelled', true);
        // 'inspection.done' ends any escalation of the task
        await notify.publish(tx, [
          taskEvent('inspection.done', t, now, null, { zh: '已取消', en: 'cancelled' }),
        ]);
        return id;
      });
      notify.wake();
      return detailOf(id);
    },
    async reassign(ctx: RequestContext, id: number, input: In<typeof ReassignTaskSchema>) {
      await db.transaction(async (tx) => {
        const t = await lockedTask(tx, ctx, id);
        await assigneeRef(tx, ctx, input.assignee);
        const assignee = await resolveAssignee(tx, input.assignee, t.path, clock.now());
        await workflow.apply(
          tx,
          ctx,
          taskMachine,
          { id, path: t.path, state: t.state, record: recordOf(t) },
          'reassign',
          {
            reason: input.reason,
            data: { assignee: assignee.name },
            auditAfter: { assignee },
            label: `${t.planName} · ${t.checkpointName}`,
          },
        );
        await repo.reassignTask(tx, id, assignee);
      });
      return detailOf(id);
    },
    async board(ctx: RequestContext, q: { from: string; to: string; nodeId?: number }) {
      if (q.nodeId !== undefined) await nodeRef(db, ctx, q.nodeId, 'inspection.read');
      const rows = await repo.board(db, guard.scope(ctx, 'inspection.read'), q);
      return {
        from: q.from,
        to: q.to,
        timezone,
        cells: rows.map((r) => ({
          date: r.day,
          workshopId: r.workshop_id,
          workshopName: r.workshop_name,
          shiftId: r.shift_id,
          shiftName: r.shift_name,
          planned: r.planned,
          done: r.done,
          overdue: r.overdue,
          missed: r.missed,
          abnormal: r.abnormal,
        })),
      };
    },
  };

  // Photos of a task: readable with the task, attachable by whoever may perform it while it is open.
  deps.evidence?.registerOwner?.('inspection_task', {
    async readable(ctx, ownerId, tx) {
      const t = await repo.getTask(tx, ownerId);
      return t && guard.can(ctx, 'inspection.read', t.path) ? { path: t.path } : null;
    },
    async attachable(ctx, ownerId, tx) {
      const t = guard.readable(
        ctx,
        'inspection.read',
        await repo.getTask(tx, ownerId),
        'inspection task',
        ownerId,
      );
      await requirePerformer(tx, ctx, t);
      if (t.state === 'cancelled' || t.state === 'missed' || t.state === 'planned')
        throw new AppError('transition_refused', `Photos cannot be added to a ${t.state} task`, {
          state: t.state,
        });
      return {
        path: t.path,
        scopeKey: `plan:${t.planId}`,
        window: { from: new Date(t.opensAt), to: new Date(t.missedAt) },
      };
    },
  });

  return { templates, checkpoints, routes, plans, tasks, generate, issue };
}

/** A unique-constraint violation (code, name) as a 409 a person understands. */
async function unique<T>(fn: () => Promise<T>, message: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw conflict(message);
    throw e;
  }
}

export type InspectionService = ReturnType<typeof createInspectionService>;

/** The live-value port from the tag directory and the time-series store (no access check: tasks checked). */
export function liveFromTags(
  directory: {
    get(id: number): { id: number; code: string; nameZh: string; unit: string; path: string } | undefined;
  },
  timeseries: {
    current(
      ctx: RequestContext,
      q: { tagIds?: number[]; nodeId?: number },
    ): Promise<{ items: { tagId: number; ts: string; value: unknown; quality: string }[] }>;
  },
): LivePort {
  const ctx = systemContext('inspection');
  return {
    tag: (id) => directory.get(id),
    async current(ids) {
      const out = new Map<number, { value: number | null; at: string | null; quality: string | null }>();
      if (!ids.length) return out;
      for (const v of (await timeseries.current(ctx, { tagIds: [...new Set(ids)] })).items)
        out.set(v.tagId, {
          value: typeof v.value === 'number' ? v.value : null,
          at: v.ts,
          quality: v.quality,
        });
      return out;
    },
  };
}
