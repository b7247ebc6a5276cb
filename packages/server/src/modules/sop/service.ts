import {
  type AbortRunSchema,
  type ApplyLockSchema,
  type CancelLockoutSchema,
  type CompleteStepSchema,
  type CreateLockoutSchema,
  type CreateSopSchema,
  ISOLATION_KIND_LABELS,
  LOCKOUT_STATE_LABELS,
  type Lockout,
  type LockoutListQuerySchema,
  type PlantNode,
  type RectifyStepSchema,
  type ReleaseLockSchema,
  type SignInput,
  type SkipStepSchema,
  SOP_RUN_STATE_LABELS,
  type SopListQuerySchema,
  type SopProcedureDetail,
  type SopRun,
  type SopRunListQuerySchema,
  type SopStep,
  type SopStepView,
  type TagCommandResult,
  type TagCommandSchema,
  type UpdateSopSchema,
  type VerifyLockSchema,
} from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, invalid } from '../../errors.js';
import type { AccessGuard } from '../access/index.js';
import type { InterlockWriter } from '../alarms/index.js';
import type { AuditService } from '../audit/index.js';
import { sourceWritable } from '../connectors/index.js';
import type { EvidenceService } from '../evidence/index.js';
import type { NotifyEventInput } from '../notify/index.js';
import type { PlantService } from '../plant/index.js';
import type { Signature, SignatureService, SignProof } from '../signature/index.js';
import type { Directory } from '../tags/index.js';
import type { TimeseriesService } from '../timeseries/index.js';
import * as repo from './repo.js';
import { blockerOf, currentIndexOf, isSafeValue, limitsText, lockoutStateOf, withinLimits } from './rules.js';

type In<T extends z.ZodType> = z.output<T>;
type Value = number | boolean | string;
type StatusNode = Pick<PlantNode, 'id' | 'level' | 'status'>;

/** How long an operator command waits for the equipment to confirm it. */
const COMMAND_TIMEOUT_MS = 5000;
/** A live value older than this is not taken as a step's reading. */
const LIVE_MAX_AGE_MS = 5 * 60_000;

/**
 * Operating procedures (SOP, 操作规程) and lockout/tagout (LOTO, 上锁挂牌).
 *
 * Which writes a lockout stops: every write to a tag of the locked-out equipment, and every write
 * to a tag named as an isolation point's command tag (it may sit on another item, e.g. the MCC),
 * while any lock of the lockout is on — except the point's safe value (0/false keeps it off), so a
 * protective interlock trip still goes through. A tag of the equipment with no safe value named is
 * not written at all while locked.
 */
