import {
  type GasTagCandidate,
  PERMIT_APPROVAL_LEVEL_LABELS,
  PERMIT_APPROVAL_LEVEL_ROLES,
  PERMIT_FORM_TITLES,
  PERMIT_STATE_LABELS,
  PERMIT_SUSPEND_CAUSE_LABELS,
  PERMIT_TERMINAL_STATES,
  PERMIT_TYPE_ABBREVIATIONS,
  PERMIT_TYPE_GRADES,
  PERMIT_TYPE_LABELS,
  type PermitAction,
  type PermitApproval,
  type PermitApprovalLevel,
  type PermitBoard,
  type PermitConflict,
  type PermitDetail,
  type PermitDraftParsed,
  type PermitGas,
  type PermitGrade,
  type PermitLiveValue,
  type PermitPreview,
  type PermitReadingInput,
  type PermitRule,
  type PermitRules,
  type PermitState,
  type PermitSuspendCause,
  type PermitType,
  type Permit as PermitView,
  type SignInput,
} from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { type AccessGuard, grantsOf } from '../access/index.js';
import type { PlacedEvent } from '../alarms/index.js';
import type { AuditService } from '../audit/index.js';
import type { NotifyEventInput } from '../notify/index.js';
import { wallClock } from '../org/index.js';
import type { Signature, SignatureService, SignProof } from '../signature/index.js';
import type { Directory } from '../tags/index.js';
import { currentOf } from '../timeseries/index.js';
import type { DueTimer, TimerHandler, TransitionRecord, WorkflowService } from '../workflow/index.js';
import { createPermitArchive } from './archive.js';
import { type PermitFacts, type PermitTransition, permitMachine, permitTimers } from './machine.js';
import { createPermitMonitor, isRecordGasKey } from './monitor.js';
import * as repo from './repo.js';
import {
  type AnalysisFacts,
  checkWindow,
  conflictBetween,
  gradeOf,
  guessGas,
  judgeAnalysis,
  judgeLive,
  NEEDS_CERTIFICATE,
  NIGHT,
  peopleConflict,
  ReadingError,
  raiseReasons,
  resumeNeedsAnalysis,
  unitOfTag,
  windowsOverlap,
} from './rules.js';
import { createPermitVerifier } from './verify.js';

type Words = { zh: string; en: string };
type Rec = repo.PermitRec;

/** Words for people in one message: Chinese first. */
const say = (w: Words) => `${w.zh} · ${w.en}`;
const refuse = (
  code: ConstructorParameters<typeof AppError>[0],
  w: Words,
  details?: Record<string, unknown>,
) => new AppError(code, say(w), { ...details, zh: w.zh, en: w.en });

const TERMINAL = new Set<PermitState>(PERMIT_TERMINAL_STATES);

export interface PermitDeps {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  timezone: string;
  workflow: WorkflowService;
  signatures: SignatureService;
  notify: { publish(tx: Db, events: NotifyEventInput[]): Promise<void>; wake(): void };
  directory: Directory;
  /** A high or critical alarm active in the area keeps a permit from starting or resuming. */
  alarms: {
    activeUnder(
      tx: Db,
      path: string,
      priorities: readonly string[],
    ): Promise<Array<{ tag: string; message: string; priority: string }>>;
  };
  // wired in services.ts, not needed by the core (kept for the monitor and the PDF)
  [other: string]: unknown;
}

/** The permit's frozen content plus the signed facts up to a signature: what a signature hashes. */
export interface PermitContentFacts {
  analyses: {
    id: number;
    takenAt: string;
    samplePoint: string;
    analystId: number | null;
    verdict: string;
    readings: PermitReadingInput[];
  }[];
  confirmations: { code: string; by: number }[];
  approvals: { seq: number; level: string; approverId: number; opinion: string }[];
}

