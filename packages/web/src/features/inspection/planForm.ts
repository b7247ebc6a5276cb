import { type Assignee, type Plan, PlanDraftPreviewSchema, type Schedule } from '@aegis/shared';
import { describeCron, weekdays } from './cron';

export type ScheduleKind = Schedule['kind'];
export type StopMode = 'route' | 'checkpoints';

/** An assignee as one string for one select: 'user:5', 'post:3', 'team:2', 'shift_on_duty'. */
export type AssigneeKey = string;

export function assigneeKey(a: Assignee): AssigneeKey {
  switch (a.kind) {
    case 'user':
      return `user:${a.userId}`;
    case 'post':
      return `post:${a.postId}`;
    case 'team':
      return `team:${a.teamId}`;
    default:
      return 'shift_on_duty';
  }
}

/** The assignee a key stands for; null for a key this UI did not make. */
export function parseAssigneeKey(key: AssigneeKey | null | undefined): Assignee | null {
  if (key === 'shift_on_duty') return { kind: 'shift_on_duty' };
  const m = /^(user|post|team):([1-9][0-9]*)$/.exec(key ?? '');
  if (!m) return null;
  const id = Number(m[2]);
  if (m[1] === 'user') return { kind: 'user', userId: id };
  if (m[1] === 'post') return { kind: 'post', postId: id };
  return { kind: 'team', teamId: id };
}

export interface StopValues {
  checkpointId: number;
  /** null: the plan's template */
  templateId: number | null;
}

/** The plan editor's form: flat where antd wants it flat. */
export interface PlanFormValues {
  code: string;
  name: string;
  description: string;
  nodeId: number | null;
  templateId: number | null;
  stopMode: StopMode;
  routeId: number | null;
  stops: StopValues[];
  scheduleKind: ScheduleKind;
  shiftIds: number[];
  times: string[];
  days: number[];
  cron: string;
  assignee: AssigneeKey | null;
  startOffsetMin: number;
  dueAfterMin: number;
  graceMin: number;
  remindBeforeMin: number;
  requireScan: boolean;
  onMissingScan: 'refuse' | 'flag';
  requirePhotoOnAbnormal: boolean;
  controlMeasureIds: number[];
  active: boolean;
}

export type PlanFormWithReason = PlanFormValues & { reason?: string };

/** A new plan: daily at 08:00 for the team on duty, two hours to do it and one more of grace. */
export function newPlanValues(nodeId: number | null = null): PlanFormValues {
  return {
    code: '',
    name: '',
    description: '',
    nodeId,
    templateId: null,
    stopMode: 'route',
    routeId: null,
    stops: [],
    scheduleKind: 'daily',
    shiftIds: [],
    times: ['08:00'],
    days: [1, 2, 3, 4, 5],
    cron: '0 8 * * 1-5',
    assignee: 'shift_on_duty',
    startOffsetMin: 0,
    dueAfterMin: 120,
    graceMin: 60,
    remindBeforeMin: 30,
    requireScan: true,
    onMissingScan: 'refuse',
    requirePhotoOnAbnormal: true,
    controlMeasureIds: [],
    active: true,
  };
}

export function valuesFromPlan(p: Plan): PlanFormValues {
  const blank = newPlanValues(p.nodeId);
  const s = p.schedule;
  return {
    code: p.code,
    name: p.name,
    description: p.description,
    nodeId: p.nodeId,
    templateId: p.templateId,
    stopMode: p.routeId !== null ? 'route' : 'checkpoints',
    routeId: p.routeId,
    stops: p.stops.map((x) => ({ checkpointId: x.checkpointId, templateId: x.templateId })),
    scheduleKind: s.kind,
    shiftIds: s.kind === 'shift' ? [...s.shiftIds] : blank.shiftIds,
    times: s.kind === 'daily' || s.kind === 'weekly' ? [...s.times] : blank.times,
    days: s.kind === 'weekly' ? [...s.days] : blank.days,
    cron: s.kind === 'cron' ? s.expression : blank.cron,
    assignee: assigneeKey(p.assignee),
    startOffsetMin: p.window.startOffsetMin,
    dueAfterMin: p.window.dueAfterMin,
    graceMin: p.window.graceMin,
    remindBeforeMin: p.window.remindBeforeMin,
    requireScan: p.requireScan,
    onMissingScan: p.onMissingScan,
    requirePhotoOnAbnormal: p.requirePhotoOnAbnormal,
    controlMeasureIds: [...p.controlMeasureIds],
    active: p.active,
  };
}

const sortedTimes = (times: string[]) => [...new Set(times.map((x) => x.trim()))].sort();

export function scheduleFromValues(v: PlanFormValues): Schedule {
  switch (v.scheduleKind) {
    case 'shift':
      return { kind: 'shift', shiftIds: [...(v.shiftIds ?? [])] };
    case 'weekly':
      return {
        kind: 'weekly',
        days: [...new Set(v.days ?? [])].sort((a, b) => a - b),
        times: sortedTimes(v.times ?? []),
      };
    case 'cron':
      return { kind: 'cron', expression: (v.cron ?? '').trim().replace(/\s+/g, ' ') };
    default:
      return { kind: 'daily', times: sortedTimes(v.times ?? []) };
  }
}