export function createSopService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  plant: PlantService;
  users?: unknown;
  directory: Directory;
  timeseries: Pick<TimeseriesService, 'current'>;
  notify: { publish(tx: Db, events: NotifyEventInput[]): Promise<void>; wake(): void };
  workflow?: unknown;
  evidence?: Pick<EvidenceService, 'registerOwner' | 'byIds'>;
  signatures: Pick<SignatureService, 'reauthenticate' | 'sign' | 'verify' | 'registerOwner'>;
  alarms?: unknown;
  connectors: { interlockWriter(): InterlockWriter };
}) {
  const { db, audit, guard, clock, plant, directory, timeseries, notify, signatures } = deps;
  let log: Pick<FastifyBaseLogger, 'error' | 'warn'> = { error() {}, warn() {} };

  const actorOf = (ctx: RequestContext) => {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return ctx.actor;
  };
  const nameOf = (ctx: RequestContext) => {
    const a = actorOf(ctx);
    return a.displayName || a.username;
  };
  const refused = (message: string, details?: unknown) =>
    new AppError('transition_refused', message, details);

  const tagLabel = (tagId: number | null | undefined) => {
    if (tagId == null) return null;
    const t = directory.get(tagId);
    return t ? `${t.equipmentCode}.${t.code} ${t.nameZh}${t.unit ? ` (${t.unit})` : ''}` : `#${tagId}`;
  };

  // ---------------------------------------------------------------- procedures

  async function requireEquipment(
    tx: Db,
    ctx: RequestContext,
    id: number,
    permission: 'sop.manage' | 'lockout.apply',
  ) {
    const e = await guard.require(tx, ctx, permission, await repo.equipment(tx, id), 'plant node', id);
    if (e.level !== 'equipment')
      throw invalid(
        `${e.code} ${e.name} is not an equipment item: procedures and lockouts belong to equipment`,
        [{ path: 'equipmentId', message: `a ${e.level}` }],
      );
    return e;
  }

  /** A reading step's tag must be visible to the editor and belong to something they may read. */
  async function checkSteps(tx: Db, ctx: RequestContext, steps: SopStep[]) {
    for (const [i, s] of steps.entries()) {
      if (s.kind === 'reading' && s.tagId != null) {
        const tag = directory.get(s.tagId) ?? null;
        await guard.require(tx, ctx, 'tag.read', tag, 'tag', s.tagId);
        if (tag!.type !== 'number')
          throw invalid(`Step ${i + 1}: ${tag!.equipmentCode}.${tag!.code} is not a number tag`, [
            { path: `steps.${i}.tagId`, message: 'not a number' },
          ]);
      }
    }
    return steps.map((s, i) => ({
      title: s.title,
      instructions: s.instructions,
      kind: s.kind,
      tagId: s.kind === 'reading' ? (s.tagId ?? null) : null,
      limits:
        s.kind === 'reading' && s.limits
          ? { lo: s.limits.lo ?? null, hi: s.limits.hi ?? null, unit: s.limits.unit }
          : null,
      // the first step has nothing before it
      requiresPrevious: i === 0 ? false : s.requiresPrevious,
    })) as SopStep[];
  }

  const stepView = (s: SopStep): SopStepView => ({
    title: s.title,
    instructions: s.instructions,
    kind: s.kind,
    tagId: s.tagId ?? null,
    tagLabel: tagLabel(s.tagId),
    limits: s.limits ? { lo: s.limits.lo ?? null, hi: s.limits.hi ?? null, unit: s.limits.unit ?? '' } : null,
    requiresPrevious: s.requiresPrevious,
  });

  async function sopDetail(tx: Db, s: repo.SopRec): Promise<SopProcedureDetail> {
    const { path: _p, steps, ...rest } = s;
    return { ...rest, steps: steps.map(stepView), versions: await repo.versions(tx, s.id) };
  }

  // ---------------------------------------------------------------- runs

  async function runDetail(tx: Db, r: repo.RunRec): Promise<SopRun> {
    const steps = await repo.runSteps(tx, r.id);
    const statuses = steps.map((s) => s.status);
    const { path: _p, stepDefs, ...rest } = r;
    return {
      ...rest,
      currentIndex: r.state === 'in_progress' ? currentIndexOf(statuses) : null,
      steps: steps.map((s) => ({
        ...stepView(stepDefs[s.index - 1]!),
        ...s,
        blockedBy:
          r.state === 'in_progress' && s.status === 'pending' ? blockerOf(stepDefs, statuses, s.index) : null,
      })),
    };
  }

  /** The run locked for a change, in progress, readable and performable by the caller. */
  async function openRun(tx: Db, ctx: RequestContext, id: number) {
    const r = guard.readable(ctx, 'sop.read', await repo.getRun(tx, id, true), 'SOP run', id);
    await guard.require(tx, ctx, 'sop.perform', r, 'SOP run', id);
    if (r.state !== 'in_progress')
      throw refused(
        `This run is ${SOP_RUN_STATE_LABELS[r.state].en.toLowerCase()} (${SOP_RUN_STATE_LABELS[r.state].zh}): nothing more can be done in it`,
        { state: r.state },
      );
    return r;
  }

  /** The step, refused while the step before it is not done (or rectified, skipped). */
  async function openStep(tx: Db, r: repo.RunRec, index: number) {
    const def = r.stepDefs[index - 1];
    if (!def) throw new AppError('not_found', `This run has no step ${index} (it has ${r.stepDefs.length})`);
    const steps = await repo.runSteps(tx, r.id);
    return { def, step: steps[index - 1]!, statuses: steps.map((s) => s.status) };
  }

  function requireUnblocked(r: repo.RunRec, statuses: repo.StepRec['status'][], index: number) {
    const b = blockerOf(r.stepDefs, statuses, index);
    if (b)
      throw refused(
        `需先完成第 ${b.index} 步「${b.title}」 / Step ${b.index} "${b.title}" must be done${statuses[b.index - 1] === 'failed' ? ' — its reading was out of limits and must be rectified' : ''} first`,
        { blockingIndex: b.index, blockingTitle: b.title, blockingStatus: statuses[b.index - 1] },
      );
  }

  async function liveReading(ctx: RequestContext, tagId: number) {
    const [v] = (await timeseries.current(ctx, { tagIds: [tagId] })).items;
    if (!v || typeof v.value !== 'number')
      throw invalid(`${tagLabel(tagId)} has no live value: enter the reading`, [
        { path: 'value', message: 'required' },
      ]);
    if (v.quality !== 'good' || clock.now().getTime() - new Date(v.ts).getTime() > LIVE_MAX_AGE_MS)
      throw invalid(
        `The live value of ${tagLabel(tagId)} is not current (${v.ts}, ${v.quality}): enter the reading`,
        [{ path: 'value', message: 'stale' }],
      );
    return v.value;
  }

  // ---------------------------------------------------------------- lockouts

  const pointContent = (l: { code: string; equipment: { code: string } }, p: repo.PointRec) => ({
    apply: {
      lockout: l.code,
      equipment: l.equipment.code,
      point: p.name,
      kind: p.kind,
      lockNo: p.lockNo,
      tagNo: p.tagNo,
    },
    verify: {
      lockout: l.code,
      point: p.name,
      lockNo: p.lockNo,
      appliedBy: p.appliedBy?.name ?? null,
      note: p.verifyNote,
    },
    release: { lockout: l.code, point: p.name, lockNo: p.lockNo, reason: p.releaseReason },
  });

  async function lockoutDetail(tx: Db, l: repo.LockoutRec): Promise<Lockout> {
    const pts = await repo.points(tx, l.id);
    const sigs = await signatures.verify(tx, 'lockout', l.id, (sig: Signature) => {
      for (const p of pts) {
        const c = pointContent(l, p);
        if (p.signatureIds.apply === sig.id) return c.apply;
        if (p.signatureIds.verify === sig.id) return c.verify;
        if (p.signatureIds.release === sig.id) return c.release;
      }
      return { signature: sig.id, point: 'none' };
    });
    const { path: _p, ...rest } = l;
    return {
      ...rest,
      points: pts.map(({ lockoutId: _l, signatureIds: _s, ...p }) => ({
        ...p,
        commandTagLabel: tagLabel(p.commandTagId),
      })),
      signatures: sigs,
    };
  }

  async function openLockout(tx: Db, ctx: RequestContext, id: number, pointId: number | null) {
    const l = guard.readable(ctx, 'sop.read', await repo.getLockout(tx, id, true), 'lockout', id);
    await guard.require(tx, ctx, 'lockout.apply', l, 'lockout', id);
    const pts = await repo.points(tx, id);
    const point = pointId === null ? null : pts.find((p) => p.id === pointId);
    if (point === undefined)
      throw new AppError('not_found', `Lockout ${l.code} has no isolation point ${pointId}`);
    return { l, pts, point };
  }

  function lockoutEvent(
    kind: 'lockout.applied' | 'lockout.released' | 'lockout.start_refused',
    l: { id: number; code: string; path: string; equipment: { code: string; name: string } },
    now: Date,
    what: { zh: string; en: string },
  ): NotifyEventInput {
    return {
      kind,
      at: now,
      priority: kind === 'lockout.start_refused' ? 'high' : 'medium',
      path: l.path,
      subject: `lockout:${l.id}`,
      payload: {
        title: {
          zh: `${l.equipment.code} ${l.equipment.name} ${l.code} ${what.zh}`,
          en: `${l.equipment.code} ${l.equipment.name} ${l.code} ${what.en}`,
        },
        alarmText: null,
        value: null,
        link: `/sop/lockouts/${l.id}`,
      },
    };
  }

  /** After a lockout's commit: announce the equipment's status (alarm suppression) and wake the notifier. */
  function afterLockoutChange(changed: StatusNode | null) {
    if (changed) plant.statusChanged(changed);
    notify.wake();
  }

  // ---------------------------------------------------------------- the guarded writer

  let lastKnownLocks: repo.ActiveLockRow[] = [];

  /** The lockouts stopping a write of `value` to the tag, with the words of the refusal; null: the write may go. */
  async function lockRefusal(tagId: number, value: Value) {
    let locks: repo.ActiveLockRow[];
    try {
      locks = await repo.activeLocks(db);
      lastKnownLocks = locks;
    } catch (err) {
      // the database is briefly unreachable: the last lock state read still protects the people at the equipment
      log.error({ err }, 'lockout state could not be read; using the last one read');
      locks = lastKnownLocks;
    }
    if (!locks.length) return null;
    const tag = directory.get(tagId);
    const involved = new Set(
      locks
        .filter((r) => r.commandTagId === tagId || (tag !== undefined && r.equipmentId === tag.equipmentId))
        .map((r) => r.lockoutId),
    );
    if (!involved.size) return null;
    const rows = locks.filter((r) => involved.has(r.lockoutId));
    const safe = rows.filter((r) => r.commandTagId === tagId && r.safeValue !== null);
    if (safe.length && safe.every((r) => isSafeValue(value, r.safeValue))) return null;
    const first = rows[0]!;
    const codes = [...new Set(rows.map((r) => r.code))].join(', ');
    const names = [...new Set(rows.filter((r) => r.on && r.appliedByName).map((r) => r.appliedByName!))].join(
      ', ',
    );
    const equipment = `${first.equipmentCode} ${first.equipmentName}`;
    return {
      lockouts: [...involved],
      first,
      detail: `refused: ${equipment} is locked out (${codes}): locks by ${names} / 设备已上锁挂牌，拒绝写入`,
    };
  }

  /** A refused write is audited and told to the people of the equipment. */
  async function recordRefusal(
    ctx: RequestContext,
    tagId: number,
    value: Value,
    r: NonNullable<Awaited<ReturnType<typeof lockRefusal>>>,
  ) {
    const now = clock.now();
    await db.transaction(async (tx) => {
      const l = await repo.getLockout(tx, r.first.lockoutId);
      await audit.append(tx, ctx, {
        action: 'lockout.start_refused',
        targetType: 'tag',
        targetId: tagId,
        nodeId: r.first.equipmentId,
        outcome: 'failure',
        after: { value, lockouts: r.lockouts, detail: r.detail },
        ...(ctx.actor ? {} : { actorName: 'alarm-engine' }),
      });
      if (l)
        await notify.publish(tx, [
          lockoutEvent('lockout.start_refused', l, now, {
            zh: `上锁期间写入 ${tagLabel(tagId)} = ${JSON.stringify(value)} 被拒绝`,
            en: `write of ${JSON.stringify(value)} to ${tagLabel(tagId)} refused while locked out`,
          }),
        ]);
    });
    notify.wake();
  }

  const ENGINE = { actor: null, requestId: null, ip: null } satisfies RequestContext;

  const service = {
    setLogger(l: Pick<FastifyBaseLogger, 'error' | 'warn'>) {
      log = l;
    },

    /** Wraps the equipment writer: a start command to locked-out equipment is refused. */
    guardWriter(writer: InterlockWriter): InterlockWriter {
      return {
        async write(tagId, value, timeoutMs) {
          const refusal = await lockRefusal(tagId, value);
          if (!refusal) return writer.write(tagId, value, timeoutMs);
          await recordRefusal(ENGINE, tagId, value, refusal).catch((err: unknown) =>
            log.error({ err, tagId }, 'lockout refusal not recorded'),
          );
          return { confirmed: false, failed: true, detail: refusal.detail };
        },
      };
    },

    /** POST /api/tags/:id/command: an operator's write to equipment, through the lockout check. */
    async command(
      ctx: RequestContext,
      tagId: number,
      input: In<typeof TagCommandSchema>,
    ): Promise<TagCommandResult> {
      const tag = await db.transaction(async (tx) => {
        const t = await guard.require(tx, ctx, 'tag.write', directory.get(tagId) ?? null, 'tag', tagId);
        const w = sourceWritable(t.source);
        if (!w.writable)
          throw invalid(`${t.equipmentCode}.${t.code} cannot be written: ${w.reason}`, [
            { path: 'tagId', message: w.reason },
          ]);
        return t;
      });
      const refusal = await lockRefusal(tagId, input.value);
      if (refusal) {
        await recordRefusal(ctx, tagId, input.value, refusal);
        throw new AppError('locked_out', refusal.detail, { lockouts: refusal.lockouts, tagId });
      }
      const r = await deps.connectors.interlockWriter().write(tagId, input.value, COMMAND_TIMEOUT_MS);
      const status = r.confirmed ? 'confirmed' : r.failed ? 'failed' : 'unconfirmed';
      await audit.record(ctx, {
        action: 'tag.command',
        targetType: 'tag',
        targetId: tagId,
        nodeId: tag.equipmentId,
        outcome: status === 'confirmed' ? 'success' : 'failure',
        reason: input.reason,
        after: { value: input.value, status, detail: r.detail },
      });
      ctx.audited = true;
      return { tagId, value: input.value, status, detail: r.detail };
    },

    // ---- procedures

    async listProcedures(ctx: RequestContext, q: In<typeof SopListQuerySchema>) {
      const rows = await repo.listSops(db, guard.scope(ctx, 'sop.read'), q);
      return rows.map(({ path: _p, steps: _s, ...r }) => r);
    },

    async getProcedure(ctx: RequestContext, id: number) {
      return db.transaction(async (tx) =>
        sopDetail(tx, guard.readable(ctx, 'sop.read', await repo.getSop(tx, id), 'procedure', id)),
      );
    },

    async createProcedure(ctx: RequestContext, input: In<typeof CreateSopSchema>) {
      actorOf(ctx);
      return db.transaction(async (tx) => {
        const e = await requireEquipment(tx, ctx, input.equipmentId, 'sop.manage');
        if (await repo.sopCodeTaken(tx, input.code))
          throw new AppError('conflict', `A procedure with the code ${input.code} exists already`, {
            field: 'code',
          });
        const steps = await checkSteps(tx, ctx, input.steps);
        const id = await repo.insertSop(tx, input.code, e.id, {
          name: input.name,
          description: input.description,
          steps,
          active: true,
          by: actorOf(ctx).userId,
          byName: nameOf(ctx),
          at: clock.now(),
          reason: input.reason ?? null,
        });
        const s = (await repo.getSop(tx, id))!;
        await audit.append(tx, ctx, {
          action: 'sop.create',
          targetType: 'sop',
          targetId: id,
          nodeId: e.id,
          reason: input.reason ?? null,
          after: { code: s.code, name: s.name, version: 1, steps },
          targetLabel: `${s.code} ${s.name}`,
        });
        return sopDetail(tx, s);
      });
    },

    /** Every edit is a new version; runs already started keep theirs. */
    async updateProcedure(ctx: RequestContext, id: number, input: In<typeof UpdateSopSchema>) {
      actorOf(ctx);
      return db.transaction(async (tx) => {
        const before = guard.readable(ctx, 'sop.read', await repo.getSop(tx, id, true), 'procedure', id);
        await guard.require(tx, ctx, 'sop.manage', before, 'procedure', id);
        const steps = await checkSteps(tx, ctx, input.steps);
        const version = before.version + 1;
        await repo.updateSop(tx, id, version, {
          name: input.name,
          description: input.description,
          steps,
          active: input.active,
          by: actorOf(ctx).userId,
          byName: nameOf(ctx),
          at: clock.now(),
          reason: input.reason,
        });
        await audit.append(tx, ctx, {
          action: 'sop.update',
          targetType: 'sop',
          targetId: id,
          nodeId: before.equipment.id,
          reason: input.reason,
          before: { version: before.version, name: before.name, active: before.active, steps: before.steps },
          after: { version, name: input.name, active: input.active, steps },
          targetLabel: `${before.code} ${input.name}`,
        });
        return sopDetail(tx, (await repo.getSop(tx, id))!);
      });
    },

    // ---- runs

    async listRuns(ctx: RequestContext, q: In<typeof SopRunListQuerySchema>) {
      const rows = await repo.listRuns(db, guard.scope(ctx, 'sop.read'), q);
      return rows.map(({ path: _p, stepDefs: _s, abortReason: _a, ...r }) => r);
    },

    async getRun(ctx: RequestContext, id: number) {
      return db.transaction(async (tx) =>
        runDetail(tx, guard.readable(ctx, 'sop.read', await repo.getRun(tx, id), 'SOP run', id)),
      );
    },

    async startRun(ctx: RequestContext, sopId: number) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const s = guard.readable(ctx, 'sop.read', await repo.getSop(tx, sopId), 'procedure', sopId);
        await guard.require(tx, ctx, 'sop.perform', s, 'procedure', sopId);
        if (!s.active) throw refused(`Procedure ${s.code} is withdrawn (停用): it cannot be run`);
        const now = clock.now();
        const id = await repo.insertRun(tx, {
          sopId,
          version: s.version,
          nodeId: s.equipment.id,
          steps: s.steps,
          by: actor.userId,
          byName: nameOf(ctx),
          at: now,
        });
        await audit.append(tx, ctx, {
          action: 'sop.run.start',
          targetType: 'sop_run',
          targetId: id,
          nodeId: s.equipment.id,
          after: { sop: s.code, version: s.version },
          targetLabel: `${s.code} ${s.name}`,
        });
        return runDetail(tx, (await repo.getRun(tx, id))!);
      });
    },

    async completeStep(ctx: RequestContext, id: number, index: number, input: In<typeof CompleteStepSchema>) {
      const actor = actorOf(ctx);
      // a reading bound to a live tag may take its current value (read outside the transaction)
      let live: number | null = null;
      if (input.value === undefined) {
        const pre = await db.transaction(async (tx) => {
          const r = guard.readable(ctx, 'sop.read', await repo.getRun(tx, id), 'SOP run', id);
          return r.stepDefs[index - 1];
        });
        if (pre?.kind === 'reading' && pre.tagId != null) live = await liveReading(ctx, pre.tagId);
      }
      return db.transaction(async (tx) => {
        const r = await openRun(tx, ctx, id);
        const { def, step, statuses } = await openStep(tx, r, index);
        if (step.status !== 'pending')
          throw refused(
            step.status === 'failed'
              ? `Step ${index} "${def.title}" was out of limits: rectify it with a new reading (需整改)`
              : `Step ${index} "${def.title}" is done already`,
            { status: step.status },
          );
        requireUnblocked(r, statuses, index);
        const now = clock.now();
        let status: 'done' | 'failed' = 'done';
        let value: number | null = null;
        let source: 'manual' | 'live' | null = null;
        let photoIds: number[] = [];
        if (def.kind === 'reading') {
          value = input.value ?? live;
          if (value === null)
            throw invalid(`Step ${index} "${def.title}" needs a reading`, [
              { path: 'value', message: 'required' },
            ]);
          source = input.value === undefined ? 'live' : 'manual';
          if (!withinLimits(value, def.limits)) status = 'failed';
        } else if (def.kind === 'photo') {
          const found = deps.evidence ? await deps.evidence.byIds(tx, input.photoIds) : [];
          const mine = new Set(
            found.filter((p) => p.ownerKind === 'sop_run' && p.ownerId === id).map((p) => p.id),
          );
          const missing = input.photoIds.filter((p) => !mine.has(p));
          if (missing.length)
            throw invalid(`Photos ${missing.join(', ')} are not photos of this run`, [
              { path: 'photoIds', message: 'not of this run' },
            ]);
          if (!mine.size)
            throw invalid(`Step ${index} "${def.title}" needs a photo (拍照)`, [
              { path: 'photoIds', message: 'required' },
            ]);
          photoIds = [...mine];
        }
        await repo.completeStep(tx, id, index, {
          status,
          value,
          valueSource: source,
          note: input.note,
          photoIds,
          by: actor.userId,
          byName: nameOf(ctx),
          at: now,
          skipReason: null,
        });
        await audit.append(tx, ctx, {
          action: status === 'failed' ? 'sop.step.failed' : 'sop.step.done',
          targetType: 'sop_run',
          targetId: id,
          nodeId: r.equipment.id,
          outcome: status === 'failed' ? 'failure' : 'success',
          after: {
            step: index,
            title: def.title,
            ...(value !== null ? { value, source, limits: limitsText(def.limits) } : {}),
            ...(photoIds.length ? { photoIds } : {}),
            note: input.note,
          },
          targetLabel: `${r.sopCode} ${r.sopName}`,
        });
        return runDetail(tx, (await repo.getRun(tx, id))!);
      });
    },

    /** A failed reading is corrected: a note of what was done and a new reading within limits. */
    async rectifyStep(ctx: RequestContext, id: number, index: number, input: In<typeof RectifyStepSchema>) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const r = await openRun(tx, ctx, id);
        const { def, step } = await openStep(tx, r, index);
        if (step.status !== 'failed')
          throw refused(`Step ${index} "${def.title}" has no failed reading to rectify`, {
            status: step.status,
          });
        if (!withinLimits(input.value, def.limits))
          throw refused(
            `The new reading ${input.value} is still outside ${limitsText(def.limits)} / 新读数仍超限：step ${index} stays failed`,
            { value: input.value, limits: def.limits },
          );
        const now = clock.now();
        await repo.rectifyStep(tx, id, index, {
          note: input.note,
          value: input.value,
          by: actor.userId,
          byName: nameOf(ctx),
          at: now,
        });
        await audit.append(tx, ctx, {
          action: 'sop.step.rectify',
          targetType: 'sop_run',
          targetId: id,
          nodeId: r.equipment.id,
          reason: input.note,
          before: { step: index, value: step.value },
          after: { step: index, title: def.title, value: input.value, limits: limitsText(def.limits) },
          targetLabel: `${r.sopCode} ${r.sopName}`,
        });
        return runDetail(tx, (await repo.getRun(tx, id))!);
      });
    },

    /** Skipping is a recorded deviation, never silent: with a reason, in order like any step. */
    async skipStep(ctx: RequestContext, id: number, index: number, input: In<typeof SkipStepSchema>) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const r = await openRun(tx, ctx, id);
        const { def, step, statuses } = await openStep(tx, r, index);
        if (step.status !== 'pending')
          throw refused(
            step.status === 'failed'
              ? `Step ${index} "${def.title}" was out of limits: it must be rectified, not skipped`
              : `Step ${index} "${def.title}" is settled already`,
            { status: step.status },
          );
        requireUnblocked(r, statuses, index);
        await repo.completeStep(tx, id, index, {
          status: 'skipped',
          value: null,
          valueSource: null,
          note: '',
          photoIds: [],
          by: actor.userId,
          byName: nameOf(ctx),
          at: clock.now(),
          skipReason: input.reason,
        });
        await audit.append(tx, ctx, {
          action: 'sop.step.skip',
          targetType: 'sop_run',
          targetId: id,
          nodeId: r.equipment.id,
          reason: input.reason,
          after: { step: index, title: def.title },
          targetLabel: `${r.sopCode} ${r.sopName}`,
        });
        return runDetail(tx, (await repo.getRun(tx, id))!);
      });
    },

    async finishRun(ctx: RequestContext, id: number) {
      return db.transaction(async (tx) => {
        const r = await openRun(tx, ctx, id);
        const steps = await repo.runSteps(tx, id);
        const open = currentIndexOf(steps.map((s) => s.status));
        if (open !== null) {
          const title = r.stepDefs[open - 1]!.title;
          throw refused(`第 ${open} 步「${title}」尚未完成 / Step ${open} "${title}" is not done yet`, {
            blockingIndex: open,
            blockingTitle: title,
          });
        }
        await repo.finishRun(tx, id, 'done', clock.now(), null);
        await audit.append(tx, ctx, {
          action: 'sop.run.finish',
          targetType: 'sop_run',
          targetId: id,
          nodeId: r.equipment.id,
          after: { skipped: steps.filter((s) => s.status === 'skipped').map((s) => s.index) },
          targetLabel: `${r.sopCode} ${r.sopName}`,
        });
        return runDetail(tx, (await repo.getRun(tx, id))!);
      });
    },

    async abortRun(ctx: RequestContext, id: number, input: In<typeof AbortRunSchema>) {
      return db.transaction(async (tx) => {
        const r = await openRun(tx, ctx, id);
        await repo.finishRun(tx, id, 'aborted', clock.now(), input.reason);
        await audit.append(tx, ctx, {
          action: 'sop.run.abort',
          targetType: 'sop_run',
          targetId: id,
          nodeId: r.equipment.id,
          reason: input.reason,
          targetLabel: `${r.sopCode} ${r.sopName}`,
        });
        return runDetail(tx, (await repo.getRun(tx, id))!);
      });
    },

    // ---- lockouts

    async listLockouts(ctx: RequestContext, q: In<typeof LockoutListQuerySchema>) {
      const rows = await repo.listLockouts(db, guard.scope(ctx, 'sop.read'), q);
      return rows.map(({ path: _p, previousStatus: _s, cancelReason: _c, ...r }) => r);
    },

    async getLockout(ctx: RequestContext, id: number) {
      return db.transaction(async (tx) =>
        lockoutDetail(tx, guard.readable(ctx, 'sop.read', await repo.getLockout(tx, id), 'lockout', id)),
      );
    },

    async createLockout(ctx: RequestContext, input: In<typeof CreateLockoutSchema>) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const e = await requireEquipment(tx, ctx, input.equipmentId, 'lockout.apply');
        for (const [i, p] of input.points.entries()) {
          if (p.commandTagId == null) continue;
          // a command tag is a reference: the caller must be able to see it
          const tag = await guard.require(
            tx,
            ctx,
            'tag.read',
            directory.get(p.commandTagId) ?? null,
            'tag',
            p.commandTagId,
          );
          const w = sourceWritable(tag.source);
          if (!w.writable)
            throw invalid(
              `Point ${i + 1}: ${tag.equipmentCode}.${tag.code} is not written to equipment (${w.reason})`,
              [{ path: `points.${i}.commandTagId`, message: w.reason }],
            );
        }
        const now = clock.now();
        const code = await repo.nextLockoutCode(tx, now.getUTCFullYear());
        const id = await repo.insertLockout(tx, {
          code,
          nodeId: e.id,
          reason: input.reason,
          by: actor.userId,
          byName: nameOf(ctx),
          at: now,
          points: input.points.map((p) => ({
            name: p.name,
            kind: p.kind,
            commandTagId: p.commandTagId ?? null,
            safeValue: p.safeValue ?? null,
          })),
        });
        await audit.append(tx, ctx, {
          action: 'lockout.create',
          targetType: 'lockout',
          targetId: id,
          nodeId: e.id,
          reason: input.reason,
          after: {
            code,
            equipment: e.code,
            points: input.points.map((p) => `${p.name} (${ISOLATION_KIND_LABELS[p.kind].zh})`),
          },
          targetLabel: `${code} ${e.code} ${e.name}`,
        });
        return lockoutDetail(tx, (await repo.getLockout(tx, id))!);
      });
    },

    /** A lock is put on a point by the person signing (确认). The first lock puts the equipment in maintenance. */
    async applyLock(ctx: RequestContext, id: number, pointId: number, input: In<typeof ApplyLockSchema>) {
      return signed(
        ctx,
        id,
        pointId,
        input.signature,
        'apply',
        null,
        async (tx, proof, { l, pts, point }) => {
          if (l.state !== 'draft' && l.state !== 'applying')
            throw refused(
              `Lockout ${l.code} is ${LOCKOUT_STATE_LABELS[l.state].en.toLowerCase()}: no more locks can be put on`,
              {
                state: l.state,
              },
            );
          if (point.status !== 'open')
            throw refused(`The lock on "${point.name}" is on already (${point.lockNo})`);
          if (pts.some((p) => p.lockNo === input.lockNo && p.status !== 'open'))
            throw invalid(`Lock ${input.lockNo} is on another point of this lockout already`, [
              { path: 'lockNo', message: 'taken' },
            ]);
          const now = clock.now();
          const after = {
            ...point,
            lockNo: input.lockNo,
            tagNo: input.tagNo,
            appliedBy: { id: proof.userId, name: proof.printedName },
          };
          const sig = await signatures.sign(tx, ctx, proof, {
            recordKind: 'lockout',
            recordId: id,
            meaning: 'confirm',
            content: pointContent(l, after).apply,
            nodeId: l.equipment.id,
          });
          await repo.applyLock(tx, pointId, {
            lockNo: input.lockNo,
            tagNo: input.tagNo,
            by: proof.userId,
            byName: proof.printedName,
            at: now,
            sig: sig.id,
          });
          let changed = null;
          const patch: Parameters<typeof repo.setLockoutState>[2] = { state: 'applying', at: now };
          if (l.state === 'draft') {
            // 检修: the equipment is in maintenance while locked; its alarms are suppressed by design
            const others = await repo.otherActiveLockouts(tx, l.equipment.id, id);
            const e = (await repo.equipment(tx, l.equipment.id))!;
            patch.previousStatus = others[0]?.previousStatus ?? e.status;
            changed = await plant.setStatus(tx, ctx, e.id, 'maintenance', `上锁挂牌 ${l.code}: ${l.reason}`);
            await notify.publish(tx, [
              lockoutEvent('lockout.applied', l, now, {
                zh: `已上锁（${l.reason}）`,
                en: `locked out (${l.reason})`,
              }),
            ]);
          }
          await repo.setLockoutState(tx, id, patch);
          await audit.append(tx, ctx, {
            action: 'lockout.apply',
            targetType: 'lockout',
            targetId: id,
            nodeId: l.equipment.id,
            after: { point: point.name, lockNo: input.lockNo, tagNo: input.tagNo, signature: sig.id },
            targetLabel: `${l.code} ${l.equipment.code}`,
          });
          return changed;
        },
      );
    },

    /** Another person tries to start it and confirms it stays dead (验证). */
    async verifyLock(ctx: RequestContext, id: number, pointId: number, input: In<typeof VerifyLockSchema>) {
      return signed(
        ctx,
        id,
        pointId,
        input.signature,
        'verify',
        null,
        async (tx, proof, { l, pts, point }) => {
          const now = clock.now();
          const after = { ...point, verifyNote: input.note };
          const sig = await signatures.sign(tx, ctx, proof, {
            recordKind: 'lockout',
            recordId: id,
            meaning: 'verify',
            content: pointContent(l, after).verify,
            nodeId: l.equipment.id,
          });
          await repo.verifyLock(tx, pointId, {
            note: input.note,
            by: proof.userId,
            byName: proof.printedName,
            at: now,
            sig: sig.id,
          });
          const state = lockoutStateOf(
            pts.map((p) => (p.id === pointId ? { status: 'verified' as const } : p)),
          );
          await repo.setLockoutState(tx, id, { state, at: now });
          await audit.append(tx, ctx, {
            action: 'lockout.verify',
            targetType: 'lockout',
            targetId: id,
            nodeId: l.equipment.id,
            after: { point: point.name, lockNo: point.lockNo, note: input.note, state, signature: sig.id },
            targetLabel: `${l.code} ${l.equipment.code}`,
          });
          return null;
        },
      );
    },

    /** A lock comes off (解除). The last one gives the equipment its status back. */
    async releaseLock(ctx: RequestContext, id: number, pointId: number, input: In<typeof ReleaseLockSchema>) {
      return signed(
        ctx,
        id,
        pointId,
        input.signature,
        'release',
        input.reason ?? null,
        async (tx, proof, { l, pts, point }) => {
          const now = clock.now();
          const reason = input.reason ?? null;
          const after = { ...point, releaseReason: reason };
          const sig = await signatures.sign(tx, ctx, proof, {
            recordKind: 'lockout',
            recordId: id,
            meaning: 'release',
            content: pointContent(l, after).release,
            nodeId: l.equipment.id,
          });
          await repo.releaseLock(tx, pointId, {
            reason,
            by: proof.userId,
            byName: proof.printedName,
            at: now,
            sig: sig.id,
          });
          const state = lockoutStateOf(
            pts.map((p) => (p.id === pointId ? { status: 'released' as const } : p)),
          );
          let changed = null;
          if (state === 'released') {
            const others = await repo.otherActiveLockouts(tx, l.equipment.id, id);
            const e = (await repo.equipment(tx, l.equipment.id))!;
            // another lockout still holds the equipment; a status changed by hand meanwhile is left alone
            if (!others.length && e.status === 'maintenance')
              changed = await plant.setStatus(
                tx,
                ctx,
                e.id,
                (l.previousStatus as 'in_service' | 'maintenance' | 'out_of_service' | null) ?? 'in_service',
                `解除上锁 ${l.code}`,
              );
            await notify.publish(tx, [
              lockoutEvent('lockout.released', l, now, { zh: '已解除上锁', en: 'lockout released' }),
            ]);
          }
          await repo.setLockoutState(tx, id, {
            state,
            at: now,
            ...(state === 'released' ? { releasedAt: now } : {}),
          });
          await audit.append(tx, ctx, {
            action: 'lockout.release',
            targetType: 'lockout',
            targetId: id,
            nodeId: l.equipment.id,
            reason,
            after: { point: point.name, lockNo: point.lockNo, state, signature: sig.id },
            targetLabel: `${l.code} ${l.equipment.code}`,
          });
          return changed;
        },
      );
    },

    async cancelLockout(ctx: RequestContext, id: number, input: In<typeof CancelLockoutSchema>) {
      const out = await db.transaction(async (tx) => {
        const { l } = await openLockout(tx, ctx, id, null);
        if (l.state !== 'draft')
          throw refused(
            `Only a lockout with no lock on can be cancelled; ${l.code} is ${LOCKOUT_STATE_LABELS[l.state].en.toLowerCase()}`,
          );
        await repo.setLockoutState(tx, id, {
          state: 'cancelled',
          at: clock.now(),
          cancelReason: input.reason,
        });
        await audit.append(tx, ctx, {
          action: 'lockout.cancel',
          targetType: 'lockout',
          targetId: id,
          nodeId: l.equipment.id,
          reason: input.reason,
          targetLabel: `${l.code} ${l.equipment.code}`,
        });
        return lockoutDetail(tx, (await repo.getLockout(tx, id))!);
      });
      return out;
    },
  };

  /**
   * The frame of the three signed acts on a lock: the rules that refuse before the password is asked
   * (state, separation of duties, who may release), the re-authentication outside the transaction
   * (a wrong password is counted even though nothing else is written), then the act and its signature.
   */
  async function signed(
    ctx: RequestContext,
    id: number,
    pointId: number,
    signInput: SignInput,
    act: 'apply' | 'verify' | 'release',
    reason: string | null,
    body: (
      tx: Db,
      proof: SignProof,
      found: Awaited<ReturnType<typeof openLockout>> & { point: repo.PointRec },
    ) => Promise<{
      id: number;
      level: string;
      status: 'in_service' | 'maintenance' | 'out_of_service';
    } | null>,
  ) {
    const actor = actorOf(ctx);
    const check = async (tx: Db) => {
      const found = await openLockout(tx, ctx, id, pointId);
      const { l, point } = found as typeof found & { point: repo.PointRec };
      if (act === 'verify') {
        if (point.status !== 'applied')
          throw refused(
            point.status === 'open'
              ? `No lock is on "${point.name}" yet: it cannot be verified`
              : `The lock on "${point.name}" is ${point.status} already`,
            { status: point.status },
          );
        if (point.appliedBy?.id === actor.userId)
          throw new AppError(
            'separation_of_duties',
            `你上的锁需由另一人验证 / You put the lock on "${point.name}": someone else must verify it (try-start)`,
            { rule: 'verifier_not_applier', pointId },
          );
      }
      if (act === 'release') {
        if (point.status === 'open' || point.status === 'released')
          throw refused(
            point.status === 'open'
              ? `No lock is on "${point.name}"`
              : `The lock on "${point.name}" is off already`,
            {
              status: point.status,
            },
          );
        if (l.state === 'draft' || l.state === 'released' || l.state === 'cancelled')
          throw refused(`Lockout ${l.code} is ${LOCKOUT_STATE_LABELS[l.state].en.toLowerCase()}`);
        if (point.appliedBy?.id !== actor.userId && !reason)
          throw new AppError(
            'reason_required',
            `The lock on "${point.name}" was put on by ${point.appliedBy?.name ?? 'someone else'}: say why you take it off (原上锁人以外解锁需说明原因)`,
            { field: 'reason' },
          );
      }
      return { ...found, point };
    };
    // refuse before asking for the password when the act is not allowed anyway
    await db.transaction((tx) => check(tx));
    const proof = await signatures.reauthenticate(ctx, signInput);
    let changed: Awaited<ReturnType<typeof body>> = null;
    const out = await db.transaction(async (tx) => {
      const found = await check(tx);
      changed = await body(tx, proof, found);
      return lockoutDetail(tx, (await repo.getLockout(tx, id))!);
    });
    afterLockoutChange(changed);
    return out;
  }

  deps.evidence?.registerOwner('sop_run', {
    async readable(ctx, ownerId, tx) {
      const r = await repo.getRun(tx, ownerId);
      return r && guard.can(ctx, 'sop.read', r.path) ? { path: r.path } : null;
    },
    async attachable(ctx, ownerId, tx) {
      const r = guard.readable(ctx, 'sop.read', await repo.getRun(tx, ownerId), 'SOP run', ownerId);
      await guard.require(tx, ctx, 'sop.perform', r, 'SOP run', ownerId);
      if (r.state !== 'in_progress')
        throw new AppError(
          'evidence_refused',
          `Run of ${r.sopCode} is ${SOP_RUN_STATE_LABELS[r.state].en.toLowerCase()}: no more photos`,
        );
      // photos of a run are taken while it runs
      return {
        path: r.path,
        scopeKey: `sop:${r.sopId}`,
        window: { from: new Date(r.startedAt), to: clock.now() },
      };
    },
  });
  signatures.registerOwner('lockout', {
    async readable(ctx, recordId, tx) {
      const l = await repo.getLockout(tx, recordId);
      return !!l && guard.can(ctx, 'sop.read', l.path);
    },
  });

  return service;
}

export type SopService = ReturnType<typeof createSopService>;
