import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AlarmKpiQuery,
  type AlarmKpiReport,
  type AuditQuery,
  type CreateReportScheduleSchema,
  type Permit,
  REPORT_KIND_LABELS,
  type ReportFile,
  type ReportFormat,
  type ReportKind,
  type ReportParams,
  ReportParamsSchema,
  type ReportRun,
  type ReportRunListQuerySchema,
  type ReportSchedule,
  type ShiftAnalysisResult,
  type TrainingNeed,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, invalid } from '../../errors.js';
import { writeFileDurably } from '../../lib/durable-file.js';
import type { AccessGuard } from '../access/guard.js';
import { grantsOf, holdersOfRoleAt } from '../access/index.js';
import type { StoredEntry } from '../audit/chain.js';
import type { AuditService } from '../audit/index.js';
import type { HazardRec } from '../hazard/repo.js';
import type { EventInput } from '../notify/repo.js';
import { buildReport, type KindDeps, type Shift } from './kinds.js';
import { renderReportPdf } from './pdf.js';
import {
  checkPeriod,
  cronProblem,
  dueOccurrences,
  fileBase,
  nextOccurrence,
  periodAt,
  reportTitle,
} from './period.js';
import * as repo from './repo.js';
import { renderReportXlsx } from './xlsx.js';

type In<T extends z.ZodType> = z.output<T>;

/** A run whose process stopped touching it this long ago was interrupted (a restart, a crash). */
export const RUN_STALE_MS = 120_000;
const HEARTBEAT_MS = 20_000;
/** A scheduled report's PDF is attached to its e-mail up to this size; beyond, the link alone. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const INTERRUPTED =
  '生成被中断（服务重启或进程退出），请重新生成 / Interrupted by a restart: generate it again';

export interface ReportLog {
  error(obj: object, msg: string): void;
}

export interface ReportAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface RenderOptions {
  /** whose scope the data is read in; default the system (everything) */
  ctx?: RequestContext;
  onProgress?: (percent: number) => void | Promise<void>;
  formats?: ReportFormat[];
}