export function createPermitService(deps: PermitDeps) {
  const { db, audit, guard, clock, timezone, workflow, signatures, notify, directory } = deps;
  const SYSTEM = systemContext('permit');
  let log: FastifyBaseLogger | null = null;
  /** The monitor (monitor.ts) hands in the record_gas timer handler and the alarm/live watch. */
  const hooks: {
    recordGas: TimerHandler | null;
    onAlarmEvents: ((events: PlacedEvent[]) => void) | null;
    watchLive: (() => Promise<void>) | null;
  } = { recordGas: null, onAlarmEvents: null, watchLive: null };

  const actorOf = (ctx: RequestContext) => {
    if (!ctx.actor?.userId) throw new AppError('unauthenticated', 'Sign in as a person first');
    return { ...ctx.actor, userId: ctx.actor.userId };
  };
  const local = (d: Date) => {
    const w = wallClock(d, timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };

  async function gasMap(tx: Db) {
    return new Map((await repo.gases(tx)).map((g) => [g.code, g] as [string, PermitGas]));
  }
  async function ruleOf(tx: Db, type: PermitType, grade: PermitGrade): Promise<PermitRule> {
    const r = await repo.rule(tx, type, grade);
    if (!r)
      throw new AppError('validation_failed', `No permit rule for ${type} ${grade}`, { field: 'grade' });
    return r;
  }
  const analysisFacts = (p: { type: PermitType; fields: PermitDraftParsed['fields'] }): AnalysisFacts => ({
    type: p.type,
    oxygenEnriched: p.fields.type === 'confined_space' && p.fields.oxygenEnriched,
  });

  async function factsOf(tx: Db, p: Rec): Promise<PermitFacts> {
    const [rule, analyses, approvals] = await Promise.all([
      repo.rule(tx, p.type, p.effectiveGrade),
      repo.analyses(tx, p.id),
      repo.approvals(tx, p.id),
    ]);
    return {
      applicantId: p.applicantId,
      personInChargeId: p.personInChargeId,
      watcherId: p.watcherId,
      brieferId: p.brieferId,
      acceptorId: p.acceptorId,
      analystId: p.analystId,
      workerUserIds: p.workers.map((w) => w.userId).filter((x): x is number => x !== null),
      analystIds: analyses.map((a) => a.analystId).filter((x): x is number => x !== null),
      approverIds: approvals.map((a) => a.approverId).filter((x): x is number => x !== null),
      validTo: p.validTo,
      continuousMonitoring: rule?.continuousMonitoring ?? false,
      liveRecordEveryMin: rule?.liveRecordEveryMin ?? 120,
    };
  }

  // ─── Signature content ──────────────────────────────────────────────────────────────────────

  const frozen = (p: Rec) => ({
    code: p.code,
    type: p.type,
    requestedGrade: p.requestedGrade,
    effectiveGrade: p.effectiveGrade,
    raiseReasons: p.raiseReasons,
    title: p.title,
    nodeId: p.nodeId,
    areaId: p.areaId,
    equipmentIds: p.equipmentIds,
    validFrom: p.validFrom.toISOString(),
    validTo: p.validTo.toISOString(),
    applicantUnit: p.applicantUnit,
    applicantId: p.applicantId,
    personInChargeId: p.personInChargeId,
    analystId: p.analystId,
    watcherId: p.watcherId,
    brieferId: p.brieferId,
    acceptorId: p.acceptorId,
    workers: p.workers,
    riskIdentification: p.riskIdentification,
    measures: p.measures.map((m) => ({ code: m.code, text: m.text, applies: m.applies })),
    windLevel: p.windLevel,
    fields: p.fields,
    linkedPermitIds: p.linkedPermitIds,
    gasTags: p.gasTags,
    supersedesId: p.supersedesId,
  });

  /** The signed facts recorded with signatures up to `upTo` (inclusive), oldest first. */
  async function signedFacts(tx: Db, id: number, upTo: number): Promise<PermitContentFacts> {
    const [analyses, confirmations, approvals] = await Promise.all([
      repo.analyses(tx, id),
      repo.confirmations(tx, id),
      repo.approvals(tx, id),
    ]);
    const within = (s: number | null) => s !== null && s <= upTo;
    return {
      analyses: analyses
        .filter((a) => a.source === 'manual' && within(a.signatureId))
        .map((a) => ({
          id: a.id,
          takenAt: a.takenAt,
          samplePoint: a.samplePoint,
          analystId: a.analystId,
          verdict: a.verdict,
          readings: a.readings.map((r) => ({ gas: r.gas, value: r.value, unit: r.unit })),
        })),
      confirmations: confirmations
        .filter((c) => within(c.signatureId))
        .map((c) => ({ code: c.code, by: c.by.id })),
      approvals: approvals
        .filter((a) => within(a.signatureId) && a.approverId !== null)
        .map((a) => ({ seq: a.seq, level: a.level, approverId: a.approverId!, opinion: a.opinion })),
    };
  }

  /**
   * What a permit signature hashes: the frozen content plus the facts signed up to (and with) that
   * signature — measure confirmations, manual analyses, approvals — so a later change of any of
   * them in the database shows "changed after signing". Deterministic (ordered by id).
   */
  async function permitContent(tx: Db, id: number, upToSignatureId = Number.MAX_SAFE_INTEGER) {
    const p = await repo.get(tx, id);
    if (!p) throw new AppError('not_found', `Permit ${id} not found`);
    return { permit: frozen(p), facts: await signedFacts(tx, id, upToSignatureId) };
  }

  /** Signs with the facts as they will be once the new ones (stored with this signature) are in. */
  async function signNow(
    tx: Db,
    ctx: RequestContext,
    proof: SignProof,
    p: Rec,
    meaning: Parameters<SignatureService['sign']>[3]['meaning'],
    extra: Partial<PermitContentFacts> = {},
  ): Promise<Signature> {
    const base = await permitContent(tx, p.id);
    const content = {
      permit: base.permit,
      facts: {
        analyses: [...base.facts.analyses, ...(extra.analyses ?? [])],
        confirmations: [...base.facts.confirmations, ...(extra.confirmations ?? [])],
        approvals: [...base.facts.approvals, ...(extra.approvals ?? [])],
      },
    };
    return signatures.sign(tx, ctx, proof, {
      recordKind: 'permit',
      recordId: p.id,
      meaning,
      content,
      nodeId: p.nodeId,
    });
  }

  // ─── Notifications ──────────────────────────────────────────────────────────────────────────

  async function peopleOn(tx: Db, p: Rec) {
    const [analyses, approvals] = await Promise.all([repo.analyses(tx, p.id), repo.approvals(tx, p.id)]);
    const ids = new Set<number>([p.applicantId, p.personInChargeId, p.watcherId]);
    for (const w of p.workers) if (w.userId) ids.add(w.userId);
    for (const a of approvals) if (a.approverId) ids.add(a.approverId);
    for (const a of analyses) if (a.analystId) ids.add(a.analystId);
    if (p.analystId) ids.add(p.analystId);
    return [...ids];
  }

  function event(
    kind: NotifyEventInput['kind'],
    p: Rec,
    stage: string,
    what: Words,
    userIds: number[],
    priority: 'medium' | 'high' = 'medium',
  ): NotifyEventInput {
    return {
      kind,
      at: clock.now(),
      priority,
      path: p.path,
      subject: `permit:${p.id}:${stage}`,
      payload: {
        title: {
          zh: `${p.code} ${PERMIT_TYPE_LABELS[p.type].zh}（${p.location}）${what.zh}`,
          en: `${p.code} ${PERMIT_TYPE_LABELS[p.type].en} (${p.location}) ${what.en}`,
        },
        alarmText: null,
        value: null,
        link: `/permits/${p.id}`,
        assignee: { userIds: [...new Set(userIds)] },
      },
    };
  }

  // ─── Approval levels ────────────────────────────────────────────────────────────────────────

  /** People who may approve this level now: the level's role at the place, permit.approve there, no duty conflict. */
  async function eligibleFor(tx: Db, p: Rec, level: PermitApprovalLevel, facts: PermitFacts) {
    const holders = await repo.holdersOfRoleAt(tx, PERMIT_APPROVAL_LEVEL_ROLES[level], p.path);
    const out: { id: number; name: string }[] = [];
    for (const h of holders) {
      if (!(await holdsAt(tx, h.id, 'permit.approve', p.path))) continue;
      if (approverRefusal(h.id, facts)) continue;
      out.push(h);
    }
    return out;
  }
  async function holdsAt(tx: Db, userId: number, permission: string, path: string) {
    const grants = await grantsOf(tx, userId);
    return grants.some(
      (g) =>
        (g.permission === '*' || g.permission === permission) && (g.path === null || path.startsWith(g.path)),
    );
  }
  function approverRefusal(userId: number, f: PermitFacts) {
    const input = { record: f, actorId: userId, now: clock.now(), data: {}, history: [] };
    return (
      permitMachine.transitions.approve.guard?.(input) ?? (f.approverIds.includes(userId) ? 'again' : null)
    );
  }

  async function levelsFor(
    tx: Db,
    p: Rec,
    rule: PermitRule,
    conflicts: PermitConflict[],
  ): Promise<{ level: PermitApprovalLevel; addedFor: string | null }[]> {
    const levels: { level: PermitApprovalLevel; addedFor: string | null }[] = rule.approvals.map((level) => ({
      level,
      addedFor: null,
    }));
    for (const c of conflicts)
      if (c.decision === 'needs_approval' && c.addsLevel && !levels.some((l) => l.level === c.addsLevel))
        levels.push({ level: c.addsLevel, addedFor: `${c.code}: ${c.reason.zh}` });
    void tx;
    void p;
    // the order of the standard: unit first, the chief engineer last
    const order: PermitApprovalLevel[] = ['unit', 'safety_department', 'plant_leadership', 'chief_engineer'];
    return levels.sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  }

  // ─── Content validation ─────────────────────────────────────────────────────────────────────

  async function conflictsOf(
    tx: Db,
    p: Pick<Rec, 'id' | 'type' | 'equipmentIds' | 'linkedPermitIds' | 'validFrom' | 'validTo'>,
    areaId: number | null,
  ) {
    if (areaId === null) return [];
    const others = await repo.overlapping(tx, areaId, p.validFrom, p.validTo, p.id);
    const out: PermitConflict[] = [];
    for (const o of others) {
      if (!windowsOverlap({ from: p.validFrom, to: p.validTo }, { from: o.validFrom, to: o.validTo }))
        continue;
      const c = conflictBetween(
        { id: p.id, type: p.type, equipmentIds: p.equipmentIds, linkedIds: p.linkedPermitIds },
        { id: o.id, type: o.type, equipmentIds: o.equipmentIds, linkedIds: o.linkedPermitIds },
      );
      if (c.decision === 'allowed') continue;
      out.push({ permitId: o.id, code: o.code, type: o.type, state: o.state, ...c });
    }
    return out;
  }

  /** A draft body checked against the caller's scope and the plant: every record it names. */
  async function contentFrom(
    tx: Db,
    ctx: RequestContext,
    b: PermitDraftParsed,
    applicantId: number,
    supersedesId: number | null,
  ): Promise<{ content: repo.PermitContent; node: repo.NodeRec }> {
    const node = await guard.require(
      tx,
      ctx,
      'permit.request',
      await repo.node(tx, b.locationId),
      'plant node',
      b.locationId,
    );
    const area = await repo.areaOf(tx, node.id);
    const scopePath = area?.path ?? node.path;
    for (const e of b.equipmentIds) {
      const eq = await guard.require(tx, ctx, 'permit.read', await repo.node(tx, e), 'plant node', e);
      if (!eq.path.startsWith(scopePath))
        throw refuse(
          'validation_failed',
          { zh: `设备 ${eq.name} 不在作业区域内`, en: `Equipment ${eq.name} is not in the work area` },
          { field: 'equipmentIds' },
        );
    }
    const named: [string, number | null, string | null][] = [
      ['personInChargeId', b.personInChargeId, 'permit.read'],
      ['watcherId', b.watcherId, 'permit.supervise'],
      ['brieferId', b.brieferId, 'permit.read'],
      ['acceptorId', b.acceptorId, 'permit.supervise'],
      ['analystId', b.analystId, 'permit.analyze'],
      ...b.workers.map((w, i): [string, number | null, string | null] => [
        `workers.${i}.userId`,
        w.userId,
        null,
      ]),
    ];
    const people = await repo.people(
      tx,
      named.map((n) => n[1]).filter((x): x is number => x !== null),
    );
    for (const [field, id, permission] of named) {
      if (id === null) continue;
      const u = people.get(id);
      if (!u?.active || u.kind !== 'person')
        throw refuse(
          'validation_failed',
          { zh: `没有在职人员 ${id}`, en: `No active person ${id}` },
          { field },
        );
      // a person named on the permit must be able to see it there (and do their part)
      if (!(await holdsAt(tx, id, permission ?? 'permit.read', node.path)))
        throw refuse(
          'validation_failed',
          {
            zh: `${u.name} 在该地点没有${permission === 'permit.supervise' ? '作业监护/验票' : permission === 'permit.analyze' ? '气体分析' : '作业票'}权限`,
            en: `${u.name} has no ${permission ?? 'permit.read'} at this place`,
          },
          { field, userId: id },
        );
    }
    const workerUserIds = b.workers.map((w) => w.userId).filter((x): x is number => x !== null);
    const sod = peopleConflict({ watcherId: b.watcherId, workerUserIds });
    if (sod) throw refuse('separation_of_duties', sod.words, { rule: sod.rule, field: 'watcherId' });
    const gases = await gasMap(tx);
    for (const [i, g] of b.gasTags.entries()) {
      const tag = directory.get(g.tagId);
      if (!tag || !guard.can(ctx, 'tag.read', tag.path))
        throw refuse(
          'not_found',
          { zh: `位号 ${g.tagId} 不存在`, en: `Tag ${g.tagId} not found` },
          { field: `gasTags.${i}.tagId` },
        );
      if (!tag.path.startsWith(scopePath))
        throw refuse(
          'validation_failed',
          { zh: `位号 ${tag.code} 不在作业区域内`, en: `Tag ${tag.code} is not in the work area` },
          { field: `gasTags.${i}.tagId` },
        );
      if (!gases.has(g.gas.toUpperCase()))
        throw refuse(
          'validation_failed',
          { zh: `未知气体 ${g.gas}`, en: `Unknown gas ${g.gas}` },
          { field: `gasTags.${i}.gas` },
        );
      if (!unitOfTag(tag.unit))
        throw refuse(
          'validation_failed',
          {
            zh: `位号 ${tag.code} 的单位 ${tag.unit} 不是气体浓度单位`,
            en: `Tag ${tag.code} (${tag.unit}) is not a gas concentration`,
          },
          { field: `gasTags.${i}.tagId` },
        );
    }
    const linked = new Set(b.linkedPermitIds);
    if (b.fields.type === 'temporary_power' && b.fields.servesPermitId) linked.add(b.fields.servesPermitId);
    for (const id of linked) {
      const other = guard.readable(ctx, 'permit.read', await repo.get(tx, id), 'permit', id);
      if (other.id === supersedesId) continue;
      void other;
    }
    const grade = gradeOf(b.type, b.grade, b.fields as { heightM?: number; loadT?: number }, []);
    const requested: PermitGrade =
      'error' in grade ? (b.grade ?? PERMIT_TYPE_GRADES[b.type][0]!) : grade.requested;
    return {
      node,
      content: {
        type: b.type,
        requestedGrade: requested,
        effectiveGrade: requested,
        raiseReasons: [],
        title: b.title,
        nodeId: node.id,
        areaId: area?.id ?? null,
        equipmentIds: b.equipmentIds,
        validFrom: new Date(b.validFrom),
        validTo: new Date(b.validTo),
        applicantUnit: b.applicantUnit,
        applicantId,
        personInChargeId: b.personInChargeId,
        analystId: b.analystId,
        watcherId: b.watcherId,
        brieferId: b.brieferId,
        acceptorId: b.acceptorId,
        workers: b.workers.map((w) => ({ name: w.name, userId: w.userId, certificateNo: w.certificateNo })),
        riskIdentification: b.riskIdentification,
        measures: b.measures,
        windLevel: b.windLevel,
        fields: b.fields,
        linkedPermitIds: [...linked],
        gasTags: b.gasTags.map((g) => ({ tagId: g.tagId, gas: g.gas.toUpperCase() })),
        supersedesId,
      },
    };
  }

  /** What submit computes and refuses: grade, rule, window, completeness, conflicts. */
  async function assess(tx: Db, p: Rec) {
    const now = clock.now();
    const problems: Words[] = [];
    const holidays = new Set((await repo.holidays(tx)).map((h) => h.date));
    const reasons = raiseReasons(
      { from: p.validFrom, to: p.validTo },
      { timezone, holidays, windLevel: p.windLevel },
    );
    const g = gradeOf(p.type, p.requestedGrade, p.fields as { heightM?: number; loadT?: number }, reasons);
    const grade = 'error' in g ? { requested: p.requestedGrade, effective: p.requestedGrade } : g;
    if ('error' in g) problems.push(g.error);
    const raised = grade.effective !== grade.requested ? reasons : [];
    const rule = await ruleOf(tx, p.type, grade.effective);
    let served: { from: Date; to: Date; code: string } | null = null;
    if (p.fields.type === 'temporary_power' && p.fields.servesPermitId) {
      const s = await repo.get(tx, p.fields.servesPermitId);
      if (s) served = { from: s.validFrom, to: s.validTo, code: s.code };
    }
    const win = checkWindow(rule, { from: p.validFrom, to: p.validTo }, { now, servedWindow: served });
    if (win) problems.push(win);
    if (!p.measures.length) problems.push({ zh: '请填写安全措施', en: 'List the safety measures' });
    const unanswered = p.measures.filter((m) => m.applies === null);
    if (unanswered.length)
      problems.push({
        zh: `安全措施 ${unanswered.map((m) => m.code).join('、')} 未回答是否涉及`,
        en: `Measures ${unanswered.map((m) => m.code).join(', ')} are not answered (applies yes/no)`,
      });
    if (!p.riskIdentification.length) problems.push({ zh: '请填写风险辨识结果', en: 'Identify the risks' });
    if (NEEDS_CERTIFICATE.includes(p.type)) {
      const missing = p.workers.filter((w) => !w.certificateNo.trim());
      if (missing.length)
        problems.push({
          zh: `作业人 ${missing.map((w) => w.name).join('、')} 未填写特种作业操作证号`,
          en: `Workers ${missing.map((w) => w.name).join(', ')} need their special work certificate number`,
        });
    }
    if (rule.continuousMonitoring && !p.gasTags.length)
      problems.push({
        zh: `${PERMIT_TYPE_LABELS[p.type].zh}须连续监测：请绑定至少一个在线气体位号`,
        en: `${PERMIT_TYPE_LABELS[p.type].en} needs continuous monitoring: bind at least one live gas tag`,
      });
    const conflicts = await conflictsOf(tx, p, p.areaId);
    return { grade, raised, rule, problems, conflicts };
  }

  // ─── Live values ────────────────────────────────────────────────────────────────────────────

  async function liveValues(tx: Db, p: Rec, gases?: Map<string, PermitGas>): Promise<PermitLiveValue[]> {
    if (!p.gasTags.length) return [];
    const table = gases ?? (await gasMap(tx));
    const rows = await currentOf(
      tx,
      p.gasTags.map((g) => g.tagId),
    );
    const byTag = new Map(rows.map((r) => [Number(r.tag_id), r]));
    return p.gasTags.map((g) => {
      const tag = directory.get(g.tagId);
      const row = byTag.get(g.tagId);
      const value = row && row.quality !== 2 && row.num !== null ? Number(row.num) : null;
      const j = tag ? judgeLive(table, g.gas, value, tag.unit, analysisFacts(p)) : null;
      return {
        tagId: g.tagId,
        gas: g.gas,
        tagCode: tag ? `${tag.equipmentCode}.${tag.code}` : String(g.tagId),
        tagName: tag?.nameZh ?? '',
        unit: tag?.unit ?? '',
        value,
        at: row ? new Date(Number(row.ms)).toISOString() : null,
        verdict: j?.verdict ?? null,
        reason: j?.reason ?? null,
      };
    });
  }

  /** The same alarms that suspend a running permit keep it from starting or resuming (monitor.ts). */
  async function areaAlarmRefusal(tx: Db, p: Rec): Promise<Words | null> {
    const active = await deps.alarms.activeUnder(tx, p.area?.path || p.path, ['critical', 'high']);
    if (!active.length) return null;
    const list = active.map((a) => `${a.tag} ${a.message}`).join('; ');
    return {
      zh: `作业区域内有未消除的高/紧急报警：${list}`,
      en: `High or critical alarms are active in the work area: ${list}`,
    };
  }

  function liveRefusal(values: PermitLiveValue[]): Words | null {
    const bad = values.filter((v) => v.verdict === 'fail');
    if (!bad.length) return null;
    return {
      zh: `在线气体超限：${bad.map((v) => `${v.tagCode} ${v.reason?.zh ?? ''}`).join('；')}`,
      en: `Live gas out of limits: ${bad.map((v) => `${v.tagCode} ${v.reason?.en ?? ''}`).join('; ')}`,
    };
  }

  // ─── Detail ─────────────────────────────────────────────────────────────────────────────────

  const person = (id: number, name: string | null | undefined) => ({ id, name: name ?? '' });

  function view(p: Rec): PermitView {
    return {
      id: p.id,
      code: p.code,
      type: p.type,
      state: p.state,
      requestedGrade: p.requestedGrade,
      effectiveGrade: p.effectiveGrade,
      raiseReasons: p.raiseReasons,
      title: p.title,
      nodeId: p.nodeId,
      path: p.path,
      location: p.location,
      area: p.area,
      validFrom: p.validFrom.toISOString(),
      validTo: p.validTo.toISOString(),
      applicantUnit: p.applicantUnit,
      applicant: person(p.applicantId, p.names.applicant),
      personInCharge: person(p.personInChargeId, p.names.personInCharge),
      watcher: person(p.watcherId, p.names.watcher),
      suspension:
        p.state === 'suspended' && p.suspension
          ? { cause: p.suspension.cause, detail: p.suspension.detail, at: p.suspension.at.toISOString() }
          : null,
      submittedAt: p.submittedAt?.toISOString() ?? null,
      workStartedAt: p.workStartedAt?.toISOString() ?? null,
      endedAt: p.endedAt?.toISOString() ?? null,
      createdAt: p.createdAt.toISOString(),
    };
  }

  async function allowedActions(
    tx: Db,
    ctx: RequestContext,
    p: Rec,
    facts: PermitFacts,
    history: TransitionRecord[],
    approvals: repo.ApprovalRec[],
  ): Promise<PermitAction[]> {
    if (!ctx.actor?.userId) return [];
    const me = ctx.actor.userId;
    const ref = { id: p.id, path: p.path, state: p.state, record: facts };
    const moves = new Set<PermitTransition>(workflow.actions(ctx, permitMachine, ref, history));
    const out: PermitAction[] = [];
    const canRequest = guard.can(ctx, 'permit.request', p.path);
    if (p.state === 'draft' && me === p.applicantId && canRequest) out.push('edit', 'delete');
    if (moves.has('submit')) out.push('submit');
    if (moves.has('analyze')) out.push('analyze');
    if (moves.has('confirm_measures') && p.measures.some((m) => m.applies)) out.push('confirm_measures');
    if (moves.has('brief')) out.push('brief');
    if (moves.has('brief_receive')) out.push('brief_receive');
    if (moves.has('watch')) out.push('watch');
    const pending = approvals.find((a) => a.approverId === null);
    if (pending && moves.has('approve') && !facts.approverIds.includes(me)) {
      const paths = await repo.rolePathsOf(tx, me, PERMIT_APPROVAL_LEVEL_ROLES[pending.level]);
      if (paths.some((x) => x === null || p.path.startsWith(x))) out.push('approve');
    }
    if (moves.has('reject')) out.push('reject');
    if (moves.has('activate') && !pending) out.push('activate');
    if (moves.has('stop')) out.push('stop');
    if (moves.has('interrupt')) out.push('interrupt');
    if (moves.has('resume')) out.push('resume');
    if (moves.has('complete')) out.push('complete');
    if (moves.has('cancel') && p.state !== 'draft') out.push('cancel');
    if (canRequest && (moves.has('revise') || (p.state !== 'draft' && !moves.has('cancel'))))
      out.push('revise');
    if (TERMINAL.has(p.state) && guard.can(ctx, 'permit.manage', p.path) && p.endedAt) {
      const rule = await repo.rule(tx, p.type, p.effectiveGrade);
      if (clock.now().getTime() - p.endedAt.getTime() > (rule?.retentionDays ?? 365) * 86_400_000)
        out.push('delete');
    }
    return out;
  }

  async function detail(tx: Db, ctx: RequestContext, p: Rec): Promise<PermitDetail> {
    const [history, timers, analyses, approvals, confirmations, rule, facts, gases] = await Promise.all([
      workflow.history(tx, 'permit', p.id),
      workflow.pendingTimers(tx, 'permit', p.id),
      repo.analyses(tx, p.id),
      repo.approvals(tx, p.id),
      repo.confirmations(tx, p.id),
      ruleOf(tx, p.type, p.effectiveGrade),
      factsOf(tx, p),
      gasMap(tx),
    ]);
    const sigs = await signatures.verify(tx, 'permit', p.id, (s) => permitContent(tx, p.id, s.id));
    const confirmed = new Map(confirmations.map((c) => [c.code, c]));
    const firstPending = approvals.find((a) => a.approverId === null);
    const approvalViews: PermitApproval[] = [];
    for (const a of approvals) {
      const pending = a === firstPending && p.state === 'awaiting_approval';
      approvalViews.push({
        order: a.seq,
        level: a.level,
        addedFor: a.addedFor,
        state: a.approverId !== null ? 'approved' : pending ? 'pending' : 'waiting',
        approver: a.approverId === null ? null : person(a.approverId, a.approverName),
        at: a.approvedAt?.toISOString() ?? null,
        opinion: a.opinion,
        eligible: pending ? await eligibleFor(tx, p, a.level, facts) : [],
      });
    }
    const linkIds = [
      ...p.linkedPermitIds,
      ...(p.supersedesId ? [p.supersedesId] : []),
      ...(p.supersededById ? [p.supersededById] : []),
    ];
    const linkRecs = new Map((await repo.byIds(tx, linkIds)).map((x) => [x.id, x]));
    const link = (id: number | null) => {
      const x = id === null ? undefined : linkRecs.get(id);
      return x ? { id: x.id, code: x.code, type: x.type, state: x.state } : null;
    };
    const people = await repo.people(tx, [p.brieferId, p.acceptorId, ...(p.analystId ? [p.analystId] : [])]);
    const equipment = await Promise.all(p.equipmentIds.map((e) => repo.node(tx, e)));
    return {
      ...view(p),
      equipment: equipment
        .filter((e): e is repo.NodeRec => e !== null)
        .map((e) => ({ id: e.id, name: e.name })),
      briefer: person(p.brieferId, people.get(p.brieferId)?.name),
      acceptor: person(p.acceptorId, people.get(p.acceptorId)?.name),
      analyst: p.analystId ? person(p.analystId, people.get(p.analystId)?.name) : null,
      workers: p.workers,
      riskIdentification: p.riskIdentification,
      measures: p.measures.map((m) => {
        const c = confirmed.get(m.code);
        return {
          code: m.code,
          text: m.text,
          applies: m.applies,
          confirmedBy: c ? c.by : null,
          confirmedAt: c ? c.at.toISOString() : null,
        };
      }),
      windLevel: p.windLevel,
      fields: p.fields,
      gasTags: await liveValues(tx, p, gases),
      analyses: analyses.map(({ analystId: _a, ...a }) => a),
      approvals: approvalViews,
      conflicts: TERMINAL.has(p.state) ? [] : await conflictsOf(tx, p, p.areaId),
      signatures: sigs,
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
      links: {
        supersedes: link(p.supersedesId),
        supersededBy: link(p.supersededById),
        linked: p.linkedPermitIds.map(link).filter((x): x is NonNullable<typeof x> => x !== null),
      },
      rule,
      cancelReason: p.cancelReason,
      actions: await allowedActions(tx, ctx, p, facts, history, approvals),
      timers: timers.map((t) => ({ key: t.key, dueAt: t.dueAt.toISOString() })),
    };
  }

  // ─── Moves ──────────────────────────────────────────────────────────────────────────────────

  async function move(
    tx: Db,
    ctx: RequestContext,
    p: Rec,
    action: PermitTransition,
    opts: { reason?: string | null; data?: Record<string, unknown>; facts?: PermitFacts } = {},
  ) {
    const facts = opts.facts ?? (await factsOf(tx, p));
    return workflow.apply(
      tx,
      ctx,
      permitMachine,
      { id: p.id, path: p.path, state: p.state, record: facts },
      action,
      {
        reason: opts.reason ?? null,
        data: { state: p.state, ...opts.data },
        // the audit entry shows the state the step led to (data.state is where it started)
        auditAfter: opts.data ?? {},
        label: `${p.code} ${p.title}`,
      },
    );
  }

  /**
   * Suspends an active permit (alarm, live gas, failed re-test, the watcher, a work break) and tells
   * everyone on it. Returns false when the permit is not active (already suspended: once per
   * suspension). For the monitor (B2) as well: call inside a transaction holding the row lock.
   */
  async function suspend(
    tx: Db,
    p: Rec,
    cause: PermitSuspendCause,
    detailText: string,
    ctx: RequestContext = SYSTEM,
    reason: string | null = null,
  ): Promise<boolean> {
    if (p.state !== 'active') return false;
    const now = clock.now();
    const action: PermitTransition =
      cause === 'watcher_stop' ? 'stop' : cause === 'interruption' ? 'interrupt' : 'suspend';
    await move(tx, ctx, p, action, { reason: reason ?? detailText, data: { cause, detail: detailText } });
    await repo.updateCourse(
      tx,
      p.id,
      { state: 'suspended', suspension: { cause, detail: detailText, at: now } },
      now,
    );
    const label = PERMIT_SUSPEND_CAUSE_LABELS[cause];
    await notify.publish(tx, [
      event(
        'permit.suspended',
        p,
        'suspended',
        { zh: `已暂停：${label.zh}（${detailText}）`, en: `suspended: ${label.en} (${detailText})` },
        await peopleOn(tx, p),
        'high',
      ),
    ]);
    return true;
  }

  async function proofFor(ctx: RequestContext, input: SignInput | undefined) {
    if (!input)
      throw new AppError('validation_failed', 'This step needs your signature (password)', {
        field: 'signature',
      });
    return signatures.reauthenticate(ctx, input);
  }

  async function latestPassing(tx: Db, p: Rec, after: Date | null) {
    const list = (await repo.analyses(tx, p.id)).filter((a) => a.source === 'manual');
    const last = list[list.length - 1];
    if (!last || last.verdict !== 'pass') return null;
    if (after && new Date(last.takenAt) <= after) return null;
    return last;
  }

  async function requireFreshAnalysis(tx: Db, p: Rec, rule: PermitRule, after: Date | null) {
    const now = clock.now();
    const a = await latestPassing(tx, p, after);
    if (!a)
      throw refuse(
        'gas_analysis_invalid',
        after
          ? {
              zh: `需要暂停（${local(after)}）之后的合格气体分析`,
              en: `A passing gas analysis taken after the suspension (${local(after)}) is needed`,
            }
          : {
              zh: '需要合格的气体分析（最近一次分析不合格或没有分析）',
              en: 'A passing gas analysis is needed (the last one failed or there is none)',
            },
      );
    const age = (now.getTime() - new Date(a.takenAt).getTime()) / 60_000;
    if (age > rule.analysisMaxAgeMin)
      throw refuse('gas_analysis_invalid', {
        zh: `气体分析已超过 ${rule.analysisMaxAgeMin} 分钟（取样于 ${local(new Date(a.takenAt))}），须重新分析`,
        en: `The gas analysis is older than ${rule.analysisMaxAgeMin} min (taken ${local(new Date(a.takenAt))}): analyse again`,
      });
  }

  type Body = Record<string, unknown> & { signature?: SignInput; reason?: string };

  async function act(
    ctx: RequestContext,
    id: number,
    action: PermitAction,
    body: Body,
  ): Promise<PermitDetail> {
    const actor = actorOf(ctx);
    const proof = body.signature ? await proofFor(ctx, body.signature) : null;
    const needProof = () => {
      if (!proof)
        throw new AppError('validation_failed', 'This step needs your signature (password)', {
          field: 'signature',
        });
      return proof;
    };
    let revisedId: number | null = null;
    const out = await db.transaction(async (tx) => {
      const now = clock.now();
      await repo.setNow(tx, now);
      const p = guard.readable(ctx, 'permit.read', await repo.get(tx, id, true), 'permit', id);
      const facts = await factsOf(tx, p);
      const events: NotifyEventInput[] = [];
      switch (action) {
        case 'submit': {
          // who and when first (the machine), then what
          if (p.state !== 'draft') await move(tx, ctx, p, 'submit', { facts });
          const a = await assess(tx, p);
          await move(tx, ctx, p, 'submit', {
            facts,
            data: { needsAnalysis: a.rule.needsGasAnalysis, effectiveGrade: a.grade.effective },
          });
          if (a.problems.length)
            throw refuse(
              'validation_failed',
              { zh: a.problems.map((x) => x.zh).join('；'), en: a.problems.map((x) => x.en).join('; ') },
              { problems: a.problems },
            );
          const forbidden = a.conflicts.filter((c) => c.decision === 'forbid');
          if (forbidden.length)
            throw refuse(
              'permit_conflict',
              {
                zh: `与作业票 ${forbidden.map((c) => c.code).join('、')} 冲突：${forbidden[0]!.reason.zh}`,
                en: `Conflicts with permit ${forbidden.map((c) => c.code).join(', ')}: ${forbidden[0]!.reason.en}`,
              },
              { conflicts: forbidden },
            );
          const needs = a.conflicts.filter((c) => c.decision === 'needs_approval');
          if (needs.length && body.acceptConflicts !== true)
            throw refuse(
              'permit_conflict',
              {
                zh: `与作业票 ${needs.map((c) => c.code).join('、')} 同区域同时段：${needs[0]!.reason.zh}。确认后提交（acceptConflicts）将增加审批层级`,
                en: `Same area and time as permit ${needs.map((c) => c.code).join(', ')}: ${needs[0]!.reason.en}. Submit with acceptConflicts to add the approval level`,
              },
              { conflicts: needs },
            );
          const state: PermitState = a.rule.needsGasAnalysis ? 'awaiting_analysis' : 'awaiting_approval';
          await repo.markSubmitted(
            tx,
            p.id,
            {
              requestedGrade: a.grade.requested,
              effectiveGrade: a.grade.effective,
              raiseReasons: a.raised,
              areaId: p.areaId,
            },
            state,
            now,
          );
          const levels = await levelsFor(tx, p, a.rule, a.conflicts);
          await repo.insertApprovals(tx, p.id, levels);
          const after = (await repo.get(tx, p.id))!;
          await signNow(tx, ctx, needProof(), after, 'apply');
          if (state === 'awaiting_analysis')
            events.push(
              event(
                'permit.signature_needed',
                after,
                'analyze',
                { zh: '待气体分析', en: 'awaits gas analysis' },
                [...(p.analystId ? [p.analystId] : []), p.personInChargeId],
              ),
            );
          events.push(...(await approvalEvents(tx, after)));
          break;
        }
        case 'confirm_measures': {
          const confirmed = new Set((await repo.confirmations(tx, p.id)).map((c) => c.code));
          const applies = p.measures.filter((m) => m.applies);
          const codes =
            (body.codes as string[] | undefined) ??
            applies.filter((m) => !confirmed.has(m.code)).map((m) => m.code);
          for (const c of codes)
            if (!applies.some((m) => m.code === c))
              throw refuse(
                'validation_failed',
                { zh: `安全措施 ${c} 不涉及或不存在`, en: `Measure ${c} does not apply or does not exist` },
                { field: 'codes' },
              );
          const fresh = codes.filter((c) => !confirmed.has(c));
          if (!fresh.length)
            throw refuse(
              'validation_failed',
              { zh: '没有待确认的安全措施', en: 'No measure left to confirm' },
              { field: 'codes' },
            );
          await move(tx, ctx, p, 'confirm_measures', { facts, data: { codes: fresh } });
          const sig = await signNow(tx, ctx, needProof(), p, 'confirm', {
            confirmations: fresh.map((code) => ({ code, by: actor.userId })),
          });
          for (const code of fresh)
            await repo.insertConfirmation(tx, {
              permitId: p.id,
              code,
              by: actor.userId,
              at: now,
              signatureId: sig.id,
            });
          break;
        }
        case 'brief':
        case 'brief_receive':
        case 'watch': {
          const already = (await signatures.list(tx, 'permit', p.id)).some(
            (s) => s.meaning === action && s.signerId === actor.userId,
          );
          if (already)
            throw refuse('transition_refused', {
              zh: '您已签过此项',
              en: 'You have already signed this step',
            });
          await move(tx, ctx, p, action, { facts });
          await signNow(tx, ctx, needProof(), p, action);
          break;
        }
        case 'approve': {
          const approvals = await repo.approvals(tx, p.id);
          const pending = approvals.find((a) => a.approverId === null);
          await move(tx, ctx, p, 'approve', { facts, data: { level: pending?.level ?? null } });
          if (!pending)
            throw refuse('transition_refused', {
              zh: '所有审批层级已完成',
              en: 'Every approval level is done',
            });
          if (facts.approverIds.includes(actor.userId))
            throw refuse(
              'separation_of_duties',
              {
                zh: '同一人不能审批两个层级',
                en: 'One person cannot approve two levels',
              },
              { rule: 'one_level_per_approver' },
            );
          const role = PERMIT_APPROVAL_LEVEL_ROLES[pending.level];
          const paths = await repo.rolePathsOf(tx, actor.userId, role);
          if (!paths.some((x) => x === null || p.path.startsWith(x)))
            throw refuse(
              'forbidden',
              {
                zh: `${PERMIT_APPROVAL_LEVEL_LABELS[pending.level].zh}须由在本作业地点担任相应角色的人员审批（您的角色不在此处）`,
                en: `${PERMIT_APPROVAL_LEVEL_LABELS[pending.level].en} approval needs the ${role} role at this place (yours is held elsewhere)`,
              },
              { level: pending.level, role },
            );
          const opinion = String(body.opinion ?? '');
          const sig = await signNow(tx, ctx, needProof(), p, 'approve', {
            approvals: [{ seq: pending.seq, level: pending.level, approverId: actor.userId, opinion }],
          });
          await repo.fillApproval(tx, pending.id, {
            approverId: actor.userId,
            at: now,
            opinion,
            signatureId: sig.id,
          });
          const after = (await repo.get(tx, p.id))!;
          events.push(
            event(
              'permit.progressed',
              after,
              `approve-${pending.seq}`,
              {
                zh: `${PERMIT_APPROVAL_LEVEL_LABELS[pending.level].zh}已通过（${actor.displayName}）`,
                en: `${PERMIT_APPROVAL_LEVEL_LABELS[pending.level].en} approved (${actor.displayName})`,
              },
              [p.applicantId, p.personInChargeId],
            ),
          );
          events.push(...(await approvalEvents(tx, after)));
          break;
        }
        case 'reject': {
          await move(tx, ctx, p, 'reject', { facts, reason: body.reason ?? null });
          await repo.updateCourse(
            tx,
            p.id,
            { state: 'cancelled', endedAt: now, cancelReason: body.reason ?? '' },
            now,
          );
          events.push(
            event(
              'permit.closed',
              p,
              'approve',
              { zh: `被驳回：${body.reason}`, en: `rejected: ${body.reason}` },
              [p.applicantId, p.personInChargeId],
            ),
          );
          break;
        }
        case 'activate': {
          await move(tx, ctx, p, 'activate', { facts });
          await requireReady(tx, p);
          await signNow(tx, ctx, needProof(), p, 'check');
          await repo.updateCourse(tx, p.id, { state: 'active', workStartedAt: now }, now);
          events.push(
            event(
              'permit.activated',
              p,
              'active',
              {
                zh: `验票通过，开始作业（${actor.displayName}）`,
                en: `checked on site, work started (${actor.displayName})`,
              },
              await peopleOn(tx, p),
            ),
          );
          break;
        }
        case 'stop': {
          if (p.state !== 'active') await move(tx, ctx, p, 'stop', { facts, reason: body.reason ?? null });
          await signNow(tx, ctx, needProof(), p, 'stop');
          await suspend(tx, p, 'watcher_stop', String(body.reason ?? ''), ctx, body.reason ?? null);
          break;
        }
        case 'interrupt': {
          if (p.state !== 'active')
            await move(tx, ctx, p, 'interrupt', { facts, reason: body.reason ?? null });
          await suspend(tx, p, 'interruption', String(body.reason ?? ''), ctx, body.reason ?? null);
          break;
        }
        case 'resume': {
          await move(tx, ctx, p, 'resume', { facts, data: { cause: p.suspension?.cause ?? null } });
          const rule = await ruleOf(tx, p.type, p.effectiveGrade);
          const since = p.suspension?.at ?? now;
          if (resumeNeedsAnalysis(rule, { cause: p.suspension?.cause ?? 'alarm', at: since }, now))
            await requireFreshAnalysis(tx, p, rule, since);
          const live = liveRefusal(await liveValues(tx, p));
          if (live) throw refuse('gas_analysis_invalid', live);
          const alarmed = await areaAlarmRefusal(tx, p);
          if (alarmed) throw refuse('transition_refused', alarmed);
          await signNow(tx, ctx, needProof(), p, 'resume');
          await repo.updateCourse(tx, p.id, { state: 'active', suspension: null }, now);
          events.push(
            event(
              'permit.resumed',
              p,
              'suspended',
              { zh: `恢复作业（${actor.displayName}）`, en: `resumed (${actor.displayName})` },
              await peopleOn(tx, p),
            ),
          );
          break;
        }
        case 'complete': {
          await move(tx, ctx, p, 'complete', { facts, data: { remark: body.remark ?? '' } });
          await signNow(tx, ctx, needProof(), p, 'accept');
          await repo.updateCourse(tx, p.id, { state: 'completed', endedAt: now, suspension: null }, now);
          events.push(
            event(
              'permit.closed',
              p,
              'active',
              { zh: `完工验收（${actor.displayName}）`, en: `accepted at completion (${actor.displayName})` },
              await peopleOn(tx, p),
            ),
          );
          break;
        }
        case 'cancel': {
          await move(tx, ctx, p, 'cancel', { facts, reason: body.reason ?? null });
          await repo.updateCourse(
            tx,
            p.id,
            { state: 'cancelled', endedAt: now, cancelReason: body.reason ?? '' },
            now,
          );
          if (p.state !== 'draft')
            events.push(
              event(
                'permit.closed',
                p,
                'approve',
                { zh: `已取消：${body.reason}`, en: `cancelled: ${body.reason}` },
                await peopleOn(tx, p),
              ),
            );
          break;
        }
        case 'revise': {
          await guard.require(tx, ctx, 'permit.request', p, 'permit', p.id);
          const code = await newCode(tx, p.type, now);
          const content: repo.PermitContent = {
            ...p,
            applicantId: actor.userId,
            requestedGrade: p.requestedGrade,
            effectiveGrade: p.requestedGrade,
            raiseReasons: [],
            supersedesId: p.id,
          };
          const newId = await repo.insert(tx, code, content, now);
          const created = (await repo.get(tx, newId))!;
          await workflow.begin(
            tx,
            ctx,
            permitMachine,
            { id: newId, path: created.path, record: await factsOf(tx, created) },
            {
              reason: body.reason ?? null,
              data: { supersedes: p.code },
              label: `${code} ${created.title}`,
            },
          );
          if (['draft', 'awaiting_analysis', 'awaiting_approval'].includes(p.state)) {
            await move(tx, ctx, p, 'revise', {
              facts,
              reason: body.reason ?? null,
              data: { newPermit: code },
            });
            await repo.updateCourse(
              tx,
              p.id,
              { state: 'cancelled', endedAt: now, cancelReason: `${body.reason}（变更为 ${code}）` },
              now,
            );
          } else {
            await audit.append(tx, ctx, {
              action: 'permit.revise',
              targetType: 'permit',
              targetId: p.id,
              nodeId: p.nodeId,
              reason: body.reason ?? null,
              after: { newPermit: code },
              targetLabel: `${p.code} ${p.title}`,
            });
          }
          revisedId = newId;
          return detail(tx, ctx, created);
        }
        default:
          throw new AppError('validation_failed', `Unknown permit action ${action}`);
      }
      await notify.publish(tx, events);
      return detail(tx, ctx, (await repo.get(tx, p.id))!);
    });
    void revisedId;
    notify.wake();
    // an ended permit (completed, cancelled, rejected, revised) is archived once it is committed
    if (action === 'revise' || TERMINAL.has(out.state)) await archive.afterCommit(id);
    return out;
  }

  async function approvalEvents(tx: Db, p: Rec): Promise<NotifyEventInput[]> {
    if (p.state !== 'awaiting_approval') return [];
    const approvals = await repo.approvals(tx, p.id);
    const pending = approvals.find((a) => a.approverId === null);
    if (!pending)
      return [
        event(
          'permit.signature_needed',
          p,
          'check',
          { zh: '审批完成，待验票', en: 'approved: awaits the on-site check' },
          [p.personInChargeId, p.watcherId],
        ),
      ];
    const eligible = await eligibleFor(tx, p, pending.level, await factsOf(tx, p));
    return [
      event(
        'permit.approval_needed',
        p,
        `approve-${pending.seq}`,
        {
          zh: `待${PERMIT_APPROVAL_LEVEL_LABELS[pending.level].zh}`,
          en: `awaits ${PERMIT_APPROVAL_LEVEL_LABELS[pending.level].en} approval`,
        },
        eligible.map((e) => e.id),
      ),
    ];
  }

  /** 验票: every approval, the briefing, the watcher, every measure, a fresh passing analysis, live values. */
  async function requireReady(tx: Db, p: Rec) {
    const now = clock.now();
    const missing: Words[] = [];
    if (now < p.validFrom)
      missing.push({
        zh: `作业时间未到（${local(p.validFrom)} 开始）`,
        en: `The window starts at ${local(p.validFrom)}`,
      });
    const approvals = await repo.approvals(tx, p.id);
    const open = approvals.filter((a) => a.approverId === null);
    if (open.length)
      missing.push({
        zh: `尚待审批：${open.map((a) => PERMIT_APPROVAL_LEVEL_LABELS[a.level].zh).join('、')}`,
        en: `Approvals missing: ${open.map((a) => PERMIT_APPROVAL_LEVEL_LABELS[a.level].en).join(', ')}`,
      });
    const sigs = await signatures.list(tx, 'permit', p.id);
    const has = (m: string) => sigs.some((s) => s.meaning === m && s.status === 'valid');
    if (!has('brief')) missing.push({ zh: '安全交底未签字', en: 'The safety briefing is not signed' });
    if (!has('brief_receive'))
      missing.push({ zh: '接受交底未签字', en: 'Nobody signed for receiving the briefing' });
    if (!has('watch')) missing.push({ zh: '监护人未签字', en: 'The watcher has not signed' });
    const confirmed = new Set((await repo.confirmations(tx, p.id)).map((c) => c.code));
    const open2 = p.measures.filter((m) => m.applies && !confirmed.has(m.code));
    if (open2.length)
      missing.push({
        zh: `安全措施未确认：${open2.map((m) => m.code).join('、')}`,
        en: `Measures not confirmed: ${open2.map((m) => m.code).join(', ')}`,
      });
    if (missing.length)
      throw refuse(
        'transition_refused',
        { zh: missing.map((m) => m.zh).join('；'), en: missing.map((m) => m.en).join('; ') },
        { missing },
      );
    const rule = await ruleOf(tx, p.type, p.effectiveGrade);
    if (rule.needsGasAnalysis) await requireFreshAnalysis(tx, p, rule, null);
    const live = liveRefusal(await liveValues(tx, p));
    if (live) throw refuse('gas_analysis_invalid', live);
    const alarmed = await areaAlarmRefusal(tx, p);
    if (alarmed) throw refuse('transition_refused', alarmed);
  }

  async function newCode(tx: Db, type: PermitType, now: Date) {
    const day = wallClock(now, timezone).day.replace(/-/g, '');
    return repo.nextCode(tx, `ZY-${PERMIT_TYPE_ABBREVIATIONS[type]}-${day}-`);
  }

  async function recordAnalysis(
    ctx: RequestContext,
    id: number,
    body: { signature: SignInput; takenAt: string; samplePoint: string; readings: PermitReadingInput[] },
  ) {
    const actor = actorOf(ctx);
    const proof = await proofFor(ctx, body.signature);
    const out = await db.transaction(async (tx) => {
      const now = clock.now();
      await repo.setNow(tx, now);
      const p = guard.readable(ctx, 'permit.read', await repo.get(tx, id, true), 'permit', id);
      const facts = await factsOf(tx, p);
      const takenAt = new Date(body.takenAt);
      if (takenAt.getTime() > now.getTime() + 60_000)
        throw refuse(
          'validation_failed',
          { zh: '取样时间不能晚于现在', en: 'The sample cannot be taken in the future' },
          { field: 'takenAt' },
        );
      if (p.submittedAt && takenAt < new Date(p.submittedAt.getTime() - 24 * 3600_000))
        throw refuse(
          'validation_failed',
          { zh: '取样时间早于作业票申请', en: 'The sample was taken long before the permit was submitted' },
          { field: 'takenAt' },
        );
      let judged: ReturnType<typeof judgeAnalysis>;
      try {
        judged = judgeAnalysis(await gasMap(tx), body.readings, analysisFacts(p));
      } catch (e) {
        if (e instanceof ReadingError)
          throw refuse('validation_failed', e.words, { field: `readings.${e.index}` });
        throw e;
      }
      await move(tx, ctx, p, 'analyze', {
        facts,
        data: { verdict: judged.verdict, takenAt: body.takenAt, samplePoint: body.samplePoint },
      });
      const analysisId = await repo.nextAnalysisId(tx);
      const sig = await signNow(tx, ctx, proof, p, 'analyze', {
        analyses: [
          {
            id: analysisId,
            takenAt: takenAt.toISOString(),
            samplePoint: body.samplePoint,
            analystId: actor.userId,
            verdict: judged.verdict,
            readings: judged.readings.map((r) => ({ gas: r.gas, value: r.value, unit: r.unit })),
          },
        ],
      });
      const problemReadings = judged.problems.map((w) => ({
        gas: '—',
        value: 0,
        unit: '%vol',
        percentVol: null,
        limitText: '',
        verdict: 'fail' as const,
        reason: w,
      }));
      void problemReadings;
      await repo.insertAnalysisWithId(tx, analysisId, {
        permitId: p.id,
        source: 'manual',
        takenAt,
        recordedAt: now,
        samplePoint: body.samplePoint,
        analystId: actor.userId,
        verdict: judged.verdict,
        signatureId: sig.id,
        readings: judged.readings,
      });
      const events: NotifyEventInput[] = [];
      if (judged.verdict === 'pass' && p.state === 'awaiting_analysis') {
        const after = { ...facts, analystIds: [...facts.analystIds, actor.userId] };
        await workflow.apply(
          tx,
          ctx,
          permitMachine,
          { id: p.id, path: p.path, state: p.state, record: after },
          'analysis_passed',
          {
            data: { analysisId },
            label: `${p.code} ${p.title}`,
          },
        );
        await repo.updateCourse(tx, p.id, { state: 'awaiting_approval' }, now);
        events.push(...(await approvalEvents(tx, (await repo.get(tx, p.id))!)));
      }
      if (judged.verdict === 'fail' && p.state === 'active') {
        const why = [
          ...judged.readings.filter((r) => r.verdict === 'fail').map((r) => r.reason.zh),
          ...judged.problems.map((w) => w.zh),
        ].join('；');
        await suspend(tx, p, 'failed_retest', why);
      }
      await notify.publish(tx, events);
      const moved = (await repo.get(tx, p.id))!;
      const d = await detail(tx, ctx, moved);
      return { detail: d, judged };
    });
    notify.wake();
    if (out.judged.problems.length && out.judged.verdict === 'fail')
      log?.debug({ permit: id }, 'analysis incomplete');
    return out.detail;
  }

  // ─── Timers ─────────────────────────────────────────────────────────────────────────────────

  async function onTimer(tx: Db, timer: DueTimer, now: Date) {
    if (isRecordGasKey(timer.key)) {
      if (hooks.recordGas) await hooks.recordGas(tx, timer, now);
      return;
    }
    const p = await repo.get(tx, timer.recordId, true);
    if (!p || TERMINAL.has(p.state)) return;
    await repo.setNow(tx, now);
    if (timer.key === 'expiring') {
      await notify.publish(tx, [
        event(
          'permit.expiring',
          p,
          'expiring',
          { zh: `将于 ${local(p.validTo)} 到期`, en: `expires at ${local(p.validTo)}` },
          await peopleOn(tx, p),
        ),
      ]);
      notify.wake();
      return;
    }
    if (timer.key !== 'expire' || p.state === 'draft' || now < p.validTo) return;
    await workflow.apply(
      tx,
      SYSTEM,
      permitMachine,
      { id: p.id, path: p.path, state: p.state, record: await factsOf(tx, p) },
      'expire',
      {
        data: { validTo: p.validTo.toISOString() },
        label: `${p.code} ${p.title}`,
      },
    );
    await repo.updateCourse(tx, p.id, { state: 'expired', endedAt: now }, now);
    await notify.publish(tx, [
      event(
        'permit.expired',
        p,
        'expired',
        { zh: `已过期（${local(p.validTo)}）`, en: `expired (${local(p.validTo)})` },
        await peopleOn(tx, p),
        'high',
      ),
    ]);
    notify.wake();
  }
  workflow.onTimer('permit', onTimer);

  // Photos and drawn signatures of a permit: readable with it.
  signatures.registerOwner('permit', {
    async readable(ctx, recordId, tx) {
      const p = await repo.get(tx, recordId);
      return !!p && guard.can(ctx, 'permit.read', p.path);
    },
  });
  const evidence = deps.evidence as
    | { registerOwner(kind: string, owner: Record<string, unknown>): void }
    | undefined;
  evidence?.registerOwner('permit', {
    async readable(ctx: RequestContext, ownerId: number, tx: Db) {
      const p = await repo.get(tx, ownerId);
      return p && guard.can(ctx, 'permit.read', p.path) ? { path: p.path } : null;
    },
    async attachable(ctx: RequestContext, ownerId: number, tx: Db) {
      const p = guard.readable(ctx, 'permit.read', await repo.get(tx, ownerId), 'permit', ownerId);
      if (TERMINAL.has(p.state))
        throw refuse('evidence_refused', {
          zh: '作业票已结束，不能再添加照片',
          en: 'The permit has ended: no more photos',
        });
      return { path: p.path, scopeKey: `permit:${p.id}`, window: null };
    },
  });

  // ─── The service ────────────────────────────────────────────────────────────────────────────

  // Monitoring (alarms, live gas, the 2-hourly record; monitor.ts) and verification (verify.ts).
  const monitor = createPermitMonitor({
    db,
    clock,
    directory,
    workflow,
    host: { suspend: (tx, p, cause, detail) => suspend(tx, p, cause, detail), wake: () => notify.wake() },
  });
  Object.assign(hooks, {
    recordGas: monitor.recordGas,
    onAlarmEvents: monitor.onAlarmEvents,
    watchLive: monitor.watchLive,
  });
  const verifier = createPermitVerifier({
    db,
    signatures,
    workflow,
    audit,
    contentOf: permitContent,
    timezone,
  });

  // 作业票存档: an ended permit's PDF kept once (archive.ts); caught up by the scheduler pass
  const archive = createPermitArchive({
    db,
    audit,
    clock,
    dataDir: String(deps.dataDir ?? './data'),
    timezone,
    log: { error: (obj, msg) => log?.error(obj, msg) },
    detail: (id) =>
      db.transaction(async (tx) => {
        const p = await repo.get(tx, id);
        return p ? detail(tx, SYSTEM, p) : null;
      }),
    signatureImage: signatures.image,
  });

  const service = {
    machine: permitMachine,

    setLogger(l: FastifyBaseLogger) {
      log = l;
      monitor.setLogger(l);
    },
    /** GET /:id/verify: signatures, signed steps and audit entries of a permit the caller may read. */
    async verify(ctx: RequestContext, id: number) {
      guard.readable(ctx, 'permit.read', await repo.get(db, id), 'permit', id);
      const { code: _code, ...report } = (await verifier.verify(id))!;
      return report;
    },
    /** `aegis permit verify`: every submitted permit, or one. */
    verifyAll: verifier.verifyAll,
    /** After alarm transitions committed: high/critical activations in a permit's area suspend it. Never throws. */
    onAlarmEvents(events: PlacedEvent[]): void {
      try {
        hooks.onAlarmEvents?.(events);
      } catch (err) {
        log?.error({ err }, 'permit: alarm events');
      }
    },
    /** Scheduler pass: live gas values of active permits against their limits. */
    async watchLive(): Promise<void> {
      await hooks.watchLive?.();
      // permits ended by their expiry timer (or a crash before archiving) get their PDF kept
      await archive.archivePending();
    },

    /** GET /:id/pdf: the standard's form; an ended permit's archived file. */
    async pdf(ctx: RequestContext, id: number) {
      const d = await service.get(ctx, id);
      return { code: d.code, bytes: (await archive.pdf(ctx, d)).bytes };
    },

    async list(ctx: RequestContext, q: repo.ListFilter) {
      const page = await repo.list(db, guard.scope(ctx, 'permit.read'), q);
      return { items: page.items.map(view), total: page.total };
    },

    /** Rows for the XLSX register (up to 10 000), as full records. */
    async register(ctx: RequestContext, q: repo.ListFilter) {
      return (
        await repo.list(db, guard.scope(ctx, 'permit.read'), { ...q, limit: 10_000, offset: 0 })
      ).items.map(view);
    },

    async board(ctx: RequestContext, q: { nodeId?: number }): Promise<PermitBoard> {
      const page = await repo.list(db, guard.scope(ctx, 'permit.read'), {
        nodeId: q.nodeId,
        limit: 10_000,
        offset: 0,
      });
      const gases = await gasMap(db);
      const byArea = new Map<string, PermitBoard['areas'][number]>();
      for (const p of page.items) {
        const key = p.area ? String(p.area.id) : '-';
        let a = byArea.get(key);
        if (!a) {
          a = { area: p.area, counts: {} as Record<PermitState, number>, permits: [] };
          byArea.set(key, a);
        }
        a.counts[p.state] = (a.counts[p.state] ?? 0) + 1;
        if (p.state === 'active' || p.state === 'suspended')
          a.permits.push({ ...view(p), gasTags: await liveValues(db, p, gases) });
      }
      return { areas: [...byArea.values()] };
    },

    async get(ctx: RequestContext, id: number) {
      return db.transaction(async (tx) =>
        detail(tx, ctx, guard.readable(ctx, 'permit.read', await repo.get(tx, id), 'permit', id)),
      );
    },

    /** The full detail for the PDF and verify (no action list needed, but the same shape). */
    detail: (tx: Db, ctx: RequestContext, p: Rec) => detail(tx, ctx, p),

    async rules(): Promise<PermitRules> {
      return {
        rules: await repo.rules(db),
        gases: await repo.gases(db),
        holidays: await repo.holidays(db),
        night: { ...NIGHT },
      };
    },

    async updateRule(
      ctx: RequestContext,
      type: PermitType,
      grade: PermitGrade,
      body: Omit<PermitRule, 'type' | 'grade' | 'source'> & { reason: string },
    ) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'permit.manage', 'permit rules');
        const before = await repo.rule(tx, type, grade);
        if (!before) throw new AppError('not_found', `No permit rule for ${type} ${grade}`);
        const { reason, ...rest } = body;
        const after: PermitRule = { ...before, ...rest };
        await repo.updateRule(tx, after);
        await audit.append(tx, ctx, {
          action: 'permit.rule_update',
          targetType: 'permit_rule',
          targetId: `${type}/${grade}`,
          reason,
          before,
          after,
          targetLabel: `${PERMIT_TYPE_LABELS[type].zh} ${grade}`,
        });
        return after;
      });
    },

    async upsertGas(ctx: RequestContext, code: string, body: Omit<PermitGas, 'code'> & { reason: string }) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'permit.manage', 'permit gases');
        const c = code.toUpperCase();
        if (!/^[A-Z0-9]{1,16}$/.test(c))
          throw new AppError('validation_failed', 'Gas code: letters and digits', { field: 'code' });
        if (body.kind === 'flammable' && !body.lelPercentVol)
          throw refuse(
            'validation_failed',
            { zh: '可燃气体须填写爆炸下限', en: 'A flammable gas needs its LEL' },
            { field: 'lelPercentVol' },
          );
        if (body.kind === 'toxic' && !body.limitPpm && !(body.limit && body.limitUnit))
          throw refuse(
            'validation_failed',
            { zh: '有毒气体须填写限值', en: 'A toxic gas needs its limit' },
            { field: 'limit' },
          );
        const before = await repo.gas(tx, c);
        const { reason, ...rest } = body;
        const after: PermitGas = { code: c, ...rest };
        await repo.upsertGas(tx, after);
        await audit.append(tx, ctx, {
          action: 'permit.gas_update',
          targetType: 'permit_gas',
          targetId: c,
          reason,
          before: before ?? undefined,
          after,
        });
        return after;
      });
    },

    async addHoliday(ctx: RequestContext, body: { date: string; name: string; reason: string }) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'permit.manage', 'permit holidays');
        if (Number.isNaN(Date.parse(`${body.date}T00:00:00Z`)))
          throw new AppError('validation_failed', 'Not a date', { field: 'date' });
        if (!(await repo.addHoliday(tx, { date: body.date, name: body.name })))
          throw refuse('conflict', {
            zh: `${body.date} 已是节假日`,
            en: `${body.date} is already a holiday`,
          });
        await audit.append(tx, ctx, {
          action: 'permit.holiday_add',
          targetType: 'permit_holiday',
          targetId: body.date,
          reason: body.reason,
          after: { date: body.date, name: body.name },
        });
        return { date: body.date, name: body.name };
      });
    },

    async deleteHoliday(ctx: RequestContext, date: string, reason: string) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'permit.manage', 'permit holidays');
        const name = await repo.deleteHoliday(tx, date);
        if (name === null) throw new AppError('not_found', `No holiday on ${date}`);
        await audit.append(tx, ctx, {
          action: 'permit.holiday_delete',
          targetType: 'permit_holiday',
          targetId: date,
          reason,
          before: { date, name },
        });
        return { ok: true as const };
      });
    },

    async gasTagCandidates(ctx: RequestContext, locationId: number): Promise<GasTagCandidate[]> {
      return db.transaction(async (tx) => {
        const node = guard.readable(
          ctx,
          'permit.read',
          await repo.node(tx, locationId),
          'plant node',
          locationId,
        );
        const area = await repo.areaOf(tx, node.id);
        const under = area?.path ?? node.path;
        const gases = await gasMap(tx);
        const tags = directory
          .all()
          .filter(
            (t) => t.path.startsWith(under) && guard.can(ctx, 'tag.read', t.path) && t.type === 'number',
          )
          .map((t) => ({ t, gas: guessGas(t.code, t.unit, gases) }))
          .filter(({ t, gas }) => unitOfTag(t.unit) !== null && gas !== null);
        const rows = await currentOf(
          tx,
          tags.map(({ t }) => t.id),
        );
        const byTag = new Map(rows.map((r) => [Number(r.tag_id), r]));
        return tags.map(({ t, gas }) => {
          const r = byTag.get(t.id);
          return {
            tagId: t.id,
            code: `${t.equipmentCode}.${t.code}`,
            name: t.nameZh,
            unit: t.unit,
            path: t.path,
            gas,
            value: r?.num === null || r?.num === undefined ? null : Number(r.num),
            at: r ? new Date(Number(r.ms)).toISOString() : null,
          };
        });
      });
    },

    async preview(ctx: RequestContext, body: PermitDraftParsed): Promise<PermitPreview> {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const { content, node } = await contentFrom(tx, ctx, body, actor.userId, null);
        const draft: Rec = {
          ...content,
          id: 0,
          code: '',
          state: 'draft',
          path: node.path,
          location: node.location,
          area: null,
          names: { applicant: '', personInCharge: '', watcher: '', briefer: '', acceptor: '', analyst: null },
          submittedAt: null,
          workStartedAt: null,
          suspension: null,
          endedAt: null,
          cancelReason: null,
          createdAt: clock.now(),
          supersededById: null,
        };
        const a = await assess(tx, draft);
        const levels = await levelsFor(tx, draft, a.rule, a.conflicts);
        const facts: PermitFacts = {
          applicantId: actor.userId,
          personInChargeId: content.personInChargeId,
          watcherId: content.watcherId,
          brieferId: content.brieferId,
          acceptorId: content.acceptorId,
          analystId: content.analystId,
          workerUserIds: content.workers.map((w) => w.userId).filter((x): x is number => x !== null),
          analystIds: [],
          approverIds: [],
          validTo: content.validTo,
          continuousMonitoring: a.rule.continuousMonitoring,
          liveRecordEveryMin: a.rule.liveRecordEveryMin,
        };
        const approvals = [];
        for (const l of levels)
          approvals.push({ ...l, eligible: await eligibleFor(tx, draft, l.level, facts) });
        return {
          requestedGrade: a.grade.requested,
          effectiveGrade: a.grade.effective,
          raiseReasons: a.raised,
          rule: a.rule,
          approvals,
          conflicts: a.conflicts,
          problems: [
            ...a.problems,
            ...a.conflicts
              .filter((c) => c.decision === 'forbid')
              .map((c) => ({
                zh: `与 ${c.code} 冲突：${c.reason.zh}`,
                en: `Conflicts with ${c.code}: ${c.reason.en}`,
              })),
          ],
        };
      });
    },

    async create(ctx: RequestContext, body: PermitDraftParsed) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const { content } = await contentFrom(tx, ctx, body, actor.userId, null);
        const code = await newCode(tx, content.type, now);
        const id = await repo.insert(tx, code, content, now);
        const p = (await repo.get(tx, id))!;
        await workflow.begin(
          tx,
          ctx,
          permitMachine,
          { id, path: p.path, record: await factsOf(tx, p) },
          {
            data: { type: p.type, title: p.title, nodeId: p.nodeId },
            label: `${p.code} ${p.title}`,
          },
        );
        return detail(tx, ctx, p);
      });
    },

    async update(ctx: RequestContext, id: number, body: PermitDraftParsed) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const p = guard.readable(ctx, 'permit.read', await repo.get(tx, id, true), 'permit', id);
        await guard.require(tx, ctx, 'permit.request', p, 'permit', id);
        if (p.state !== 'draft')
          throw refuse('transition_refused', {
            zh: '作业票已提交，内容不能修改（请变更为新票）',
            en: 'The permit was submitted: its content cannot change (revise it into a new permit)',
          });
        if (p.applicantId !== actor.userId)
          throw refuse('transition_refused', {
            zh: '只有申请人可以修改草稿',
            en: 'Only the applicant can edit the draft',
          });
        const { content } = await contentFrom(tx, ctx, body, actor.userId, p.supersedesId);
        await repo.updateContent(tx, id, { ...content, supersedesId: p.supersedesId }, now);
        await audit.append(tx, ctx, {
          action: 'permit.update',
          targetType: 'permit',
          targetId: id,
          nodeId: content.nodeId,
          before: { title: p.title, validFrom: p.validFrom.toISOString(), validTo: p.validTo.toISOString() },
          after: {
            title: content.title,
            validFrom: content.validFrom.toISOString(),
            validTo: content.validTo.toISOString(),
          },
          targetLabel: `${p.code} ${content.title}`,
        });
        return detail(tx, ctx, (await repo.get(tx, id))!);
      });
    },

    async remove(ctx: RequestContext, id: number, reason: string) {
      const actor = actorOf(ctx);
      return db.transaction(async (tx) => {
        const now = clock.now();
        await repo.setNow(tx, now);
        const p = guard.readable(ctx, 'permit.read', await repo.get(tx, id, true), 'permit', id);
        if (p.state === 'draft') {
          await guard.require(tx, ctx, 'permit.request', p, 'permit', id);
          if (p.applicantId !== actor.userId)
            throw refuse('transition_refused', {
              zh: '只有申请人可以删除草稿',
              en: 'Only the applicant can delete the draft',
            });
        } else if (TERMINAL.has(p.state)) {
          await guard.require(tx, ctx, 'permit.manage', p, 'permit', id);
          const rule = await ruleOf(tx, p.type, p.effectiveGrade);
          const until = new Date((p.endedAt ?? now).getTime() + rule.retentionDays * 86_400_000);
          if (now <= until)
            throw refuse(
              'retention_hold',
              {
                zh: `作业票须保存至 ${local(until)}（结束后 ${rule.retentionDays} 天），不能删除`,
                en: `The permit is kept until ${local(until)} (${rule.retentionDays} days after it ended): it cannot be deleted`,
              },
              { until: until.toISOString() },
            );
        } else {
          throw refuse('transition_refused', {
            zh: `作业票${PERMIT_STATE_LABELS[p.state].zh}，不能删除（请先取消）`,
            en: `The permit is ${PERMIT_STATE_LABELS[p.state].en.toLowerCase()}: cancel it first`,
          });
        }
        await workflow.cancelTimers(tx, 'permit', id);
        await repo.remove(tx, id);
        await audit.append(tx, ctx, {
          action: 'permit.delete',
          targetType: 'permit',
          targetId: id,
          nodeId: p.nodeId,
          reason,
          before: { code: p.code, state: p.state, type: p.type, title: p.title },
          targetLabel: `${p.code} ${p.title}`,
        });
        return { ok: true as const };
      });
    },

    act,
    recordAnalysis,

    // ─── Internal API (monitor, verify, PDF, archive) ─────────────────────────────────────────
    internal: {
      get: repo.get,
      activePermits: repo.activePermits,
      boundTags: repo.boundTags,
      suspend,
      permitContent,
      liveValues,
      gasMap,
      ruleOf,
      analysisFacts,
      insertAnalysis: repo.insertAnalysis,
      timersFor: async (tx: Db, p: Rec, now: Date) => permitTimers(p.state, await factsOf(tx, p), now),
      detail,
      title: (p: Rec) => PERMIT_FORM_TITLES[p.type],
      /** monitor.ts hands its handlers in here */
      setMonitor(m: Partial<typeof hooks>) {
        Object.assign(hooks, m);
      },
      get log() {
        return log;
      },
      archive,
      monitor,
    },
  };
  return service;
}

export type PermitService = ReturnType<typeof createPermitService>;
