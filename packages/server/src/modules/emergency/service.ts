import {
  type CloseEmergencyRunSchema,
  type CreateEmergencyPlanSchema,
  EMERGENCY_SCENARIO_LABELS,
  type EmergencyAssignee,
  type EmergencyPlan,
  type EmergencyPlanListQuerySchema,
  type EmergencyRunDetail,
  type EmergencyRunListQuerySchema,
  type EmergencyRunMode,
  type EmergencyRunStep,
  type EmergencyStepDoneSchema,
  type UpdateEmergencyPlanSchema,
} from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { type AccessGuard, can, grantsOf, holdersOfRoleAt } from '../access/index.js';
import type { PlacedEvent } from '../alarms/index.js';
import type { AuditService } from '../audit/index.js';
import type { EvidenceService } from '../evidence/index.js';
import type { NotifyEventInput } from '../notify/index.js';
import { type OnDutyAt, wallClock } from '../org/index.js';
import { activePeople } from '../users/index.js';
import type { DueTimer, WorkflowService } from '../workflow/index.js';
import { atLeast, type RunFacts, runMachine, stepDeadlines, tagMatches } from './machine.js';
import * as repo from './repo.js';

type In<T extends z.ZodType> = z.output<T>;
type Label = { zh: string; en: string };

/** Emergency plans (应急预案) as executable checklists, and drills (演练). */
export function createEmergencyService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  timezone: string;
  workflow: WorkflowService;
  notify: { publish(tx: Db, events: NotifyEventInput[]): Promise<void>; wake(): void };
  org: { onDutyAt(path: string, at: Date, tx?: Db): Promise<OnDutyAt | null> };
  evidence?: Pick<EvidenceService, 'registerOwner' | 'byIds'>;
  plant?: unknown;
  users?: unknown;
  alarms?: unknown;
}) {
  const { db, audit, guard, clock, timezone, workflow, notify, org } = deps;
  const SYSTEM = systemContext('emergency');
  let log: FastifyBaseLogger | null = null;
  /** Alarm activations run one after another, after the alarm transition committed. */
  let alarmChain: Promise<void> = Promise.resolve();

  const actorOf = (ctx: RequestContext) => {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return ctx.actor;
  };
  const nameOf = (ctx: RequestContext) => {
    const a = actorOf(ctx);
    return a.displayName || a.username;
  };
  const hhmm = (d: Date) => {
    const w = wallClock(d, timezone);
    return `${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };

  // -------------------------------------------------------------------------------------------
  // Assignees: words, validation when a plan is saved, people at activation

  async function assigneeLabel(tx: Db, a: EmergencyAssignee): Promise<Label> {
    switch (a.type) {
      case 'role': {
        const r = await repo.roleByCode(tx, a.roleCode);
        return { zh: `角色：${r?.zh ?? a.roleCode}`, en: `Role: ${r?.en ?? a.roleCode}` };
      }
      case 'post': {
        const p = await repo.post(tx, a.postId);
        return { zh: `岗位：${p?.name ?? a.postId}`, en: `Post: ${p?.name ?? a.postId}` };
      }
      case 'team': {
        const t = await repo.team(tx, a.teamId);
        return { zh: `班组：${t?.name ?? a.teamId}`, en: `Team: ${t?.name ?? a.teamId}` };
      }
      case 'user': {
        const u = await repo.user(tx, a.userId);
        return { zh: u?.name ?? `#${a.userId}`, en: u?.name ?? `#${a.userId}` };
      }
      case 'shift_leader':
        return { zh: '当班班长', en: 'Shift leader on duty' };
      case 'shift_team':
        return { zh: '当班班组', en: 'Team on duty' };
      case 'on_call':
        return { zh: '当班值守人', en: 'On-call person' };
    }
  }

  /** Only people who may check steps off at the plan's place are assigned (a post spans workshops). */
  async function mayRespond(tx: Db, userIds: number[], path: string) {
    const out: number[] = [];
    for (const id of [...new Set(userIds)]) {
      const grants = await grantsOf(tx, id);
      if (can({ grants } as Parameters<typeof can>[0], 'emergency.respond', path)) out.push(id);
    }
    return out;
  }

  async function resolveAssignee(tx: Db, a: EmergencyAssignee, path: string, at: Date) {
    let ids: number[] = [];
    switch (a.type) {
      case 'role': {
        const r = await repo.roleByCode(tx, a.roleCode);
        ids = r ? await holdersOfRoleAt(tx, r.id, path) : [];
        break;
      }
      case 'post':
        ids = (await activePeople(tx, { postId: a.postId })).map((u) => Number(u.id));
        break;
      case 'team':
        ids = (await activePeople(tx, { teamId: a.teamId })).map((u) => Number(u.id));
        break;
      case 'user':
        ids = [a.userId];
        break;
      default: {
        const duty = await org.onDutyAt(path, at, tx);
        if (!duty) break;
        if (a.type === 'shift_leader') ids = duty.leaderId ? [duty.leaderId] : [];
        else if (a.type === 'shift_team') ids = duty.memberIds;
        else ids = duty.onCallUserId ? [duty.onCallUserId] : [];
      }
    }
    return repo.people(tx, await mayRespond(tx, ids, path));
  }

  async function checkAssignee(tx: Db, a: EmergencyAssignee, path: string, step: number) {
    const field = `steps.${step - 1}.assignee`;
    const bad = (message: string) => new AppError('validation_failed', message, { field });
    switch (a.type) {
      case 'role':
        if (!(await repo.roleByCode(tx, a.roleCode))) throw bad(`Step ${step}: no role ${a.roleCode}`);
        break;
      case 'post':
        if (!(await repo.post(tx, a.postId))) throw bad(`Step ${step}: no post ${a.postId}`);
        break;
      case 'team': {
        const t = await repo.team(tx, a.teamId);
        // a team of another workshop cannot be sent to this place
        if (!t || (t.path && !t.path.startsWith(path) && !path.startsWith(t.path)))
          throw bad(`Step ${step}: no team ${a.teamId} at this place`);
        break;
      }
      case 'user': {
        const u = await repo.user(tx, a.userId);
        if (!u?.active) throw bad(`Step ${step}: no active person ${a.userId}`);
        if (!(await mayRespond(tx, [u.id], path)).length)
          throw bad(`Step ${step}: ${u.name} may not respond to emergencies here (needs emergency.respond)`);
        break;
      }
      default:
    }
  }

  // -------------------------------------------------------------------------------------------
  // Plans

  async function presentPlans(tx: Db, plans: repo.PlanRow[]): Promise<EmergencyPlan[]> {
    const open = await repo.openRunsOf(
      tx,
      plans.map((p) => p.id),
    );
    const out: EmergencyPlan[] = [];
    for (const p of plans) {
      const labels: Label[] = [];
      for (const s of p.steps) labels.push(await assigneeLabel(tx, s.assignee));
      out.push({
        ...p,
        assigneeLabels: labels,
        openRuns: open.filter((r) => r.planId === p.id).map((r) => ({ id: r.id, mode: r.mode })),
      });
    }
    return out;
  }

  async function checkPlan(
    tx: Db,
    ctx: RequestContext,
    input: In<typeof UpdateEmergencyPlanSchema> | In<typeof CreateEmergencyPlanSchema>,
  ) {
    const node = await guard.require(
      tx,
      ctx,
      'emergency.manage',
      await repo.node(tx, input.nodeId),
      'plant node',
      input.nodeId,
    );
    for (const [i, s] of input.steps.entries()) await checkAssignee(tx, s.assignee, node.path, i + 1);
    for (const t of input.triggers) {
      // a trigger watches a subtree the editor may manage too (no plan listening to another workshop)
      await guard.require(tx, ctx, 'emergency.manage', await repo.node(tx, t.nodeId), 'plant node', t.nodeId);
      if (t.ruleId !== null) {
        const [r] = await tx.query<{ path: string }>(
          'SELECT n.path FROM alarm_rule r JOIN tag g ON g.id = r.tag_id JOIN plant_node n ON n.id = g.equipment_id WHERE r.id = $1',
          [t.ruleId],
        );
        const tp = (await repo.node(tx, t.nodeId))!.path;
        if (!r?.path.startsWith(tp))
          throw new AppError('validation_failed', `No alarm rule ${t.ruleId} under the trigger's place`, {
            field: 'triggers',
          });
      }
    }
    return node;
  }

  const writeOf = (
    code: string,
    input: Omit<In<typeof UpdateEmergencyPlanSchema>, 'reason'>,
  ): repo.PlanWrite => ({
    code,
    name: input.name,
    nodeId: input.nodeId,
    scenario: input.scenario,
    level: input.level,
    description: input.description,
    contacts: input.contacts,
    steps: input.steps,
    triggers: input.triggers,
    active: input.active,
  });

  // -------------------------------------------------------------------------------------------
  // Runs

  const factsOf = (steps: repo.StepRow[]): RunFacts => ({
    pending: steps
      .filter((s) => s.state === 'pending' && !s.overdueNotifiedAt)
      .map((s) => ({ seq: s.seq, dueAt: s.dueAt })),
    unfinished: steps.filter((s) => s.state === 'pending').map((s) => ({ seq: s.seq, title: s.title })),
  });

  const drillMark = (mode: EmergencyRunMode) =>
    mode === 'drill' ? { zh: '【演练】', en: '[DRILL] ' } : null;

  function runEvent(
    kind: NotifyEventInput['kind'],
    run: repo.RunRow,
    now: Date,
    what: Label,
    userIds: number[],
    priority: NotifyEventInput['priority'],
  ): NotifyEventInput {
    const mark = drillMark(run.mode);
    return {
      kind,
      at: now,
      priority,
      path: run.path,
      // one subject per run: emergency.closed stops every escalation the run started
      subject: `emergency-run:${run.id}`,
      payload: {
        title: {
          zh: `${mark?.zh ?? ''}${run.planName}（${run.location}）${what.zh}`,
          en: `${mark?.en ?? ''}${run.planName} (${run.location}) ${what.en}`,
        },
        alarmText: null,
        value: null,
        link: `/emergency/runs/${run.id}`,
        assignee: { userIds: [...new Set(userIds)] },
      },
    };
  }

  function isCommander(ctx: RequestContext, run: repo.RunRow) {
    return guard.can(ctx, 'emergency.activate', run.path);
  }

  function presentStep(
    ctx: RequestContext,
    run: repo.RunRow,
    s: repo.StepRow,
    all: repo.StepRow[],
    now: Date,
  ) {
    const me = ctx.actor?.userId ?? null;
    const earlierOpen = all.some((o) => o.seq < s.seq && o.state === 'pending');
    const assigned = me !== null && s.assignedTo.some((p) => p.id === me);
    const open = run.state === 'active' && s.state === 'pending' && !earlierOpen;
    const started = new Date(run.startedAt).getTime();
    const step: EmergencyRunStep = {
      seq: s.seq,
      title: s.title,
      instructions: s.instructions,
      assignee: s.assignee,
      assigneeLabel: s.assigneeLabel,
      assignedTo: s.assignedTo,
      timeLimitMin: s.timeLimitMin,
      requiresPhoto: s.requiresPhoto,
      dueAt: s.dueAt.toISOString(),
      state: s.state,
      doneAt: s.doneAt?.toISOString() ?? null,
      doneBy: s.doneBy,
      note: s.note,
      skipReason: s.skipReason,
      photoIds: s.photoIds,
      late:
        s.state === 'pending'
          ? s.dueAt < now && run.state === 'active'
          : s.state === 'done' && s.doneAt! > s.dueAt,
      overdueNotifiedAt: s.overdueNotifiedAt?.toISOString() ?? null,
      takenMin: s.doneAt ? Math.round((s.doneAt.getTime() - started) / 600) / 100 : null,
      canCheck:
        open && (isCommander(ctx, run) || (assigned && guard.can(ctx, 'emergency.respond', run.path))),
      canSkip: open && isCommander(ctx, run),
    };
    return step;
  }

  async function detail(tx: Db, ctx: RequestContext, run: repo.RunRow): Promise<EmergencyRunDetail> {
    const now = clock.now();
    const steps = await repo.steps(tx, run.id);
    const history = await workflow.history(tx, 'emergency_run', run.id);
    const { contacts, ...rest } = run;
    return {
      ...rest,
      trigger: run.trigger,
      contacts,
      steps: steps.map((s) => presentStep(ctx, run, s, steps, now)),
      history: history.map((h) => ({
        at: new Date(h.at).toISOString(),
        action: h.action,
        actor: h.actorName,
        reason: h.reason,
      })),
      canClose: run.state === 'active' && isCommander(ctx, run),
    };
  }

  /** Starts a run of the plan in the caller's transaction; null when one of this mode is open already. */
  async function start(
    tx: Db,
    ctx: RequestContext,
    plan: repo.PlanRow,
    mode: EmergencyRunMode,
    trigger: repo.RunTrigger,
    reason: string | null,
  ) {
    const now = clock.now();
    const open = (await repo.openRunsOf(tx, [plan.id])).find((r) => r.mode === mode);
    if (open) return { id: null, openId: open.id };
    const actor = actorOf(ctx);
    const code = await repo.nextRunCode(tx, Number(wallClock(now, timezone).day.slice(0, 4)), mode);
    const id = await repo.insertRun(tx, {
      code,
      plan,
      mode,
      startedAt: now,
      startedBy: actor.userId,
      startedByName: actor.userId === null ? null : nameOf(ctx),
      trigger,
      reason,
    });
    if (id === null) return { id: null, openId: (await repo.openRunsOf(tx, [plan.id]))[0]?.id ?? null };
    const dues = stepDeadlines(
      now,
      plan.steps.map((s) => s.timeLimitMin),
    );
    const rows: repo.StepRow[] = [];
    for (const [i, s] of plan.steps.entries()) {
      rows.push({
        seq: i + 1,
        title: s.title,
        instructions: s.instructions,
        assignee: s.assignee,
        assigneeLabel: await assigneeLabel(tx, s.assignee),
        assignedTo: await resolveAssignee(tx, s.assignee, plan.path, now),
        timeLimitMin: s.timeLimitMin,
        requiresPhoto: s.requiresPhoto,
        dueAt: dues[i]!,
        state: 'pending',
        doneAt: null,
        doneBy: null,
        note: '',
        skipReason: null,
        photoIds: [],
        overdueNotifiedAt: null,
      });
    }
    await repo.insertSteps(tx, id, rows);
    const run = (await repo.getRun(tx, id, now))!;
    const label = `${run.code} ${plan.name}${mode === 'drill' ? '（演练）' : ''}`;
    await workflow.begin(
      tx,
      ctx,
      runMachine,
      { id, path: run.path, record: factsOf(rows) },
      {
        reason,
        data: { mode, planId: plan.id, planVersion: plan.version, trigger },
        label,
      },
    );
    const everyone = rows.flatMap((r) => r.assignedTo.map((p) => p.id));
    const real = mode === 'real';
    const cause =
      trigger.kind === 'alarm'
        ? { zh: `由报警 ${trigger.tag} 自动启动`, en: `started by alarm ${trigger.tag}` }
        : { zh: `由 ${nameOf(ctx)} 启动`, en: `started by ${nameOf(ctx)}` };
    const events: NotifyEventInput[] = [
      runEvent(
        'emergency.activated',
        run,
        now,
        {
          zh: `${real ? '应急响应' : '应急演练'}启动（${plan.level}级，${EMERGENCY_SCENARIO_LABELS[plan.scenario].zh}），${cause.zh}`,
          en: `${real ? 'emergency response' : 'emergency drill'} started (level ${plan.level}, ${EMERGENCY_SCENARIO_LABELS[plan.scenario].en.toLowerCase()}), ${cause.en}`,
        },
        everyone,
        real ? 'critical' : 'medium',
      ),
    ];
    // one notice per person, naming all of their steps (a person may hold several)
    const byPerson = new Map<number, repo.StepRow[]>();
    for (const r of rows)
      for (const p of r.assignedTo) byPerson.set(p.id, [...(byPerson.get(p.id) ?? []), r]);
    for (const [userId, mine] of byPerson) {
      events.push(
        runEvent(
          'emergency.step_assigned',
          run,
          now,
          {
            zh: `由你负责：${mine.map((r) => `第 ${r.seq} 步「${r.title}」${hhmm(r.dueAt)} 前`).join('；')}`,
            en: `yours: ${mine.map((r) => `step ${r.seq} "${r.title}" due ${hhmm(r.dueAt)}`).join('; ')}`,
          },
          [userId],
          real ? 'high' : 'low',
        ),
      );
    }
    await notify.publish(tx, events);
    return { id, openId: null };
  }

  async function loadRunLocked(tx: Db, ctx: RequestContext, id: number) {
    return guard.readable(
      ctx,
      'emergency.read',
      await repo.getRun(tx, id, clock.now(), true),
      'emergency run',
      id,
    );
  }

  async function finish(
    ctx: RequestContext,
    id: number,
    seq: number,
    f: { kind: 'done'; note: string; photoIds: number[] } | { kind: 'skipped'; reason: string },
  ) {
    const out = await db.transaction(async (tx) => {
      const now = clock.now();
      const run = await loadRunLocked(tx, ctx, id);
      const steps = await repo.steps(tx, id);
      const step = steps.find((s) => s.seq === seq);
      if (!step) throw new AppError('not_found', `Run ${run.code} has no step ${seq}`);
      const me = actorOf(ctx).userId;
      const commander = isCommander(ctx, run);
      if (f.kind === 'skipped') {
        await guard.require(tx, ctx, 'emergency.activate', run, 'emergency run', id);
      } else if (!commander) {
        await guard.require(tx, ctx, 'emergency.respond', run, 'emergency run', id);
        if (me === null || !step.assignedTo.some((p) => p.id === me))
          throw new AppError(
            'forbidden',
            `Step ${seq} "${step.title}" is assigned to ${step.assignedTo.map((p) => p.name).join(', ') || step.assigneeLabel.en}; only they or the incident commander may check it off`,
            { assignedTo: step.assignedTo.map((p) => p.id) },
          );
      }
      if (run.state !== 'active')
        throw new AppError('transition_refused', `Run ${run.code} is closed`, { state: run.state });
      if (step.state !== 'pending')
        throw new AppError('transition_refused', `Step ${seq} "${step.title}" is already ${step.state}`, {
          state: step.state,
        });
      const before = steps.find((s) => s.seq < seq && s.state === 'pending');
      if (before)
        throw new AppError(
          'transition_refused',
          `Step ${before.seq} "${before.title}" comes first: check it off or skip it with a reason`,
          { pendingStep: before.seq },
        );
      let photoIds: number[] = [];
      if (f.kind === 'done') {
        photoIds = [...new Set(f.photoIds)];
        if (step.requiresPhoto && !photoIds.length)
          throw new AppError('validation_failed', `Step ${seq} "${step.title}" needs a photo`, {
            field: 'photoIds',
          });
        if (photoIds.length) {
          const found = deps.evidence ? await deps.evidence.byIds(tx, photoIds) : [];
          const mine = new Set(
            found.filter((p) => p.ownerKind === 'emergency_run' && p.ownerId === id).map((p) => p.id),
          );
          const missing = photoIds.filter((p) => !mine.has(p));
          if (missing.length)
            throw new AppError(
              'validation_failed',
              `Photos ${missing.join(', ')} are not photos of this run`,
              {
                field: 'photoIds',
                missing,
              },
            );
        }
      }
      await repo.finishStep(tx, id, seq, {
        state: f.kind,
        at: now,
        by: me,
        byName: nameOf(ctx),
        note: f.kind === 'done' ? f.note : '',
        skipReason: f.kind === 'skipped' ? f.reason : null,
        photoIds,
      });
      const late = now > step.dueAt;
      await audit.append(tx, ctx, {
        action: f.kind === 'done' ? 'emergency_run.step_done' : 'emergency_run.step_skipped',
        targetType: 'emergency_run',
        targetId: id,
        nodeId: run.nodeId,
        reason: f.kind === 'skipped' ? f.reason : null,
        after: {
          step: seq,
          title: step.title,
          late,
          ...(f.kind === 'done' ? { note: f.note, photoIds } : {}),
        },
        targetLabel: `${run.code} ${run.planName}`,
      });
      const after = await repo.steps(tx, id);
      await workflow.setTimers(tx, 'emergency_run', id, runMachine.timers!('active', factsOf(after), now));
      return detail(tx, ctx, (await repo.getRun(tx, id, now))!);
    });
    return out;
  }

  async function onTimer(tx: Db, timer: DueTimer, now: Date) {
    const seq = Number(timer.payload.seq);
    const run = await repo.getRun(tx, timer.recordId, now, true);
    if (run?.state !== 'active') return;
    const step = (await repo.steps(tx, run.id)).find((s) => s.seq === seq);
    if (step?.state !== 'pending' || step.overdueNotifiedAt) return;
    await repo.markOverdue(tx, run.id, seq, now);
    await audit.append(tx, SYSTEM, {
      action: 'emergency_run.step_overdue',
      targetType: 'emergency_run',
      targetId: run.id,
      nodeId: run.nodeId,
      after: { step: seq, title: step.title, dueAt: step.dueAt.toISOString() },
      targetLabel: `${run.code} ${run.planName}`,
    });
    const who = step.assignedTo.map((p) => p.name).join('、') || step.assigneeLabel.zh;
    await notify.publish(tx, [
      runEvent(
        'emergency.step_overdue',
        run,
        now,
        {
          zh: `第 ${seq} 步「${step.title}」超时未完成（限 ${step.timeLimitMin} 分钟，应于 ${hhmm(step.dueAt)} 前，负责人 ${who}）`,
          en: `step ${seq} "${step.title}" overdue (limit ${step.timeLimitMin} min, due ${hhmm(step.dueAt)}, ${step.assignedTo.map((p) => p.name).join(', ') || step.assigneeLabel.en})`,
        },
        step.assignedTo.map((p) => p.id),
        run.mode === 'real' ? 'high' : 'medium',
      ),
    ]);
    notify.wake();
  }
  workflow.onTimer('emergency_run', onTimer);

  // Photos of a run: readable with it; added while it is active by those assigned a pending step
  // or by the incident commander, taken after the run started.
  deps.evidence?.registerOwner('emergency_run', {
    async readable(ctx, ownerId, tx) {
      const r = await repo.getRun(tx, ownerId, clock.now());
      return r && guard.can(ctx, 'emergency.read', r.path) ? { path: r.path } : null;
    },
    async attachable(ctx, ownerId, tx) {
      const now = clock.now();
      const me = actorOf(ctx).userId;
      const r = guard.readable(
        ctx,
        'emergency.read',
        await repo.getRun(tx, ownerId, now),
        'emergency run',
        ownerId,
      );
      const steps = await repo.steps(tx, ownerId);
      const assigned =
        me !== null && steps.some((s) => s.state === 'pending' && s.assignedTo.some((p) => p.id === me));
      if (
        r.state !== 'active' ||
        !(isCommander(ctx, r) || (assigned && guard.can(ctx, 'emergency.respond', r.path)))
      )
        throw new AppError(
          'evidence_refused',
          r.state !== 'active'
            ? `Run ${r.code} is closed: no more photos`
            : `Photos are added to run ${r.code} by the people assigned its open steps or the incident commander`,
          { state: r.state },
        );
      return {
        path: r.path,
        scopeKey: `emergency-run:${r.id}`,
        window: { from: new Date(r.startedAt), to: new Date(now.getTime() + 10 * 60_000) },
      };
    },
  });

  /** Alarm activations → plans whose trigger matches; each plan once while its run is open. */
  async function activateFromAlarms(events: PlacedEvent[]) {
    const plans = await repo.triggeredPlans(db);
    if (!plans.length) return;
    const triggerPaths = await repo.nodePaths(
      db,
      plans.flatMap((p) => p.triggers.map((t) => t.nodeId)),
    );
    for (const plan of plans) {
      const hit = events.find((e) =>
        plan.triggers.some((t) => {
          const tp = triggerPaths.get(t.nodeId);
          return (
            tp !== undefined &&
            e.place.path.startsWith(tp) &&
            atLeast(e.event.priority, t.minPriority) &&
            tagMatches(t.tagPattern, e.event.tag) &&
            (t.ruleId === null || t.ruleId === e.place.ruleId)
          );
        }),
      );
      if (!hit) continue;
      const started = await db.transaction(async (tx) => {
        const locked = await repo.getPlan(tx, plan.id, true);
        if (!locked?.active) return null;
        return start(
          tx,
          SYSTEM,
          locked,
          'real',
          {
            kind: 'alarm',
            alarmKey: hit.event.key,
            tag: hit.event.tag,
            priority: hit.event.priority,
            message: hit.event.message,
          },
          `报警触发 alarm: ${hit.event.tag} ${hit.event.message}`.slice(0, 500),
        );
      });
      if (started?.id) {
        notify.wake();
        log?.warn(
          { planId: plan.id, runId: started.id, alarm: hit.event.key },
          'emergency plan activated by an alarm',
        );
      }
    }
  }

  const service = {
    machine: runMachine,

    setLogger(l: FastifyBaseLogger) {
      log = l;
    },

    /** After alarm transitions committed: an alarm matching a plan's trigger activates the plan. Never throws. */
    onAlarmEvents(events: PlacedEvent[]): void {
      const raised = events.filter(
        // a suppressed or shelved alarm (not annunciated: equipment under maintenance) starts nothing
        (e) =>
          e.event.type === 'activated' &&
          e.event.annunciated &&
          (e.event.priority === 'critical' || e.event.priority === 'high'),
      );
      if (!raised.length) return;
      alarmChain = alarmChain
        .then(() => activateFromAlarms(raised))
        .catch((err) => {
          (log ?? console).error({ err }, 'emergency activation from an alarm failed');
        });
    },

    /** Resolves when the alarm activations queued so far are done (a barrier for tests). */
    settled(): Promise<void> {
      return alarmChain;
    },

    async listPlans(ctx: RequestContext, q: In<typeof EmergencyPlanListQuerySchema>) {
      const plans = await repo.listPlans(db, guard.scope(ctx, 'emergency.read'), {
        nodeId: q.nodeId,
        scenario: q.scenario,
        active: q.active === undefined ? undefined : q.active === 'true',
      });
      return presentPlans(db, plans);
    },

    async getPlan(ctx: RequestContext, id: number) {
      const p = guard.readable(ctx, 'emergency.read', await repo.getPlan(db, id), 'emergency plan', id);
      return (await presentPlans(db, [p]))[0]!;
    },

    async planVersions(ctx: RequestContext, id: number) {
      guard.readable(ctx, 'emergency.read', await repo.getPlan(db, id), 'emergency plan', id);
      return repo.versions(db, id);
    },

    async createPlan(ctx: RequestContext, input: In<typeof CreateEmergencyPlanSchema>) {
      return db.transaction(async (tx) => {
        await checkPlan(tx, ctx, input);
        const now = clock.now();
        const w = writeOf(input.code, input);
        const id = await repo.insertPlan(tx, w, now, nameOf(ctx));
        if (id === null)
          throw new AppError('conflict', `A plan with the code ${input.code} exists`, { field: 'code' });
        await repo.insertVersion(tx, {
          planId: id,
          version: 1,
          snapshot: w,
          at: now,
          by: nameOf(ctx),
          reason: input.reason ?? null,
        });
        await audit.append(tx, ctx, {
          action: 'emergency_plan.create',
          targetType: 'emergency_plan',
          targetId: id,
          nodeId: input.nodeId,
          reason: input.reason ?? null,
          after: { ...w, version: 1 },
          targetLabel: `${input.code} ${input.name}`,
        });
        return (await presentPlans(tx, [(await repo.getPlan(tx, id))!]))[0]!;
      });
    },

    /** A new version of the plan (runs keep the version they copied); the reason is kept. */
    async updatePlan(ctx: RequestContext, id: number, input: In<typeof UpdateEmergencyPlanSchema>) {
      return db.transaction(async (tx) => {
        const old = await guard.require(
          tx,
          ctx,
          'emergency.manage',
          await repo.getPlan(tx, id, true),
          'emergency plan',
          id,
        );
        await checkPlan(tx, ctx, input);
        const now = clock.now();
        const w = writeOf(old.code, input);
        const version = await repo.updatePlan(tx, id, w, now, nameOf(ctx));
        await repo.insertVersion(tx, {
          planId: id,
          version,
          snapshot: w,
          at: now,
          by: nameOf(ctx),
          reason: input.reason,
        });
        const { id: _i, path: _p, location: _l, updatedAt: _u, updatedBy: _b, ...before } = old;
        await audit.append(tx, ctx, {
          action: 'emergency_plan.update',
          targetType: 'emergency_plan',
          targetId: id,
          nodeId: input.nodeId,
          reason: input.reason,
          before,
          after: { ...w, version },
          targetLabel: `${old.code} ${input.name}`,
        });
        return (await presentPlans(tx, [(await repo.getPlan(tx, id))!]))[0]!;
      });
    },

    /** 启动 / 演练 by hand: a real response or a drill of the plan, with the reason. */
    async activate(ctx: RequestContext, planId: number, mode: EmergencyRunMode, reason: string) {
      const out = await db.transaction(async (tx) => {
        const plan = await guard.require(
          tx,
          ctx,
          'emergency.activate',
          await repo.getPlan(tx, planId, true),
          'emergency plan',
          planId,
        );
        if (!plan.active)
          throw new AppError('transition_refused', `Plan ${plan.code} is not in force (inactive)`, {
            active: false,
          });
        const r = await start(tx, ctx, plan, mode, { kind: 'manual' }, reason);
        if (r.id === null) {
          const open = r.openId ? await repo.getRun(tx, r.openId, clock.now()) : null;
          throw new AppError(
            'conflict',
            `Plan ${plan.code} already has an open ${mode === 'drill' ? 'drill' : 'response'}${open ? ` (${open.code})` : ''}: close it first`,
            { runId: r.openId },
          );
        }
        return detail(tx, ctx, (await repo.getRun(tx, r.id, clock.now()))!);
      });
      notify.wake();
      return out;
    },

    async listRuns(ctx: RequestContext, q: In<typeof EmergencyRunListQuerySchema>) {
      const page = await repo.listRuns(db, guard.scope(ctx, 'emergency.read'), q, clock.now());
      return { total: page.total, items: page.items.map(({ contacts: _c, ...r }) => r) };
    },

    async getRun(ctx: RequestContext, id: number) {
      const r = guard.readable(
        ctx,
        'emergency.read',
        await repo.getRun(db, id, clock.now()),
        'emergency run',
        id,
      );
      return detail(db, ctx, r);
    },

    checkStep(ctx: RequestContext, id: number, seq: number, body: In<typeof EmergencyStepDoneSchema>) {
      return finish(ctx, id, seq, { kind: 'done', note: body.note, photoIds: body.photoIds });
    },

    skipStep(ctx: RequestContext, id: number, seq: number, reason: string) {
      return finish(ctx, id, seq, { kind: 'skipped', reason });
    },

    /** Ends the response (or drill): every step done or skipped; the summary is kept; escalations stop. */
    async close(ctx: RequestContext, id: number, body: In<typeof CloseEmergencyRunSchema>) {
      const out = await db.transaction(async (tx) => {
        const now = clock.now();
        const run = await loadRunLocked(tx, ctx, id);
        const steps = await repo.steps(tx, id);
        await workflow.apply(
          tx,
          ctx,
          runMachine,
          { id, path: run.path, state: run.state, record: factsOf(steps) },
          'close',
          { data: { summary: body.summary }, label: `${run.code} ${run.planName}` },
        );
        await repo.closeRun(tx, id, {
          at: now,
          by: actorOf(ctx).userId,
          byName: nameOf(ctx),
          summary: body.summary,
        });
        const closed = (await repo.getRun(tx, id, now))!;
        await notify.publish(tx, [
          runEvent(
            'emergency.closed',
            closed,
            now,
            {
              zh: `${run.mode === 'drill' ? '演练' : '应急响应'}结束`,
              en: `${run.mode === 'drill' ? 'drill' : 'response'} closed`,
            },
            steps.flatMap((s) => s.assignedTo.map((p) => p.id)),
            run.mode === 'real' ? 'high' : 'low',
          ),
        ]);
        return detail(tx, ctx, closed);
      });
      notify.wake();
      return out;
    },

    /** The run with its steps for the drill report (PDF, XLSX). */
    async report(ctx: RequestContext, id: number) {
      const r = guard.readable(
        ctx,
        'emergency.read',
        await repo.getRun(db, id, clock.now()),
        'emergency run',
        id,
      );
      return { run: await detail(db, ctx, r), now: clock.now() };
    },

    /** Demo history only: moves a finished run's times into the past (the seeded drill). */
    async backdate(
      runId: number,
      startedAt: Date,
      closedAt: Date | null,
      steps: { seq: number; doneAt: Date | null }[],
    ) {
      await db.transaction(async (tx) => {
        const run = (await repo.getRun(tx, runId, clock.now(), true))!;
        const rows = await repo.steps(tx, runId);
        const dues = stepDeadlines(
          startedAt,
          rows.map((s) => s.timeLimitMin),
        );
        await repo.shiftRun(tx, run.id, startedAt, closedAt);
        for (const s of rows) {
          const d = steps.find((x) => x.seq === s.seq);
          await repo.shiftStep(tx, runId, s.seq, dues[s.seq - 1]!, d?.doneAt ?? s.doneAt);
        }
      });
    },
  };
  return service;
}

export type EmergencyService = ReturnType<typeof createEmergencyService>;