export function createReportService(deps: {
  db: Db;
  audit: Pick<AuditService, 'append' | 'record' | 'search'>;
  guard: AccessGuard;
  clock: Clock;
  config: { timezone: string; dataDir: string };
  plant: { byId(id: number, tx?: Db): Promise<{ id: number; nameZh: string; path: string } | null> };
  org: { listShifts(): Promise<Shift[]> };
  notify: {
    publish(tx: Db, events: EventInput[]): Promise<void>;
    wake(): void;
    setAttachmentSource?(
      kind: 'report.ready',
      source: (subject: string) => Promise<ReportAttachment[]>,
    ): void;
  };
  kpi: { alarmPerformance(ctx: RequestContext, q: AlarmKpiQuery): Promise<AlarmKpiReport> };
  analysis?: {
    compare(
      ctx: RequestContext,
      q: { measure: 'faults'; dimension: 'shift'; from: string; to: string; nodeId?: number },
    ): Promise<ShiftAnalysisResult>;
  };
  training?: { needs(ctx: RequestContext, q: { days?: number }): Promise<{ items: TrainingNeed[] }> };
  inspection: { tasks: KindDeps['inspection'] };
  hazard: {
    register(
      ctx: RequestContext,
      q: { limit: number; offset: number; nodeId?: number },
    ): Promise<HazardRec[]>;
  };
  permit: {
    register(
      ctx: RequestContext,
      q: { nodeId?: number; from?: string; to?: string; limit: number; offset: number },
    ): Promise<Permit[]>;
  };
}) {
  const { db, audit, guard, clock, config } = deps;
  const timezone = config.timezone;
  let log: ReportLog = { error: (obj, msg) => console.error(msg, obj) };
  /** runs this process is working on (their heartbeat is ours) */
  const own = new Set<number>();
  let draining: Promise<void> | null = null;

  const kindDeps = (): KindDeps => ({
    db,
    timezone,
    now: clock.now(),
    shifts: () => deps.org.listShifts(),
    kpi: deps.kpi,
    analysis: deps.analysis,
    training: deps.training,
    inspection: deps.inspection.tasks,
    hazard: deps.hazard,
    permit: deps.permit,
    audit: deps.audit as { search(q: AuditQuery): Promise<{ items: StoredEntry[]; total: number }> },
  });

  async function nodeOf(nodeId: number | null) {
    if (nodeId === null) return null;
    const n = await deps.plant.byId(nodeId);
    if (!n)
      throw invalid(`Plant node ${nodeId} does not exist`, [
        { path: 'params.nodeId', message: 'unknown plant node' },
      ]);
    return { id: n.id, name: n.nameZh, path: n.path };
  }

  /** The caller may have this report: report.read at its node (the enterprise for none), audit.export for the audit extract. */
  async function requireReport(
    ctx: RequestContext,
    kind: ReportKind,
    nodeId: number | null,
    permission: 'report.read' | 'report.generate' | 'report.manage',
  ) {
    const node = await nodeOf(nodeId);
    if (node)
      await guard.require(null, ctx, permission, { id: node.id, path: node.path }, 'plant node', node.id);
    else await guard.requireGlobal(null, ctx, permission, 'enterprise-wide report');
    if (kind === 'audit_extract') await guard.requireGlobal(null, ctx, 'audit.export', 'audit_log');
    return node;
  }

  function checkParams(kind: ReportKind, params: ReportParams) {
    checkPeriod(params);
    if (params.shiftId !== undefined && kind !== 'shift_daily')
      throw invalid('A shift is chosen only for the daily shift report', [
        { path: 'params.shiftId', message: 'not for this report' },
      ]);
  }

  async function render(
    kind: ReportKind,
    rawParams: z.input<typeof ReportParamsSchema>,
    opts: RenderOptions = {},
  ) {
    const params = ReportParamsSchema.parse(rawParams);
    checkParams(kind, params);
    const node = await nodeOf(params.nodeId);
    if (params.shiftId !== undefined && !(await deps.org.listShifts()).some((s) => s.id === params.shiftId))
      throw invalid(`Shift ${params.shiftId} does not exist`, [
        { path: 'params.shiftId', message: 'unknown shift' },
      ]);
    const formats = opts.formats ?? ['pdf', 'xlsx'];
    const step = async (p: number) => {
      await opts.onProgress?.(Math.round(p));
    };
    const doc = await buildReport(kindDeps(), {
      ctx: opts.ctx ?? systemContext('report'),
      kind,
      params,
      node,
      progress: (f) => step(5 + f * 60),
    });
    // The PDF reports progress synchronously, block by block: stored in order, awaited after it.
    let stored = Promise.resolve();
    const pdfStep = (f: number) => {
      stored = stored
        .then(() => step(65 + f * 25))
        .catch((err) => log.error({ err }, 'report progress not stored'));
    };
    const pdf = formats.includes('pdf') ? await renderReportPdf(doc, pdfStep) : null;
    await stored;
    await step(92);
    const xlsx = formats.includes('xlsx') ? await renderReportXlsx(doc) : null;
    await step(98);
    return { title: doc.title, pdf, xlsx };
  }

  /** The identity a run reads data as: its requester's grants now, or the system for a schedule. */
  async function runContext(r: repo.RunRow): Promise<RequestContext> {
    if (r.scheduleId !== null || !r.requestedBy?.id) return systemContext('report-schedule');
    const grants = await grantsOf(db, r.requestedBy.id);
    return {
      actor: {
        userId: r.requestedBy.id,
        username: r.requestedBy.name,
        displayName: r.requestedBy.name,
        kind: 'person',
        grants,
        passwordChangeRequired: false,
      },
      requestId: null,
      ip: null,
    };
  }

  /** Generates one queued run to done or failed; false when another process took it. */
  async function run(id: number): Promise<boolean> {
    if (!(await repo.claimRun(db, id, clock.now()))) return false;
    own.add(id);
    const beat = setInterval(() => {
      repo
        .setProgress(db, id, 0, clock.now())
        .catch((err) => log.error({ err, run: id }, 'report heartbeat failed'));
    }, HEARTBEAT_MS);
    beat.unref();
    try {
      const r = (await repo.getRun(db, id))!;
      const out = await render(r.kind, r.params, {
        ctx: await runContext(r),
        onProgress: (p) => repo.setProgress(db, id, p, clock.now()),
      });
      const now = clock.now();
      const stamp = now.toISOString().slice(0, 7).replace('-', '/');
      const base = fileBase(r.title);
      const files: (ReportFile & { file: string })[] = [];
      for (const [format, bytes] of [
        ['pdf', out.pdf],
        ['xlsx', out.xlsx],
      ] as const) {
        if (!bytes) continue;
        const rel = path.posix.join(
          'reports',
          stamp,
          `${id}-${r.kind}.${randomBytes(4).toString('hex')}.${format}`,
        );
        await writeFileDurably(path.join(config.dataDir, rel), bytes);
        files.push({
          format,
          name: `${base}.${format}`,
          file: rel,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.length,
        });
      }
      await db.transaction(async (tx) => {
        await repo.finishRun(tx, id, files, now);
        await audit.append(tx, systemContext('report'), {
          action: 'report.archive',
          targetType: 'report_run',
          targetId: id,
          targetLabel: r.title,
          nodeId: r.nodeId,
          after: {
            kind: r.kind,
            params: r.params,
            requestedBy: r.requestedBy?.name ?? null,
            scheduleId: r.scheduleId,
            files: files.map((f) => ({ format: f.format, sha256: f.sha256, size: f.size })),
          },
        });
      });
    } catch (e) {
      const message = e instanceof AppError ? e.message : `${(e as Error).message ?? e}`;
      log.error({ err: e, run: id }, 'report generation failed');
      await repo.failRun(db, id, message, clock.now());
    } finally {
      clearInterval(beat);
      own.delete(id);
    }
    return true;
  }

  /** Works off the queued runs in the background, one at a time; one drain per process. */
  function kick() {
    if (draining) return draining;
    draining = (async () => {
      try {
        for (;;) {
          const ids = await repo.queuedRunIds(db, 10);
          if (!ids.length) break;
          for (const id of ids) await run(id);
        }
      } catch (err) {
        log.error({ err }, 'report queue failed');
      } finally {
        draining = null;
      }
    })();
    return draining;
  }

  async function present(r: repo.RunRow): Promise<ReportRun> {
    return {
      id: r.id,
      kind: r.kind,
      params: r.params,
      title: r.title,
      nodeName: r.nodeName,
      status: r.status,
      progress: r.progress,
      error: r.error,
      files: r.files.map(({ file: _f, ...f }) => f),
      requestedBy: r.requestedBy,
      scheduleId: r.scheduleId,
      occurrence: r.occurrence,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
    };
  }

  async function readableRun(ctx: RequestContext, id: number) {
    const r = await repo.getRun(db, id);
    if (!r) throw new AppError('not_found', `Report ${id} not found`);
    if (r.nodeId !== null) guard.readable(ctx, 'report.read', { id: r.id, path: r.nodePath }, 'report', id);
    else await guard.requireGlobal(null, ctx, 'report.read', 'enterprise-wide report');
    if (r.kind === 'audit_extract') await guard.requireGlobal(null, ctx, 'audit.export', 'audit_log');
    return r;
  }

  // ------------------------------------------------------------ schedules

  async function presentSchedule(s: repo.ScheduleRow): Promise<ReportSchedule> {
    const n = await repo.names(db, s.recipients.userIds, s.recipients.roleIds);
    const next = s.enabled ? nextOccurrence(s.cron, timezone, clock.now()) : null;
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      nodeId: s.nodeId,
      nodeName: s.nodeName,
      period: s.period,
      cron: s.cron,
      recipients: s.recipients,
      recipientNames: [
        ...s.recipients.userIds.map((id) => n.users.get(id) ?? `#${id}`),
        ...s.recipients.roleIds.map((id) => `角色：${n.roles.get(id) ?? `#${id}`}`),
      ],
      enabled: s.enabled,
      nextAt: next?.toISOString() ?? null,
      lastOccurrence: s.lastOccurrence,
      createdBy: s.createdBy,
      createdAt: s.createdAt,
    };
  }

  async function checkSchedule(ctx: RequestContext, input: In<typeof CreateReportScheduleSchema>) {
    const problem = cronProblem(input.cron, timezone);
    if (problem)
      throw invalid(`The cron "${input.cron}" does not parse: ${problem}`, [
        { path: 'cron', message: problem },
      ]);
    await requireReport(ctx, input.kind, input.nodeId, 'report.manage');
    const n = await repo.names(db, input.recipients.userIds, input.recipients.roleIds);
    const unknownUsers = input.recipients.userIds.filter((id) => !n.users.has(id));
    const unknownRoles = input.recipients.roleIds.filter((id) => !n.roles.has(id));
    if (unknownUsers.length || unknownRoles.length)
      throw invalid(
        `Unknown recipients: ${[...unknownUsers.map((u) => `user ${u}`), ...unknownRoles.map((r) => `role ${r}`)].join(', ')}`,
        [{ path: 'recipients', message: 'unknown user or role' }],
      );
  }

  /** The people a finished scheduled run goes to: named users and role holders at its node. */
  async function recipientsOf(s: repo.ScheduleRow) {
    const ids = new Set(s.recipients.userIds);
    for (const roleId of s.recipients.roleIds)
      for (const u of await holdersOfRoleAt(db, roleId, s.nodePath)) ids.add(Number(u));
    return [...ids];
  }

  async function publishFinished() {
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const ids = await repo.unpublished(tx, 20);
        const now = clock.now();
        for (const id of ids) {
          const r = (await repo.getRun(tx, id))!;
          const s = r.scheduleId === null ? null : await repo.getSchedule(tx, r.scheduleId);
          const userIds = s ? await recipientsOf(s) : [];
          if (s && r.status === 'done' && userIds.length) {
            await deps.notify.publish(tx, [
              {
                kind: 'report.ready',
                at: now,
                priority: null,
                path: r.nodePath,
                subject: `report:${r.id}`,
                payload: {
                  title: { zh: r.title, en: `${REPORT_KIND_LABELS[r.kind].en}: ${r.title}` },
                  alarmText: null,
                  value: null,
                  link: `/reports?run=${r.id}`,
                  assignee: { userIds },
                },
              },
            ]);
          }
          await repo.markPublished(tx, id, now);
        }
        return ids.length;
      });
      if (n > 0) deps.notify.wake();
      if (n < 20) return;
    }
  }

  // The e-mail of a report.ready event carries the run's PDF (the other channels send the link).
  deps.notify.setAttachmentSource?.('report.ready', async (subject) => {
    const id = Number(/^report:(\d+)$/.exec(subject)?.[1]);
    if (!id) return [];
    const r = await repo.getRun(db, id);
    const pdf = r?.files.find((f) => f.format === 'pdf');
    // Too big for a mailbox, or gone from the disk: the e-mail still goes, with the link only.
    if (!pdf || pdf.size > MAX_ATTACHMENT_BYTES) return [];
    try {
      const content = await readFile(path.join(config.dataDir, pdf.file));
      return [{ filename: pdf.name, contentType: 'application/pdf', content }];
    } catch (err) {
      log.error({ err, run: id }, 'the report PDF could not be read for the e-mail');
      return [];
    }
  });

  return {
    setLogger(l: ReportLog) {
      log = l;
    },

    render,
    run,

    /** Resolves when the background queue is empty (tests, shutdown). */
    async idle() {
      while (draining) await draining;
    },

    /** Queues a report for the caller; the work runs in the background (GET /api/reports/:id shows progress). */
    async generate(
      ctx: RequestContext,
      kind: ReportKind,
      rawParams: z.input<typeof ReportParamsSchema>,
    ): Promise<ReportRun> {
      const params = ReportParamsSchema.parse(rawParams);
      checkParams(kind, params);
      const node = await requireReport(ctx, kind, params.nodeId, 'report.generate');
      const shifts = params.shiftId !== undefined ? await deps.org.listShifts() : [];
      const shift = params.shiftId !== undefined ? shifts.find((s) => s.id === params.shiftId) : undefined;
      if (params.shiftId !== undefined && !shift)
        throw invalid(`Shift ${params.shiftId} does not exist`, [
          { path: 'params.shiftId', message: 'unknown shift' },
        ]);
      const title = reportTitle(kind, params, node?.name ?? null, shift?.name);
      const id = await db.transaction(async (tx) => {
        const runId = (await repo.insertRun(tx, {
          kind,
          params,
          title,
          requestedBy: {
            id: ctx.actor?.userId ?? null,
            name: ctx.actor?.displayName ?? ctx.actor?.username ?? '',
          },
          now: clock.now(),
        }))!;
        await audit.append(tx, ctx, {
          action: 'report.generate',
          targetType: 'report_run',
          targetId: runId,
          targetLabel: title,
          nodeId: node?.id ?? null,
          after: { kind, params },
        });
        return runId;
      });
      void kick();
      return present((await repo.getRun(db, id))!);
    },

    async get(ctx: RequestContext, id: number) {
      return present(await readableRun(ctx, id));
    },

    async list(ctx: RequestContext, q: In<typeof ReportRunListQuerySchema>) {
      const page = await repo.listRuns(
        db,
        guard.scope(ctx, 'report.read'),
        q,
        guard.can(ctx, 'audit.export', null),
      );
      return { items: await Promise.all(page.items.map(present)), total: page.total };
    },

    /** The archived file, checked against its hash; the download is audited. */
    async download(ctx: RequestContext, id: number, format: ReportFormat) {
      const r = await readableRun(ctx, id);
      const f = r.files.find((x) => x.format === format);
      if (r.status !== 'done' || !f)
        throw new AppError('not_found', `Report ${id} has no ${format.toUpperCase()} file (${r.status})`);
      const bytes = await readFile(path.join(config.dataDir, f.file));
      if (createHash('sha256').update(bytes).digest('hex') !== f.sha256)
        throw new AppError(
          'internal',
          `The archived file of report ${id} does not match its SHA-256: it was changed on disk`,
        );
      await audit.record(ctx, {
        action: 'report.download',
        targetType: 'report_run',
        targetId: id,
        targetLabel: r.title,
        nodeId: r.nodeId,
        after: { format, sha256: f.sha256 },
      });
      return {
        bytes,
        name: f.name,
        contentType:
          format === 'pdf'
            ? 'application/pdf'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      };
    },

    async listSchedules(ctx: RequestContext) {
      const all = await repo.listSchedules(db, guard.scope(ctx, 'report.read'));
      const visible = all.filter((s) => (s.nodeId === null ? guard.can(ctx, 'report.read', null) : true));
      return Promise.all(visible.map(presentSchedule));
    },

    async createSchedule(ctx: RequestContext, input: In<typeof CreateReportScheduleSchema>) {
      await checkSchedule(ctx, input);
      const id = await db.transaction(async (tx) => {
        const sid = await repo.insertSchedule(tx, input, ctx.actor?.userId ?? null, clock.now());
        await audit.append(tx, ctx, {
          action: 'report.schedule.create',
          targetType: 'report_schedule',
          targetId: sid,
          targetLabel: input.name,
          nodeId: input.nodeId,
          reason: input.reason,
          after: { ...input, reason: undefined },
        });
        return sid;
      });
      return presentSchedule((await repo.getSchedule(db, id))!);
    },

    async updateSchedule(ctx: RequestContext, id: number, input: In<typeof CreateReportScheduleSchema>) {
      const before = await repo.getSchedule(db, id);
      if (!before) throw new AppError('not_found', `Report schedule ${id} not found`);
      await requireReport(ctx, before.kind, before.nodeId, 'report.manage');
      await checkSchedule(ctx, input);
      await db.transaction(async (tx) => {
        await repo.updateSchedule(tx, id, input, clock.now());
        await audit.append(tx, ctx, {
          action: 'report.schedule.update',
          targetType: 'report_schedule',
          targetId: id,
          targetLabel: input.name,
          nodeId: input.nodeId,
          reason: input.reason,
          before,
          after: { ...input, reason: undefined },
        });
      });
      return presentSchedule((await repo.getSchedule(db, id))!);
    },

    async deleteSchedule(ctx: RequestContext, id: number, reason: string) {
      const before = await repo.getSchedule(db, id);
      if (!before) throw new AppError('not_found', `Report schedule ${id} not found`);
      await requireReport(ctx, before.kind, before.nodeId, 'report.manage');
      await db.transaction(async (tx) => {
        await repo.deleteSchedule(tx, id, clock.now());
        await audit.append(tx, ctx, {
          action: 'report.schedule.delete',
          targetType: 'report_schedule',
          targetId: id,
          targetLabel: before.name,
          nodeId: before.nodeId,
          reason,
          before,
        });
      });
    },

    /**
     * Every minute (scheduler role): interrupted runs failed, each due (schedule, occurrence) queued
     * once (a unique row, also with two schedulers), the queue worked off, finished scheduled runs
     * published as report.ready once.
     */
    async runSchedules(): Promise<void> {
      const now = clock.now();
      await repo.failInterrupted(db, INTERRUPTED, now, new Date(now.getTime() - RUN_STALE_MS), [...own]);
      for (const s of await repo.listSchedules(db, null)) {
        if (!s.enabled) continue;
        const after =
          s.lastOccurrence && new Date(s.lastOccurrence) > s.dueFrom ? new Date(s.lastOccurrence) : s.dueFrom;
        let due: Date[];
        try {
          due = dueOccurrences(s.cron, timezone, after, now);
        } catch (err) {
          log.error({ err, schedule: s.id }, 'report schedule cron does not parse');
          continue;
        }
        for (const occurrence of due) {
          const params: ReportParams = { nodeId: s.nodeId, ...periodAt(s.period, occurrence, timezone) };
          await repo.insertRun(db, {
            kind: s.kind,
            params,
            title: reportTitle(s.kind, params, s.nodeName),
            requestedBy: null,
            scheduleId: s.id,
            occurrence,
            now,
          });
        }
      }
      await kick();
      await publishFinished();
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
