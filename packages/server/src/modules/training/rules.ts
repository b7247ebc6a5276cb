import {
  type CellStatus,
  type Course,
  EXPIRING_WITHIN_DAYS,
  NEED_REASON_LABELS,
  type NeedEvidence,
  type NeedReason,
  type PermitType,
  type RequirementLevel,
  type TrainingNeed,
} from '@aegis/shared';

// The pure core of training: validity, standing of a person with a course, and the needs
// derived from what happened (thresholds and weights in one place).

/** YYYY-MM-DD plus whole months, the day clamped to the month's end (31 Jan + 1 → 28/29 Feb). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const idx = y * 12 + (m - 1) + months;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export const daysFrom = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Where one completion stands today: valid up to and including its expiry day. */
export function standingOf(expiresOn: string | null, today: string): 'valid' | 'expiring' | 'expired' {
  if (expiresOn === null) return 'valid';
  const left = daysFrom(today, expiresOn);
  if (left < 0) return 'expired';
  return left <= EXPIRING_WITHIN_DAYS ? 'expiring' : 'valid';
}

export interface RecordFacts {
  id: number;
  status: 'completed' | 'planned';
  completedOn: string | null;
  expiresOn: string | null;
}

/**
 * A person's standing with one course from all their records of it: the completion that
 * lasts longest counts (a renewal supersedes the old certificate); none → planned or missing.
 */
export function cellOf(records: RecordFacts[], today: string) {
  const done = records.filter((r) => r.status === 'completed');
  let best: RecordFacts | null = null;
  for (const r of done) {
    if (!best) best = r;
    else if (best.expiresOn !== null && (r.expiresOn === null || r.expiresOn > best.expiresOn)) best = r;
    else if (r.expiresOn === best.expiresOn && (r.completedOn ?? '') > (best.completedOn ?? '')) best = r;
  }
  if (!best) {
    const planned = records.find((r) => r.status === 'planned');
    return {
      status: (planned ? 'planned' : 'missing') as CellStatus,
      recordId: planned?.id ?? null,
      completedOn: null,
      expiresOn: null,
      daysLeft: null,
    };
  }
  return {
    status: standingOf(best.expiresOn, today) as CellStatus,
    recordId: best.id,
    completedOn: best.completedOn,
    expiresOn: best.expiresOn,
    daysLeft: best.expiresOn === null ? null : daysFrom(today, best.expiresOn),
  };
}

// --- needs ---

/** How much evidence makes a need, and how heavily each piece weighs in the score. */
export const NEED_RULES = {
  /** ≥ 2 skipped steps of procedures in the window: one skip with a reason can be right. */
  sopSkips: { min: 2, weight: 4 },
  /** ≥ 2 missed inspection tasks in the window. */
  missedInspections: { min: 2, weight: 3 },
  /** One refusal of a permit at approval already shows a gap. */
  permitRejections: { min: 1, weight: 5 },
  /** ≥ 2 behaviour hazards (违章) charged to one department in the window. */
  behaviourHazards: { min: 2, weight: 2 },
  missing: { weight: 10 },
  expired: { weight: 10 },
  expiring: { weight: 3 },
} as const;

export interface PersonFacts {
  userId: number;
  name: string;
  postName: string | null;
  /** Courses of the person's post (matrix), for the fallback 岗位操作规程. */
  postCourses: Array<{ courseId: number; level: RequirementLevel }>;
}

export interface CellFacts {
  userId: number;
  courseId: number;
  level: RequirementLevel;
  status: CellStatus;
  recordId: number | null;
  expiresOn: string | null;
}

export interface SkipFact {
  userId: number;
  runId: number;
  idx: number;
  sopId: number;
  sopCode: string;
  sopName: string;
  at: string;
  skipReason: string;
}
export interface MissedFact {
  userId: number;
  taskId: number;
  planId: number;
  planName: string;
  checkpointName: string;
  at: string;
}
export interface RefusalFact {
  userId: number;
  permitId: number;
  code: string;
  type: PermitType;
  typeName: string;
  at: string;
  reason: string;
}
export interface HazardFact {
  hazardId: number;
  code: string;
  title: string;
  departmentId: number;
  departmentName: string;
  cause: string;
  at: string;
}

export interface NeedInputs {
  today: string;
  courses: Course[];
  people: Map<number, PersonFacts>;
  /** Required courses of each person's post with their standing. */
  cells: CellFacts[];
  skips: SkipFact[];
  missed: MissedFact[];
  refusals: RefusalFact[];
  hazards: HazardFact[];
  /** The latest completion day per `${userId}:${courseId}`: training after the evidence settles it. */
  completions: Map<string, string>;
}

type Need = Omit<TrainingNeed, 'plannedRecordId'>;
const courseRef = (c: Course | undefined | null) =>
  c ? { id: c.id, code: c.code, nameZh: c.nameZh, nameEn: c.nameEn } : null;