/** The plan the form describes; the route mode sends no stops (the route's order applies). */
export function planFromValues(v: PlanFormValues) {
  const byRoute = v.stopMode === 'route';
  return {
    code: v.code.trim(),
    name: v.name.trim(),
    description: (v.description ?? '').trim(),
    nodeId: v.nodeId ?? 0,
    templateId: v.templateId ?? 0,
    routeId: byRoute ? (v.routeId ?? null) : null,
    stops: byRoute
      ? []
      : (v.stops ?? []).map((s) => ({ checkpointId: s.checkpointId, templateId: s.templateId ?? null })),
    schedule: scheduleFromValues(v),
    assignee: parseAssigneeKey(v.assignee) ?? { kind: 'shift_on_duty' as const },
    window: {
      startOffsetMin: v.startOffsetMin ?? 0,
      dueAfterMin: v.dueAfterMin ?? 60,
      graceMin: v.graceMin ?? 0,
      remindBeforeMin: v.remindBeforeMin ?? 0,
    },
    requireScan: v.requireScan,
    onMissingScan: v.onMissingScan,
    requirePhotoOnAbnormal: v.requirePhotoOnAbnormal,
    controlMeasureIds: [...(v.controlMeasureIds ?? [])],
    active: v.active,
  };
}

/** A change to a stored plan: everything but the node (fixed once created), with the reason. */
export function planUpdateFromValues(v: PlanFormValues, reason: string) {
  const { nodeId: _node, ...rest } = planFromValues(v);
  return { ...rest, reason: reason.trim() };
}

/**
 * What the editor asks the server to preview (POST /plans/preview) for the form as it stands:
 * node, schedule and window; null while one of them is incomplete or invalid, so nothing is sent.
 */
export function draftPreviewFromValues(v: PlanFormValues, hours = 24 * 7) {
  const { nodeId, schedule, window } = planFromValues(v);
  const draft = { nodeId, schedule, window, hours };
  return PlanDraftPreviewSchema.safeParse(draft).success ? draft : null;
}

const en = (lang: string) => lang === 'en-US';

/** "1 小时 30 分钟" / "1 h 30 min"; whole days as days. */
export function durationText(minutes: number, lang: string): string {
  const m = Math.abs(minutes);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const r = m % 60;
  const parts: string[] = [];
  if (en(lang)) {
    if (d) parts.push(`${d} d`);
    if (h) parts.push(`${h} h`);
    if (r || parts.length === 0) parts.push(`${r} min`);
    return parts.join(' ');
  }
  if (d) parts.push(`${d} 天`);
  if (h) parts.push(`${h} 小时`);
  if (r || parts.length === 0) parts.push(`${r} 分钟`);
  return parts.join(' ');
}

/** When the plan's tasks fall, in words: "每天 08:00、20:00", "每班开始时：早班、中班", "每周一至周五 08:00". */
export function describeSchedule(s: Schedule, lang: string, shiftName: (id: number) => string): string {
  const sep = en(lang) ? ', ' : '、';
  switch (s.kind) {
    case 'shift':
      if (s.shiftIds.length === 0) return en(lang) ? 'At the start of every shift' : '每班开始时';
      return en(lang)
        ? `At the start of shift ${s.shiftIds.map(shiftName).join(sep)}`
        : `每班开始时：${s.shiftIds.map(shiftName).join(sep)}`;
    case 'daily':
      return en(lang) ? `Every day at ${s.times.join(sep)}` : `每天 ${s.times.join(sep)}`;
    case 'weekly':
      return en(lang)
        ? `${weekdays(s.days, lang)} at ${s.times.join(sep)}`
        : `${weekdays(s.days, lang)} ${s.times.join(sep)}`;
    default:
      return describeCron(s.expression, lang) ?? `cron ${s.expression}`;
  }
}

/** The task window in words: when it opens, when it is due, when it counts as missed. */
export function describeWindow(
  w: { startOffsetMin: number; dueAfterMin: number; graceMin: number; remindBeforeMin: number },
  lang: string,
): string {
  const d = (m: number) => durationText(m, lang);
  if (en(lang)) {
    const opens =
      w.startOffsetMin === 0
        ? 'opens at the time'
        : w.startOffsetMin < 0
          ? `opens ${d(w.startOffsetMin)} before`
          : `opens ${d(w.startOffsetMin)} after`;
    const parts = [opens, `due ${d(w.dueAfterMin)} after`, `missed ${d(w.dueAfterMin + w.graceMin)} after`];
    if (w.remindBeforeMin > 0) parts.push(`reminder ${d(w.remindBeforeMin)} before due`);
    return parts.join(' · ');
  }
  const opens =
    w.startOffsetMin === 0
      ? '到点开放'
      : w.startOffsetMin < 0
        ? `提前 ${d(w.startOffsetMin)}开放`
        : `${d(w.startOffsetMin)}后开放`;
  const parts = [opens, `${d(w.dueAfterMin)}内完成`, `${d(w.dueAfterMin + w.graceMin)}后记为漏检`];
  if (w.remindBeforeMin > 0) parts.push(`到期前 ${d(w.remindBeforeMin)}提醒`);
  return parts.join(' · ');
}
