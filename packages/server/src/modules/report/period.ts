import {
  REPORT_KIND_LABELS,
  REPORT_MAX_DAYS,
  type ReportKind,
  type ReportParams,
  type ReportPeriod,
} from '@aegis/shared';
import { Cron } from 'croner';
import { invalid } from '../../errors.js';
import { addDays, daysBetween, wallClock, zonedInstant } from '../org/shift-time.js';

// Pure rules of report periods: checking parameters, the period a schedule's occurrence covers,
// the due occurrences of a cron, and the words that name a report.

/** Refuses a period that is not a real, ordered span of at most REPORT_MAX_DAYS days. */
export function checkPeriod(params: Pick<ReportParams, 'from' | 'to'>) {
  const real = (d: string) =>
    !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
    new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d;
  const bad: { path: string; message: string }[] = [];
  if (!real(params.from)) bad.push({ path: 'params.from', message: 'not a calendar day' });
  if (!real(params.to)) bad.push({ path: 'params.to', message: 'not a calendar day' });
  if (bad.length) throw invalid(`${bad.map((b) => b.path).join(', ')}: not a calendar day (YYYY-MM-DD)`, bad);
  const days = daysBetween(params.from, params.to) + 1;
  if (days < 1)
    throw invalid(`The period starts (${params.from}) after it ends (${params.to})`, [
      { path: 'params.to', message: 'before from' },
    ]);
  if (days > REPORT_MAX_DAYS)
    throw invalid(`The period is ${days} days long; a report covers at most ${REPORT_MAX_DAYS} days`, [
      { path: 'params.to', message: `more than ${REPORT_MAX_DAYS} days after from` },
    ]);
  return days;
}

/** The plant-time days [from, to] a schedule's occurrence covers. */
export function periodAt(period: ReportPeriod, at: Date, timezone: string): { from: string; to: string } {
  const today = wallClock(at, timezone).day;
  switch (period) {
    case 'yesterday': {
      const y = addDays(today, -1);
      return { from: y, to: y };
    }
    case 'last_week': {
      // ISO weeks: Monday to Sunday before the week of `at`
      const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
      const monday = addDays(today, -weekday - 7);
      return { from: monday, to: addDays(monday, 6) };
    }
    case 'last_month': {
      const [y, m] = today.split('-').map(Number) as [number, number];
      const first = m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
      return { from: first, to: addDays(`${today.slice(0, 8)}01`, -1) };
    }
  }
}

/** The instants [start, end) of plant-time days from..to. */
export function daySpan(from: string, to: string, timezone: string) {
  return {
    start: zonedInstant(from, '00:00', timezone),
    end: zonedInstant(addDays(to, 1), '00:00', timezone),
  };
}

/** Whether a five/six-field cron parses; the error in words otherwise. */
export function cronProblem(expression: string, timezone: string): string | null {
  try {
    const job = new Cron(expression, { timezone, paused: true });
    const next = job.nextRun(new Date());
    job.stop();
    return next ? null : 'the cron never fires';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * The occurrences of `cron` in (after, upTo], oldest first, at most `limit` (a scheduler that was
 * down a long time catches up the latest ones only).
 */
export function dueOccurrences(cron: string, timezone: string, after: Date, upTo: Date, limit = 3): Date[] {
  const job = new Cron(cron, { timezone, paused: true });
  const out: Date[] = [];
  let at: Date | null = after;
  for (let i = 0; i < 1000; i++) {
    at = job.nextRun(at);
    if (!at || at.getTime() > upTo.getTime()) break;
    out.push(at);
  }
  job.stop();
  return out.slice(-limit);
}

/** The next occurrence after `after`, or null. */
export function nextOccurrence(cron: string, timezone: string, after: Date): Date | null {
  const job = new Cron(cron, { timezone, paused: true });
  const next = job.nextRun(after);
  job.stop();
  return next;
}

/** "安全周报 · 化工车间 · 2026-02-23 至 2026-03-01" */
export function reportTitle(
  kind: ReportKind,
  params: ReportParams,
  nodeName: string | null,
  shiftName?: string | null,
) {
  const period = params.from === params.to ? params.from : `${params.from} 至 ${params.to}`;
  return [REPORT_KIND_LABELS[kind].zh, nodeName ?? '全厂', period, shiftName ?? null]
    .filter(Boolean)
    .join(' · ');
}

/** A file name safe on every system: the title's words, no separators. */
export function fileBase(title: string) {
  return title
    .replace(/\s*·\s*/g, '_')
    .replace(/[\\/:*?"<>|\s]+/g, '_')
    .slice(0, 120);
}