/** The suggested trainings, highest score first, each with the evidence behind it. */
export function deriveNeeds(inp: NeedInputs): Need[] {
  const active = inp.courses.filter((c) => c.active);
  const byId = new Map(inp.courses.map((c) => [c.id, c]));
  const out: Need[] = [];
  const personSubject = (userId: number) => {
    const p = inp.people.get(userId);
    return { kind: 'person' as const, userId, name: p?.name ?? `#${userId}`, postName: p?.postName ?? null };
  };
  const settled = (userId: number, course: Course | null, lastAt: string) => {
    const done = course ? inp.completions.get(`${userId}:${course.id}`) : undefined;
    return done !== undefined && done >= lastAt.slice(0, 10);
  };

  for (const c of inp.cells) {
    if (c.level !== 'required') continue;
    const reason: NeedReason | null =
      c.status === 'missing' || c.status === 'planned'
        ? 'missing'
        : c.status === 'expired'
          ? 'expired'
          : c.status === 'expiring'
            ? 'expiring'
            : null;
    if (!reason) continue;
    const course = byId.get(c.courseId);
    if (!course) continue;
    const who = personSubject(c.userId);
    const evidence: NeedEvidence[] = c.recordId
      ? [
          {
            kind: 'record',
            id: c.recordId,
            at: c.expiresOn ?? inp.today,
            label:
              reason === 'missing'
                ? `已计划 ${course.nameZh}`
                : `${course.nameZh} ${reason === 'expired' ? '已于' : '将于'} ${c.expiresOn} 到期`,
            link: `/training?tab=records&userId=${c.userId}`,
          },
        ]
      : [];
    const words = NEED_REASON_LABELS[reason];
    out.push({
      key: `${reason}:u${c.userId}:c${course.id}`,
      reason,
      subject: who,
      course: courseRef(course),
      score: NEED_RULES[reason].weight,
      summary: {
        zh: `${who.name}（${who.postName ?? '无岗位'}）：${words.zh}——${course.nameZh}${c.expiresOn ? `（${c.expiresOn}）` : ''}`,
        en: `${who.name} (${who.postName ?? 'no post'}): ${words.en} — ${course.nameEn}${c.expiresOn ? ` (${c.expiresOn})` : ''}`,
      },
      evidence,
    });
  }

  // skipped procedure steps → the procedure's course, else the post's 岗位操作规程
  const skipGroups = new Map<string, { userId: number; course: Course | null; items: SkipFact[] }>();
  for (const s of inp.skips) {
    const course =
      active.find((c) => c.sopIds.includes(s.sopId)) ??
      postProcedureCourse(inp.people.get(s.userId), byId) ??
      null;
    const key = `sop_skips:u${s.userId}:${course ? `c${course.id}` : `sop${s.sopId}`}`;
    const g = skipGroups.get(key) ?? { userId: s.userId, course, items: [] };
    g.items.push(s);
    skipGroups.set(key, g);
  }
  for (const [key, g] of skipGroups) {
    if (g.items.length < NEED_RULES.sopSkips.min) continue;
    const last = maxAt(g.items);
    if (settled(g.userId, g.course, last)) continue;
    const who = personSubject(g.userId);
    const sops = [...new Set(g.items.map((s) => s.sopCode))].join('、');
    out.push({
      key,
      reason: 'sop_skips',
      subject: who,
      course: courseRef(g.course),
      score: g.items.length * NEED_RULES.sopSkips.weight,
      summary: {
        zh: `${who.name} 跳过操作规程步骤 ${g.items.length} 次（${sops}）${g.course ? `，建议培训：${g.course.nameZh}` : '，尚无对应课程：请建立岗位操作规程课程'}`,
        en: `${who.name} skipped procedure steps ${g.items.length} times (${sops})${g.course ? `; suggested: ${g.course.nameEn}` : '; no course covers it yet: create a post procedure course'}`,
      },
      evidence: g.items.map((s) => ({
        kind: 'sop_run' as const,
        id: s.runId,
        at: s.at,
        label: `${s.sopCode} ${s.sopName} 第 ${s.idx} 步跳过：${s.skipReason || '未说明原因'}`,
        link: `/sop/runs/${s.runId}`,
      })),
    });
  }

  // missed inspections → the inspection course of that plan, else any inspection course
  const missGroups = new Map<string, { userId: number; course: Course | null; items: MissedFact[] }>();
  for (const m of inp.missed) {
    const course =
      active.find((c) => c.inspectionPlanIds.includes(m.planId)) ??
      active.find((c) => c.kind === 'inspection' && c.inspectionPlanIds.length === 0) ??
      null;
    const key = `missed_inspections:u${m.userId}:${course ? `c${course.id}` : `plan${m.planId}`}`;
    const g = missGroups.get(key) ?? { userId: m.userId, course, items: [] };
    g.items.push(m);
    missGroups.set(key, g);
  }
  for (const [key, g] of missGroups) {
    if (g.items.length < NEED_RULES.missedInspections.min) continue;
    if (settled(g.userId, g.course, maxAt(g.items))) continue;
    const who = personSubject(g.userId);
    const plans = [...new Set(g.items.map((m) => m.planName))].join('、');
    out.push({
      key,
      reason: 'missed_inspections',
      subject: who,
      course: courseRef(g.course),
      score: g.items.length * NEED_RULES.missedInspections.weight,
      summary: {
        zh: `${who.name} 漏检 ${g.items.length} 次（${plans}）${g.course ? `，建议培训：${g.course.nameZh}` : '，尚无巡检培训课程'}`,
        en: `${who.name} missed ${g.items.length} inspections (${plans})${g.course ? `; suggested: ${g.course.nameEn}` : '; no inspection course yet'}`,
      },
      evidence: g.items.map((m) => ({
        kind: 'inspection_task' as const,
        id: m.taskId,
        at: m.at,
        label: `${m.planName} · ${m.checkpointName} 未检`,
        link: `/inspection/tasks/${m.taskId}`,
      })),
    });
  }

  // permits refused at approval → the course of that permit type
  const refGroups = new Map<string, { userId: number; course: Course | null; items: RefusalFact[] }>();
  for (const r of inp.refusals) {
    const course = active.find((c) => c.permitTypes.includes(r.type)) ?? null;
    const key = `permit_rejections:u${r.userId}:${course ? `c${course.id}` : `type-${r.type}`}`;
    const g = refGroups.get(key) ?? { userId: r.userId, course, items: [] };
    g.items.push(r);
    refGroups.set(key, g);
  }
  for (const [key, g] of refGroups) {
    if (g.items.length < NEED_RULES.permitRejections.min) continue;
    if (settled(g.userId, g.course, maxAt(g.items))) continue;
    const who = personSubject(g.userId);
    const types = [...new Set(g.items.map((r) => r.typeName))].join('、');
    out.push({
      key,
      reason: 'permit_rejections',
      subject: who,
      course: courseRef(g.course),
      score: g.items.length * NEED_RULES.permitRejections.weight,
      summary: {
        zh: `${who.name} 申请的${types}作业票被驳回 ${g.items.length} 次${g.course ? `，建议培训：${g.course.nameZh}` : `，尚无${types}安全培训课程`}`,
        en: `${g.items.length} ${types} permit(s) of ${who.name} refused at approval${g.course ? `; suggested: ${g.course.nameEn}` : '; no course for this permit type yet'}`,
      },
      evidence: g.items.map((r) => ({
        kind: 'permit' as const,
        id: r.permitId,
        at: r.at,
        label: `${r.code} ${r.typeName} 驳回：${r.reason}`,
        link: `/permits/${r.permitId}`,
      })),
    });
  }

  // behaviour hazards (违章) charged to a department → its people's behaviour/induction course
  const hazardCourse =
    active.find((c) => c.hazardTypes.includes('behavior')) ??
    active.find((c) => c.kind === 'induction') ??
    null;
  const hzGroups = new Map<number, HazardFact[]>();
  for (const h of inp.hazards) hzGroups.set(h.departmentId, [...(hzGroups.get(h.departmentId) ?? []), h]);
  for (const [departmentId, items] of hzGroups) {
    if (items.length < NEED_RULES.behaviourHazards.min) continue;
    const name = items[0]!.departmentName;
    out.push({
      key: `behaviour_hazards:d${departmentId}:${hazardCourse ? `c${hazardCourse.id}` : 'none'}`,
      reason: 'behaviour_hazards',
      subject: { kind: 'department', departmentId, name },
      course: courseRef(hazardCourse),
      score: items.length * NEED_RULES.behaviourHazards.weight,
      summary: {
        zh: `${name} 行为类隐患（违章）${items.length} 起${hazardCourse ? `，建议全员培训：${hazardCourse.nameZh}` : ''}`,
        en: `${items.length} behaviour hazards (violations) in ${name}${hazardCourse ? `; suggested for all: ${hazardCourse.nameEn}` : ''}`,
      },
      evidence: items.map((h) => ({
        kind: 'hazard' as const,
        id: h.hazardId,
        at: h.at,
        label: `${h.code} ${h.title}${h.cause ? `（原因：${h.cause}）` : ''}`,
        link: `/hazards/${h.hazardId}`,
      })),
    });
  }

  return out.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
}

/** The latest instant of the evidence (ISO strings sort as time). */
const maxAt = (items: { at: string }[]) =>
  items
    .map((x) => x.at)
    .sort()
    .at(-1) ?? '';

function postProcedureCourse(p: PersonFacts | undefined, byId: Map<number, Course>) {
  if (!p) return undefined;
  const mine = p.postCourses
    .map((pc) => ({ ...pc, course: byId.get(pc.courseId) }))
    .filter((x) => x.course?.active && x.course.kind === 'post_procedure')
    .sort((a, b) => (a.level === b.level ? 0 : a.level === 'required' ? -1 : 1));
  return mine[0]?.course;
}
