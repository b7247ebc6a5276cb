import {
  type CellStatus,
  type Course,
  type CreateCourseSchema,
  type CreateRecordSchema,
  EXPIRING_WITHIN_DAYS,
  type MatrixQuerySchema,
  type MatrixSchema,
  type MyTrainingSchema,
  type NeedListSchema,
  type NeedsQuerySchema,
  PERMIT_TYPE_LABELS,
  type PlanNeedSchema,
  type RecordImportSchema,
  type RecordListQuerySchema,
  type SetRequirementSchema,
  type TrainingRecord,
  type UpdateRecordSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import type { AccessGuard } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import type { NotifyEventInput } from '../notify/index.js';
import { wallClock } from '../org/index.js';
import * as repo from './repo.js';
import { addMonths, cellOf, daysFrom, deriveNeeds, standingOf } from './rules.js';
import { type ImportRow, parseRecordTable } from './tabular.js';

type Out<T extends z.ZodType> = z.output<T>;

class RollBack extends Error {}

/** Training matrix, records, expiry reminders, derived needs. */
export function createTrainingService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  timezone: string;
  notify: { publish(tx: Db, events: NotifyEventInput[]): Promise<void>; wake(): void };
}) {
  const { db, audit, guard, clock, timezone, notify } = deps;
  const SYSTEM = systemContext('training');

  const actorOf = (ctx: RequestContext) => {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return { id: ctx.actor.userId, name: ctx.actor.displayName || ctx.actor.username };
  };
  const today = () => wallClock(clock.now(), timezone).day;
  const invalid = (message: string, field: string) => new AppError('validation_failed', message, { field });

  // --- courses ---

  function courseData(b: Out<typeof CreateCourseSchema>): repo.CourseData {
    const { reason: _r, ...data } = b;
    return data;
  }

  async function courseOr404(tx: Db, id: number, lock = false) {
    const c = await repo.course(tx, id, lock);
    if (!c) throw new AppError('not_found', `Course ${id} not found`);
    return c;
  }

  // --- records ---

  /** The person a record is about, visible to the caller (404 otherwise: existence not disclosed). */
  async function personFor(
    tx: Db,
    ctx: RequestContext,
    userId: number,
    permission: 'training.read' | 'training.manage',
  ) {
    const p = await repo.person(tx, userId);
    if (!p) throw new AppError('not_found', `Person ${userId} not found`);
    return guard.require(tx, ctx, permission, { id: p.id, path: p.path }, 'person', userId).then(() => p);
  }

  function withStanding(r: repo.StoredRecord, day: string): TrainingRecord {
    const standing: CellStatus = r.status === 'planned' ? 'planned' : standingOf(r.expiresOn, day);
    return { ...r, standing };
  }

  /** A record's fields checked against its course: expiry from the validity unless given, certificate where required. */
  function recordData(
    b: Out<typeof CreateRecordSchema>,
    course: Course,
    needKey: string | null,
  ): repo.RecordData {
    if (b.status === 'completed') {
      if (!b.completedOn) throw invalid('A completed training needs the day it was completed', 'completedOn');
      if (b.completedOn > today()) throw invalid('The completion day lies in the future', 'completedOn');
      if (course.certificateRequired && !b.certificateNo)
        throw invalid(`${course.nameZh} needs the certificate number (特种作业操作证号)`, 'certificateNo');
    } else if (!b.plannedOn) {
      throw invalid('A planned training needs the day it is planned for', 'plannedOn');
    }
    const expiresOn =
      b.status === 'planned'
        ? null
        : b.expiresOn !== undefined && b.expiresOn !== null
          ? b.expiresOn
          : course.validityMonths
            ? addMonths(b.completedOn!, course.validityMonths)
            : null;
    if (expiresOn && b.completedOn && expiresOn < b.completedOn)
      throw invalid('The expiry day lies before the completion day', 'expiresOn');
    return {
      userId: b.userId,
      courseId: b.courseId,
      status: b.status,
      completedOn: b.status === 'completed' ? b.completedOn : null,
      expiresOn,
      plannedOn: b.status === 'planned' ? b.plannedOn : null,
      score: b.score,
      passed: b.passed,
      certificateNo: b.certificateNo,
      trainer: b.trainer,
      note: b.note,
      needKey,
    };
  }

  async function insertAudited(
    tx: Db,
    ctx: RequestContext,
    d: repo.RecordData,
    reason: string,
    label: string,
  ) {
    const id = await repo.insertRecord(tx, d, clock.now());
    await audit.append(tx, ctx, {
      action: 'training.record.create',
      targetType: 'training_record',
      targetId: id,
      reason,
      after: d,
      targetLabel: label,
    });
    return id;
  }

  async function listRecords(ctx: RequestContext, q: Partial<Out<typeof RecordListQuerySchema>>) {
    const day = today();
    const all = (
      await repo.records(db, guard.scope(ctx, 'training.read'), {
        selfId: ctx.actor?.userId ?? null,
        userId: q.userId,
        courseId: q.courseId,
        status: q.status,
        q: q.q,
      })
    )
      .map((r) => withStanding(r, day))
      .filter((r) => !q.standing || r.standing === q.standing);
    const offset = q.offset ?? 0;
    return { items: all.slice(offset, offset + (q.limit ?? 200)), total: all.length };
  }

  // --- matrix ---

  async function buildMatrix(tx: Db, ctx: RequestContext, q: Partial<Out<typeof MatrixQuerySchema>>) {
    const day = today();
    const reqs = await repo.requirements(tx, q.postId);
    const courses = new Map((await repo.courses(tx)).map((c) => [c.id, c]));
    const persons = await repo.people(tx, guard.scope(ctx, 'training.read'), {
      postId: q.postId,
      nodeId: q.nodeId,
    });
    const recs = persons.length
      ? await repo.records(tx, { all: true }, { selfId: null, userIds: persons.map((p) => p.id) })
      : [];
    const byPersonCourse = new Map<string, repo.StoredRecord[]>();
    for (const r of recs) {
      const k = `${r.userId}:${r.courseId}`;
      byPersonCourse.set(k, [...(byPersonCourse.get(k) ?? []), r]);
    }
    const posts = new Map<number, { postId: number; postName: string; reqs: typeof reqs }>();
    for (const r of reqs) {
      const p = posts.get(r.postId) ?? { postId: r.postId, postName: r.postName, reqs: [] };
      p.reqs.push(r);
      posts.set(r.postId, p);
    }
    const out: Out<typeof MatrixSchema>['posts'] = [];
    for (const p of posts.values()) {
      const counts: Record<CellStatus, number> = {
        valid: 0,
        expiring: 0,
        expired: 0,
        missing: 0,
        planned: 0,
      };
      const holders = persons.filter((x) => x.postId === p.postId);
      const people = holders.map((h) => ({
        userId: h.id,
        name: h.name,
        employeeNo: h.employeeNo,
        teamName: h.teamName,
        cells: p.reqs.map((r) => {
          const cell = cellOf(byPersonCourse.get(`${h.id}:${r.courseId}`) ?? [], day);
          if (r.level === 'required') counts[cell.status]++;
          return { courseId: r.courseId, ...cell };
        }),
      }));
      out.push({
        postId: p.postId,
        postName: p.postName,
        courses: p.reqs.map((r) => {
          const c = courses.get(r.courseId)!;
          return {
            courseId: c.id,
            code: c.code,
            nameZh: c.nameZh,
            nameEn: c.nameEn,
            level: r.level,
            validityMonths: c.validityMonths,
          };
        }),
        people,
        counts,
      });
    }
    return { today: day, posts: out, persons, reqs, courses: [...courses.values()], byPersonCourse };
  }

  // --- reminders ---

  async function remindExpiring(): Promise<void> {
    const now = clock.now();
    const day = wallClock(now, timezone).day;
    const due = await repo.expiringRecords(db, addDays(day, EXPIRING_WITHIN_DAYS));
    let sent = 0;
    for (const d of due) {
      const stage = d.expiresOn < day ? 'expired' : 'expiring';
      // each in its own transaction: one bad record never holds back the others
      await db
        .transaction(async (tx) => {
          if (!(await repo.claimReminder(tx, d.id, stage, now))) return;
          const r = (await repo.record(tx, d.id))!;
          const p = await repo.person(tx, r.userId);
          const left = daysFrom(day, r.expiresOn!);
          const title =
            stage === 'expired'
              ? {
                  zh: `${r.userName} 的 ${r.courseName} 已于 ${r.expiresOn} 过期`,
                  en: `${r.courseName} of ${r.userName} expired on ${r.expiresOn}`,
                }
              : {
                  zh: `${r.userName} 的 ${r.courseName} 将于 ${r.expiresOn} 到期（剩 ${left} 天）`,
                  en: `${r.courseName} of ${r.userName} expires on ${r.expiresOn} (${left} days left)`,
                };
          await notify.publish(tx, [
            {
              kind: stage === 'expired' ? 'training.expired' : 'training.expiring',
              at: now,
              priority: stage === 'expired' ? 'high' : 'medium',
              path: p?.path ?? null,
              subject: `training-record:${r.id}:${stage}`,
              payload: {
                title,
                alarmText: null,
                value: null,
                link: `/training?tab=records&userId=${r.userId}`,
                // the person and the leader of their team; policies by role reach training.manage holders there
                assignee: {
                  userIds: [...new Set([r.userId, ...(p?.teamLeaderId ? [p.teamLeaderId] : [])])],
                },
              },
            },
          ]);
          sent++;
        })
        .catch((e: unknown) => {
          console.error(`training reminder for record ${d.id} failed:`, e);
        });
    }
    if (sent) notify.wake();
  }

  // --- needs ---

  async function computeNeeds(tx: Db, ctx: RequestContext, q: Partial<Out<typeof NeedsQuerySchema>>) {
    const days = q.days ?? 90;
    const now = clock.now();
    const since = new Date(now.getTime() - days * 86_400_000);
    const m = await buildMatrix(tx, ctx, {});
    const persons = q.userId ? m.persons.filter((p) => p.id === q.userId) : m.persons;
    const ids = persons.map((p) => p.id);
    const reqsByPost = new Map<number, typeof m.reqs>();
    for (const r of m.reqs) reqsByPost.set(r.postId, [...(reqsByPost.get(r.postId) ?? []), r]);
    const people = new Map(
      persons.map((p) => [
        p.id,
        {
          userId: p.id,
          name: p.name,
          postName: p.postName,
          postCourses: (p.postId ? (reqsByPost.get(p.postId) ?? []) : []).map((r) => ({
            courseId: r.courseId,
            level: r.level,
          })),
        },
      ]),
    );
    const cells = persons.flatMap((p) =>
      (p.postId ? (reqsByPost.get(p.postId) ?? []) : []).map((r) => {
        const c = cellOf(m.byPersonCourse.get(`${p.id}:${r.courseId}`) ?? [], m.today);
        return {
          userId: p.id,
          courseId: r.courseId,
          level: r.level,
          status: c.status,
          recordId: c.recordId,
          expiresOn: c.expiresOn,
        };
      }),
    );
    const completions = new Map<string, string>();
    for (const [k, list] of m.byPersonCourse)
      for (const r of list)
        if (r.status === 'completed' && r.completedOn && (completions.get(k) ?? '') < r.completedOn)
          completions.set(k, r.completedOn);
    const [skips, missed, refusals, hazards] = ids.length
      ? await Promise.all([
          repo.skippedSteps(tx, since, ids),
          repo.missedTasks(tx, since, ids),
          repo.refusedPermits(tx, since, ids),
          q.userId
            ? Promise.resolve([])
            : repo.behaviourHazards(tx, since, guard.scope(ctx, 'training.read')),
        ])
      : [[], [], [], []];
    let items = deriveNeeds({
      today: m.today,
      courses: m.courses,
      people,
      cells,
      skips,
      missed,
      refusals: refusals.map((r) => ({ ...r, typeName: PERMIT_TYPE_LABELS[r.type].zh })),
      hazards,
      completions,
    });
    if (q.reason) items = items.filter((n) => n.reason === q.reason);
    const planned = items.length
      ? await repo.records(
          tx,
          { all: true },
          { selfId: null, status: 'planned', needKeys: items.map((n) => n.key) },
        )
      : [];
    const plannedByKey = new Map(planned.map((r) => [r.needKey!, r.id]));
    return {
      from: since.toISOString(),
      to: now.toISOString(),
      items: items.map((n) => ({ ...n, plannedRecordId: plannedByKey.get(n.key) ?? null })),
    };
  }

  return {
    // --- courses ---
    async courses(_ctx: RequestContext) {
      return { items: await repo.courses(db) };
    },
    async courseHistory(_ctx: RequestContext, id: number) {
      await courseOr404(db, id);
      return { items: await repo.courseVersions(db, id) };
    },
    async createCourse(ctx: RequestContext, b: Out<typeof CreateCourseSchema>) {
      const by = actorOf(ctx);
      return db.transaction(async (tx) => {
        // courses belong to no plant node: editing them needs an enterprise-wide grant
        await guard.requireGlobal(tx, ctx, 'training.manage', 'training_course');
        const data = courseData(b);
        const now = clock.now();
        const id = await repo.insertCourse(tx, data, by, now);
        if (id === null)
          throw new AppError('conflict', `A course with the code ${b.code} exists already`, {
            field: 'code',
          });
        await repo.insertCourseVersion(tx, id, 1, data, by, now, b.reason);
        await audit.append(tx, ctx, {
          action: 'training.course.create',
          targetType: 'training_course',
          targetId: id,
          reason: b.reason,
          after: data,
          targetLabel: `${b.code} ${b.nameZh}`,
        });
        return (await repo.course(tx, id))!;
      });
    },
    async updateCourse(ctx: RequestContext, id: number, b: Out<typeof CreateCourseSchema>) {
      const by = actorOf(ctx);
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'training.manage', 'training_course');
        const before = await courseOr404(tx, id, true);
        const other = await repo.courseByCode(tx, b.code);
        if (other && other.id !== id)
          throw new AppError('conflict', `A course with the code ${b.code} exists already`, {
            field: 'code',
          });
        const data = courseData(b);
        const now = clock.now();
        const version = before.version + 1;
        await repo.updateCourse(tx, id, data, version, by, now);
        await repo.insertCourseVersion(tx, id, version, data, by, now, b.reason);
        const { id: _i, version: _v, updatedAt: _u, updatedByName: _n, ...old } = before;
        await audit.append(tx, ctx, {
          action: 'training.course.update',
          targetType: 'training_course',
          targetId: id,
          reason: b.reason,
          before: old,
          after: data,
          targetLabel: `${b.code} ${b.nameZh}`,
        });
        return (await repo.course(tx, id))!;
      });
    },

    // --- matrix ---
    async requirements(_ctx: RequestContext, postId?: number) {
      return { items: await repo.requirements(db, postId) };
    },
    async setRequirement(ctx: RequestContext, b: Out<typeof SetRequirementSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'training.manage', 'training_requirement');
        const post = await repo.post(tx, b.postId);
        if (!post) throw invalid(`No post ${b.postId}`, 'postId');
        const course = await repo.course(tx, b.courseId);
        if (!course) throw invalid(`No course ${b.courseId}`, 'courseId');
        const before = await repo.setRequirement(tx, b.postId, b.courseId, b.level);
        await audit.append(tx, ctx, {
          action: 'training.matrix.set',
          targetType: 'post',
          targetId: b.postId,
          reason: b.reason,
          before: { course: course.code, level: before },
          after: { course: course.code, level: b.level },
          targetLabel: `${post.name} × ${course.nameZh}`,
        });
        return { items: await repo.requirements(tx, b.postId) };
      });
    },
    /** The matrix per post: people holding it × required/recommended courses, valid/expiring/expired/missing. */
    async matrix(
      ctx: RequestContext,
      q: Partial<Out<typeof MatrixQuerySchema>>,
    ): Promise<Out<typeof MatrixSchema>> {
      const m = await buildMatrix(db, ctx, q);
      return { today: m.today, posts: m.posts };
    },

    // --- records ---
    records: listRecords,
    async record(ctx: RequestContext, id: number) {
      const r = await repo.record(db, id);
      if (!r) throw new AppError('not_found', `Training record ${id} not found`);
      if (r.userId !== ctx.actor?.userId) await personFor(db, ctx, r.userId, 'training.read');
      return withStanding(r, today());
    },
    async createRecord(ctx: RequestContext, b: Out<typeof CreateRecordSchema>) {
      actorOf(ctx);
      return db.transaction(async (tx) => {
        const p = await personFor(tx, ctx, b.userId, 'training.manage');
        const course = await repo.course(tx, b.courseId);
        if (!course) throw invalid(`No course ${b.courseId}`, 'courseId');
        const d = recordData(b, course, null);
        const id = await insertAudited(tx, ctx, d, b.reason, `${p.name} · ${course.nameZh}`);
        return withStanding((await repo.record(tx, id))!, today());
      });
    },
    async updateRecord(ctx: RequestContext, id: number, b: Out<typeof UpdateRecordSchema>) {
      actorOf(ctx);
      return db.transaction(async (tx) => {
        const before = await repo.record(tx, id);
        if (!before) throw new AppError('not_found', `Training record ${id} not found`);
        await personFor(tx, ctx, before.userId, 'training.manage');
        // moving a record to another person needs the right there too
        const p = b.userId === before.userId ? null : await personFor(tx, ctx, b.userId, 'training.manage');
        const course = await repo.course(tx, b.courseId);
        if (!course) throw invalid(`No course ${b.courseId}`, 'courseId');
        const d = recordData(b, course, before.needKey);
        await repo.updateRecord(tx, id, d, clock.now());
        await audit.append(tx, ctx, {
          action: 'training.record.update',
          targetType: 'training_record',
          targetId: id,
          reason: b.reason,
          before,
          after: d,
          targetLabel: `${p?.name ?? before.userName} · ${course.nameZh}`,
        });
        return withStanding((await repo.record(tx, id))!, today());
      });
    },
    async deleteRecord(ctx: RequestContext, id: number, reason: string) {
      actorOf(ctx);
      await db.transaction(async (tx) => {
        const before = await repo.record(tx, id);
        if (!before) throw new AppError('not_found', `Training record ${id} not found`);
        await personFor(tx, ctx, before.userId, 'training.manage');
        await repo.deleteRecord(tx, id);
        await audit.append(tx, ctx, {
          action: 'training.record.delete',
          targetType: 'training_record',
          targetId: id,
          reason,
          before,
          targetLabel: `${before.userName} · ${before.courseName}`,
        });
      });
      return { ok: true as const };
    },
    /** Every record the caller may read, filtered as the list (for the CSV/XLSX export). */
    async exportRecords(ctx: RequestContext, q: Partial<Out<typeof RecordListQuerySchema>>) {
      const { items } = await listRecords(ctx, { ...q, limit: 1_000_000, offset: 0 });
      return items;
    },
    /** Records from a CSV/XLSX file: all rows or none, every row's problems listed. */
    async importRecords(ctx: RequestContext, input: Out<typeof RecordImportSchema>) {
      actorOf(ctx);
      const { rows, problems } = await parseRecordTable(input.format, Buffer.from(input.content, 'base64'));
      if (problems) throw new AppError('validation_failed', problems, { field: 'content' });
      const errors: Array<{ row: number; field?: string; message: string }> = [];
      let created = 0;
      const run = db.transaction(async (tx) => {
        const courses = await repo.courses(tx);
        for (const row of rows) {
          const problem = (field: string, message: string) => errors.push({ row: row.row, field, message });
          const r: ImportRow = row;
          if (r.problems.length) {
            for (const p of r.problems) problem(p.field, p.message);
            continue;
          }
          const found = await repo.personByLogin(tx, r.username, r.employeeNo);
          const p = found.length === 1 ? found[0]! : null;
          if (!p || !guard.can(ctx, 'training.manage', p.path)) {
            problem(
              'username',
              found.length > 1
                ? `${r.username || r.employeeNo} names more than one person`
                : `Person ${r.username || r.employeeNo} not found, or outside your scope`,
            );
            continue;
          }
          const key = r.course.toLowerCase();
          const course = courses.find((c) => c.code.toLowerCase() === key || c.nameZh === r.course);
          if (!course) {
            problem('course', `No course ${r.course} (use its code or Chinese name)`);
            continue;
          }
          let d: repo.RecordData;
          try {
            d = recordData(
              { ...r.fields, userId: p.id, courseId: course.id, reason: input.reason },
              course,
              null,
            );
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
            const field = (e.details as { field?: string } | undefined)?.field;
            problem(field ?? 'row', e.message);
            continue;
          }
          if (errors.length) continue; // keep checking rows, but stop writing
          await insertAudited(tx, ctx, d, `import: ${input.reason}`, `${p.name} · ${course.nameZh}`);
          created++;
        }
        if (errors.length || input.dryRun) throw new RollBack();
      });
      try {
        await run;
      } catch (e) {
        if (!(e instanceof RollBack)) throw e;
        return { dryRun: input.dryRun, rows: rows.length, created: errors.length ? 0 : created, errors };
      }
      return { dryRun: false, rows: rows.length, created, errors };
    },

    // --- needs ---
    /** Suggested trainings with the evidence behind each (missing/expired courses, skips, missed inspections, refusals, hazards). */
    async needs(
      ctx: RequestContext,
      q: Partial<Out<typeof NeedsQuerySchema>>,
    ): Promise<Out<typeof NeedListSchema>> {
      return computeNeeds(db, ctx, q);
    },
    /** Turns a need of a person into a planned training (a record with status planned). */
    async planNeed(ctx: RequestContext, b: Out<typeof PlanNeedSchema>) {
      actorOf(ctx);
      const { items } = await computeNeeds(db, ctx, {});
      const need = items.find((n) => n.key === b.key);
      if (!need) throw new AppError('not_found', `No current training need ${b.key}`);
      if (need.subject.kind !== 'person' || !need.course)
        throw invalid(
          'Only a need of one person with a suggested course can be planned; export the others',
          'key',
        );
      if (need.plannedRecordId)
        throw new AppError('conflict', `This need is planned already (record ${need.plannedRecordId})`);
      const userId = need.subject.userId;
      const course = need.course;
      return db.transaction(async (tx) => {
        const p = await personFor(tx, ctx, userId, 'training.manage');
        const c = (await repo.course(tx, course.id))!;
        const d = recordData(
          {
            userId,
            courseId: c.id,
            status: 'planned',
            completedOn: null,
            plannedOn: b.plannedOn,
            score: null,
            passed: null,
            certificateNo: '',
            trainer: b.trainer,
            note: need.summary.zh,
            reason: b.reason,
          },
          c,
          need.key,
        );
        const id = await insertAudited(tx, ctx, d, b.reason, `${p.name} · ${c.nameZh}`);
        return withStanding((await repo.record(tx, id))!, today());
      });
    },

    /** The caller's own training (the phone's "my training"). */
    async mine(ctx: RequestContext): Promise<Out<typeof MyTrainingSchema>> {
      const { id } = actorOf(ctx);
      const day = today();
      if (id === null) return { today: day, required: [], records: [] };
      const p = await repo.person(db, id);
      const reqs = p?.postId ? await repo.requirements(db, p.postId) : [];
      const courses = new Map((await repo.courses(db)).map((c) => [c.id, c]));
      const recs = await repo.records(db, { all: false, paths: [] }, { selfId: id, userId: id });
      return {
        today: day,
        required: reqs.map((r) => {
          const c = courses.get(r.courseId)!;
          const cell = cellOf(
            recs.filter((x) => x.courseId === r.courseId),
            day,
          );
          return {
            courseId: c.id,
            code: c.code,
            nameZh: c.nameZh,
            nameEn: c.nameEn,
            level: r.level,
            status: cell.status,
            expiresOn: cell.expiresOn,
            daysLeft: cell.daysLeft,
          };
        }),
        records: recs.map((r) => withStanding(r, day)),
      };
    },

    /** Reminders for training records about to expire or expired (hourly; once per record and stage). */
    remindExpiring,
    /** For the audit of the system's own changes (demo seed). */
    system: SYSTEM,
  };
}

function addDays(day: string, n: number) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export type TrainingService = ReturnType<typeof createTrainingService>;
