import {
  type AlarmKpiQuery,
  type AlarmKpiReport,
  type AuditQuery,
  HAZARD_GRADE_LABELS,
  HAZARD_STATE_LABELS,
  PERMIT_GRADE_LABELS,
  PERMIT_STATE_LABELS,
  PERMIT_TYPE_LABELS,
  type Permit,
  REPORT_KIND_LABELS,
  type ReportKind,
  type ReportParams,
  renderAlarmText,
  type ShiftAnalysisResult,
  type TrainingNeed,
} from '@aegis/shared';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import type { StoredEntry as StoredAuditEntry } from '../audit/chain.js';
import type { HazardRec } from '../hazard/repo.js';
import { addDays, daysBetween, shiftSpan } from '../org/shift-time.js';
import type { CellValue, ReportDocument, Section, TableBlock } from './document.js';
import { plantDate } from './document.js';
import { daySpan, reportTitle } from './period.js';
import * as repo from './repo.js';

/**
 * Each report kind as a document (document.ts), from the modules' own data: the registers through
 * their services' register() rows, the alarm-performance report through services.kpi, the shift and
 * weekly figures from repo.windowFigures. The caller's context scopes every service call.
 */

export interface Shift {
  id: number;
  name: string;
  startTime: string;
  endTime: string;
}

/** The register rows of the inspection module (its XLSX register's data). */
interface InspectionRegisterRow {
  task: {
    id: number;
    planCode: string;
    planName: string;
    checkpointCode: string;
    checkpointName: string;
    nodeName: string;
    shiftName: string | null;
    assignee: { name: string };
    dueAt: string;
    state: string;
    doneAt: string | null;
    doneByName: string | null;
    result: string | null;
  };
  abnormal: string[];
}

export interface KindDeps {
  db: Db;
  timezone: string;
  now: Date;
  shifts(): Promise<Shift[]>;
  kpi: { alarmPerformance(ctx: RequestContext, q: AlarmKpiQuery): Promise<AlarmKpiReport> };
  analysis?: {
    compare(
      ctx: RequestContext,
      q: {
        measure: 'faults' | 'alarms' | 'hazards' | 'missed_inspections';
        dimension: 'shift';
        from: string;
        to: string;
        nodeId?: number;
      },
    ): Promise<ShiftAnalysisResult>;
  };
  training?: { needs(ctx: RequestContext, q: { days?: number }): Promise<{ items: TrainingNeed[] }> };
  inspection: {
    register(
      ctx: RequestContext,
      q: { from?: string; to?: string; nodeId?: number; limit: number; offset: number },
    ): Promise<InspectionRegisterRow[]>;
  };
  hazard: {
    register(
      ctx: RequestContext,
      q: { nodeId?: number; limit: number; offset: number },
    ): Promise<HazardRec[]>;
  };
  permit: {
    register(
      ctx: RequestContext,
      q: { nodeId?: number; from?: string; to?: string; limit: number; offset: number },
    ): Promise<Permit[]>;
  };
  audit: { search(q: AuditQuery): Promise<{ items: StoredAuditEntry[]; total: number }> };
}

export interface KindInput {
  ctx: RequestContext;
  kind: ReportKind;
  params: ReportParams;
  node: { id: number; name: string; path: string } | null;
  progress(fraction: number): Promise<void>;
}

const STATE_ZH: Record<string, string> = {
  planned: '待开始',
  open: '进行中',
  in_progress: '执行中',
  done: '已完成',
  overdue: '已超期',
  done_late: '超期完成',
  missed: '未检',
  cancelled: '已取消',
};
const RESULT_ZH: Record<string, string> = { ok: '正常', abnormal: '异常', not_checked: '未检' };
const PRIORITY_ZH: Record<string, string> = { critical: '紧急', high: '高', medium: '中', low: '低' };

export async function buildReport(deps: KindDeps, input: KindInput): Promise<ReportDocument> {
  const { params, node } = input;
  const shiftName =
    input.kind === 'shift_daily' && params.shiftId
      ? ((await deps.shifts()).find((s) => s.id === params.shiftId)?.name ?? null)
      : null;
  const base: ReportDocument = {
    title: reportTitle(input.kind, params, node?.name ?? null, shiftName),
    facts: [
      ['报表', REPORT_KIND_LABELS[input.kind].zh],
      ['范围', node?.name ?? '全厂'],
      ['期间', params.from === params.to ? params.from : `${params.from} 至 ${params.to}`],
      ['生成时间', `${fmt(plantDate(deps.now, deps.timezone))}（${deps.timezone}）`],
    ],
    sections: [],
    timezone: deps.timezone,
    generatedAt: deps.now,
  };
  const path = node?.path ?? (await repo.rootPath(deps.db));
  switch (input.kind) {
    case 'shift_daily':
      return shiftDaily(deps, input, base, path);
    case 'weekly_safety':
      return weekly(deps, input, base, path);
    case 'monthly_alarm':
      return monthlyAlarm(deps, input, base);
    case 'inspection_register':
      return inspectionRegister(deps, input, base);
    case 'hazard_register':
      return hazardRegister(deps, input, base);
    case 'permit_register':
      return permitRegister(deps, input, base);
    case 'audit_extract':
      return auditExtract(deps, input, base);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
const fmt = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
const local = (deps: KindDeps, at: Date | string | null): Date | null =>
  at ? plantDate(at, deps.timezone) : null;

// ---------------------------------------------------------------- 交接班日报

async function shiftDaily(deps: KindDeps, input: KindInput, doc: ReportDocument, path: string) {
  const shifts = (await deps.shifts()).filter((s) => !input.params.shiftId || s.id === input.params.shiftId);
  const days: string[] = [];
  for (let d = input.params.from; d <= input.params.to; d = addDays(d, 1)) days.push(d);
  const slots = days.flatMap((day) => shifts.map((shift) => ({ day, shift })));
  if (!slots.length)
    doc.sections.push({
      heading: '班次',
      blocks: [{ type: 'note', text: '没有定义班次（组织机构 → 班次），无法按班次统计。' }],
    });
  let i = 0;
  for (const { day, shift } of slots) {
    const { startsAt, endsAt } = shiftSpan(day, shift, deps.timezone);
    const f = await repo.windowFigures(deps.db, path, startsAt, endsAt);
    const standing = await repo.activeAlarmsAt(deps.db, path, endsAt);
    const runs = await repo.emergencyRuns(deps.db, path, startsAt, endsAt);
    const locks = await repo.lockouts(deps.db, path, startsAt, endsAt);
    const heading = `${day} ${shift.name}（${shift.startTime}–${shift.endTime}）`;
    doc.sections.push({
      heading,
      blocks: [
        {
          type: 'figures',
          items: [
            { label: '报警（触发）', value: f.alarmsRaised, note: `其中紧急/高 ${f.alarmsHigh}` },
            {
              label: '交班时未消除报警',
              value: standing.length,
              note: `未确认 ${standing.filter((s) => !s.acked).length}`,
            },
            { label: '联锁动作', value: f.interlocks, note: `失败/未确认 ${f.interlocksFailed}` },
            {
              label: '点检 完成/应检',
              value: `${f.inspectionsDone}/${f.inspectionsDue}`,
              note: `未检 ${f.inspectionsMissed}`,
            },
            { label: '隐患 新增/关闭', value: `${f.hazardsOpened}/${f.hazardsClosed}` },
            { label: '作业票 在作业/暂停', value: `${f.permitsWorked}/${f.permitsSuspended}` },
            { label: '上锁挂牌', value: f.lockouts },
            { label: '应急处置/演练', value: `${f.emergencies}/${f.drills}` },
          ],
        },
        {
          type: 'table',
          sheet: `${day.slice(5)} ${shift.name} 交班报警`,
          columns: [
            { header: '优先级', width: 8 },
            { header: '报警', width: 40 },
            { header: '位置', width: 30 },
            { header: '触发时间', width: 18, type: 'datetime' },
            { header: '已确认', width: 8 },
          ],
          rows: standing.map((a) => [
            PRIORITY_ZH[a.priority] ?? a.priority,
            a.message,
            a.place ?? '',
            local(deps, a.since),
            a.acked ? '是' : '否',
          ]),
          empty: '交班时没有未消除的报警。',
        },
        ...(locks.length
          ? [
              {
                type: 'table' as const,
                sheet: `${day.slice(5)} ${shift.name} 上锁挂牌`,
                columns: [
                  { header: '编号', width: 16 },
                  { header: '设备/位置', width: 24 },
                  { header: '原因', width: 34 },
                  { header: '上锁时间', width: 18, type: 'datetime' as const },
                  { header: '解锁时间', width: 18, type: 'datetime' as const },
                ],
                rows: locks.map((l) => [
                  l.code,
                  l.place,
                  l.reason,
                  local(deps, l.created_at),
                  local(deps, l.released_at),
                ]),
              },
            ]
          : []),
        ...(runs.length
          ? [
              {
                type: 'table' as const,
                sheet: `${day.slice(5)} ${shift.name} 应急`,
                columns: [
                  { header: '编号', width: 16 },
                  { header: '预案', width: 30 },
                  { header: '类型', width: 8 },
                  { header: '开始', width: 18, type: 'datetime' as const },
                  { header: '结束', width: 18, type: 'datetime' as const },
                ],
                rows: runs.map((r) => [
                  r.code,
                  r.plan,
                  r.mode === 'drill' ? '演练' : '实战',
                  local(deps, r.started_at),
                  local(deps, r.closed_at),
                ]),
              },
            ]
          : []),
      ],
    });
    await input.progress(++i / slots.length);
  }
  return doc;
}

// ---------------------------------------------------------------- 安全周报

const FIGURE_ROWS: [keyof repo.WindowFigures, string][] = [
  ['alarmsRaised', '报警触发'],
  ['alarmsHigh', '紧急/高优先级报警'],
  ['interlocks', '联锁动作'],
  ['inspectionsDue', '应检点检任务'],
  ['inspectionsDone', '已完成点检'],
  ['inspectionsMissed', '未检'],
  ['hazardsOpened', '新增隐患'],
  ['hazardsClosed', '关闭隐患'],
  ['permitsWorked', '作业票（作业中）'],
  ['permitsSuspended', '作业票暂停'],
  ['lockouts', '上锁挂牌'],
  ['emergencies', '应急处置（实战）'],
  ['drills', '应急演练'],
];

async function weekly(deps: KindDeps, input: KindInput, doc: ReportDocument, path: string) {
  const { params, ctx } = input;
  const days = daysBetween(params.from, params.to) + 1;
  const cur = daySpan(params.from, params.to, deps.timezone);
  const prevFrom = addDays(params.from, -days);
  const prev = daySpan(prevFrom, addDays(params.from, -1), deps.timezone);
  const now = await repo.windowFigures(deps.db, path, cur.start, cur.end);
  const before = await repo.windowFigures(deps.db, path, prev.start, prev.end);
  await input.progress(0.2);
  const delta = (a: number, b: number) => (a === b ? '持平' : a > b ? `+${a - b}` : `${a - b}`);
  doc.sections.push({
    heading: '一、本期与上期对比',
    blocks: [
      {
        type: 'figures',
        items: FIGURE_ROWS.slice(0, 8).map(([k, label]) => ({
          label,
          value: now[k],
          note: `上期 ${before[k]}（${delta(now[k], before[k])}）`,
        })),
      },
      {
        type: 'table',
        sheet: '本期与上期',
        columns: [
          { header: '指标', width: 24 },
          { header: `本期 ${params.from}～${params.to}`, width: 18, type: 'number' },
          { header: `上期 ${prevFrom}～${addDays(params.from, -1)}`, width: 18, type: 'number' },
          { header: '变化', width: 10, type: 'number' },
        ],
        rows: FIGURE_ROWS.map(([k, label]) => [label, now[k], before[k], now[k] - before[k]]),
      },
    ],
  });
  // Alarms per day of the period, by priority (a stacked bar).
  const perDay = await repo.alarmsPerDay(deps.db, path, cur.start, cur.end, deps.timezone);
  const dayList: string[] = [];
  for (let d = params.from; d <= params.to; d = addDays(d, 1)) dayList.push(d);
  const prios = ['critical', 'high', 'medium', 'low'];
  const count = (d: string, p: string) => Number(perDay.find((r) => r.day === d && r.priority === p)?.n ?? 0);
  doc.sections.push({
    heading: '二、报警趋势',
    blocks: [
      {
        type: 'chart',
        chart: {
          kind: 'bar',
          title: '每日报警数（按优先级）',
          stacked: true,
          categories: dayList.map((d) => d.slice(5)),
          series: prios.map((p, i) => ({
            name: PRIORITY_ZH[p]!,
            values: dayList.map((d) => count(d, p)),
            color: ['#c62828', '#e8710a', '#f2b705', '#1f6fd1'][i],
          })),
          xLabel: '日期',
          yLabel: '报警数',
        },
      },
    ],
  });
  await input.progress(0.4);
  // Open hazards by grade and the overdue ones.
  const hazards = await deps.hazard.register(ctx, { nodeId: input.node?.id, limit: 10_000, offset: 0 });
  const open = hazards.filter((h) => h.state !== 'closed' && h.state !== 'rejected');
  const overdue = open.filter((h) => h.overdue);
  doc.sections.push({
    heading: '三、隐患',
    blocks: [
      {
        type: 'chart',
        height: 110,
        chart: {
          kind: 'pie',
          title: `未关闭隐患 ${open.length} 项（按等级）`,
          slices: [
            { label: '重大隐患', value: open.filter((h) => h.grade === 'major').length, color: '#c62828' },
            { label: '一般隐患', value: open.filter((h) => h.grade === 'general').length, color: '#e8710a' },
            { label: '待定级', value: open.filter((h) => !h.grade).length, color: '#9e9e9e' },
          ],
        },
      },
      {
        type: 'table',
        sheet: '超期隐患',
        columns: [
          { header: '编号', width: 14 },
          { header: '标题', width: 30 },
          { header: '等级', width: 8 },
          { header: '责任人', width: 10 },
          { header: '整改期限', width: 16, type: 'datetime' },
        ],
        rows: overdue.map((h) => [
          h.code,
          h.title,
          h.grade ? HAZARD_GRADE_LABELS[h.grade].zh : '',
          h.responsible?.name ?? '',
          local(deps, h.deadline),
        ]),
        empty: '没有超期未整改的隐患。',
      },
    ],
  });
  await input.progress(0.6);
  const permits = await deps.permit.register(ctx, {
    nodeId: input.node?.id,
    from: cur.start.toISOString(),
    to: cur.end.toISOString(),
    limit: 10_000,
    offset: 0,
  });
  const byType = new Map<string, number>();
  for (const p of permits) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
  const runs = await repo.emergencyRuns(deps.db, path, cur.start, cur.end);
  doc.sections.push({
    heading: '四、作业票与应急演练',
    blocks: [
      {
        type: 'chart',
        height: 150,
        chart: {
          kind: 'bar',
          title: `本期作业票 ${permits.length} 张（按类型）`,
          categories: [...byType.keys()].map((t) => PERMIT_TYPE_LABELS[t as Permit['type']]?.zh ?? t),
          series: [{ name: '作业票', values: [...byType.values()] }],
          yLabel: '张',
        },
      },
      {
        type: 'table',
        sheet: '应急处置与演练',
        columns: [
          { header: '编号', width: 16 },
          { header: '预案', width: 30 },
          { header: '类型', width: 8 },
          { header: '开始', width: 18, type: 'datetime' },
          { header: '结束', width: 18, type: 'datetime' },
        ],
        rows: runs.map((r) => [
          r.code,
          r.plan,
          r.mode === 'drill' ? '演练' : '实战',
          local(deps, r.started_at),
          local(deps, r.closed_at),
        ]),
        empty: '本期没有应急处置或演练。',
      },
    ],
  });
  await input.progress(0.75);
  const left: string[] = [];
  // The shift comparison and training needs come from their modules when those answer.
  const compare = await deps.analysis
    ?.compare(ctx, {
      measure: 'faults',
      dimension: 'shift',
      from: params.from,
      to: params.to,
      nodeId: input.node?.id,
    })
    .catch(() => null);
  if (compare) {
    doc.sections.push({
      heading: '五、班次对比（设备故障率）',
      blocks: [
        { type: 'note', text: compare.finding.zh },
        {
          type: 'table',
          sheet: '班次对比',
          columns: [
            { header: '班次', width: 16 },
            { header: '次数', width: 10, type: 'number' },
            { header: '时长（小时）', width: 12, type: 'number' },
            { header: '每百小时', width: 12, type: 'number' },
          ],
          rows: compare.groups.map((g) => [g.label.zh, g.count, g.exposureHours, g.rate]),
        },
      ],
    });
  } else left.push('班次对比（分析模块未提供结果）');
  const needs = await deps.training?.needs(ctx, { days }).catch(() => null);
  if (needs?.items.length) {
    doc.sections.push({
      heading: '六、培训需求',
      blocks: [
        {
          type: 'table',
          sheet: '培训需求',
          columns: [
            { header: '对象', width: 18 },
            { header: '建议课程', width: 24 },
            { header: '依据', width: 50 },
          ],
          rows: needs.items
            .slice(0, 50)
            .map((n) => [n.subject.name, n.course?.nameZh ?? '（无对应课程）', n.summary.zh]),
        },
      ],
    });
  } else left.push('培训需求（培训模块未提供结果）');
  if (left.length) doc.facts.push(['未包含', left.join('；')]);
  return doc;
}

// ---------------------------------------------------------------- 月度报警绩效报告

const VERDICT_ZH = { acceptable: '可接受', manageable: '可管理', overloaded: '超负荷' } as const;

async function monthlyAlarm(deps: KindDeps, input: KindInput, doc: ReportDocument) {
  const span = daySpan(input.params.from, input.params.to, deps.timezone);
  const k = await deps.kpi.alarmPerformance(input.ctx, {
    nodeId: input.node?.id,
    from: span.start.toISOString(),
    to: span.end.toISOString(),
    operators: 1,
    fleetingSeconds: 10,
  });
  await input.progress(0.6);
  const name = (a: { text: AlarmKpiReport['badActors']['items'][number]['text']; message: string }) =>
    a.text ? renderAlarmText(a.text, null, 'zh-CN') : a.message;
  const sections: Section[] = [
    {
      heading: '一、报警负荷（ISA-18.2 / EEMUA 191）',
      blocks: [
        {
          type: 'figures',
          items: [
            { label: '报警总数', value: k.total },
            {
              label: '平均每10分钟',
              value: round(k.rate.per10Min.average),
              note: `目标 ≤ 1，${VERDICT_ZH[k.rate.per10Min.verdict]}`,
            },
            {
              label: '平均每小时',
              value: round(k.rate.perHour.average),
              note: `目标 ≤ 6，${VERDICT_ZH[k.rate.perHour.verdict]}`,
            },
            {
              label: '平均每天',
              value: round(k.rate.perDay.average),
              note: `目标 ≤ 144，${VERDICT_ZH[k.rate.perDay.verdict]}`,
            },
            {
              label: '泛滥时间占比',
              value: round(k.flood.percentTime),
              unit: '%',
              note: `目标 < 1%，${k.flood.periodCount} 次泛滥`,
            },
            {
              label: '前10报警占比',
              value: round(k.badActors.topSharePercent),
              unit: '%',
              note: VERDICT_ZH[k.badActors.verdict],
            },
            { label: '颤振报警', value: k.chattering.length },
            { label: '陈旧报警（>24h）', value: k.stale.length },
          ],
        },
        {
          type: 'chart',
          chart: {
            kind: 'line',
            title: `报警率（每${k.series.bin === '10m' ? '10分钟' : k.series.bin === '1h' ? '小时' : '天'}）`,
            categories: k.series.points.map((p) =>
              fmt(plantDate(p.at, deps.timezone)).slice(
                k.series.bin === '1d' ? 5 : 5,
                k.series.bin === '1d' ? 10 : 16,
              ),
            ),
            series: [{ name: '每名操作员报警数', values: k.series.points.map((p) => p.perOperator) }],
            xLabel: '时间',
            yLabel: '报警数',
            ...(k.series.bin === '1d'
              ? { target: { value: 144, label: 'EEMUA 目标 144/天' } }
              : k.series.bin === '1h'
                ? { target: { value: 6, label: 'EEMUA 目标 6/小时' } }
                : { target: { value: 1, label: '目标 1/10分钟' } }),
          },
        },
      ],
    },
    {
      heading: '二、优先级分布（目标 低80% / 中15% / 高5%）',
      blocks: [
        {
          type: 'chart',
          height: 110,
          chart: {
            kind: 'pie',
            title: `优先级分布：${VERDICT_ZH[k.priorities.verdict]}`,
            slices: k.priorities.items.map((p) => ({
              label: PRIORITY_ZH[p.priority] ?? p.priority,
              value: p.count,
            })),
          },
        },
        {
          type: 'table',
          sheet: '优先级分布',
          columns: [
            { header: '优先级', width: 10 },
            { header: '次数', width: 10, type: 'number' },
            { header: '占比 %', width: 10, type: 'number' },
            { header: '目标 %', width: 10, type: 'number' },
          ],
          rows: k.priorities.items.map((p) => [
            PRIORITY_ZH[p.priority] ?? p.priority,
            p.count,
            round(p.sharePercent),
            p.targetPercent,
          ]),
        },
      ],
    },
    {
      heading: '三、前10位频发报警（坏分子）',
      blocks: [
        {
          type: 'table',
          sheet: '频发报警',
          columns: [
            { header: '报警', width: 40 },
            { header: '优先级', width: 8 },
            { header: '次数', width: 10, type: 'number' },
            { header: '占比 %', width: 10, type: 'number' },
          ],
          rows: k.badActors.items.map((a) => [
            name(a),
            PRIORITY_ZH[a.priority] ?? a.priority,
            a.count,
            round(a.sharePercent),
          ]),
          empty: '本期没有报警。',
        },
        {
          type: 'table',
          sheet: '颤振报警',
          columns: [
            { header: '颤振报警', width: 40 },
            { header: '触发次数', width: 10, type: 'number' },
            { header: '颤振次数', width: 10, type: 'number' },
            { header: '窗口内最多', width: 10, type: 'number' },
          ],
          rows: k.chattering.map((a) => [name(a), a.activations, a.episodes, a.maxInWindow]),
          empty: '本期没有颤振报警。',
        },
        {
          type: 'table',
          sheet: '泛滥时段',
          columns: [
            { header: '开始', width: 18, type: 'datetime' },
            { header: '结束', width: 18, type: 'datetime' },
            { header: '分钟', width: 8, type: 'number' },
            { header: '报警数', width: 8, type: 'number' },
            { header: '主要报警', width: 40 },
          ],
          rows: k.flood.periods.map((p) => [
            local(deps, p.start),
            local(deps, p.end),
            round(p.minutes),
            p.count,
            p.top.map((t) => `${name(t)}×${t.count}`).join('；'),
          ]),
          empty: '本期没有报警泛滥。',
        },
      ],
    },
    {
      heading: '四、确认时间',
      blocks: [
        {
          type: 'figures',
          items: [
            { label: '已确认', value: k.acknowledge.acknowledged },
            { label: '未确认', value: k.acknowledge.notAcknowledged },
            {
              label: '确认时间中位数',
              value: k.acknowledge.medianSeconds === null ? '—' : round(k.acknowledge.medianSeconds),
              unit: '秒',
            },
            {
              label: '确认时间 P90',
              value: k.acknowledge.p90Seconds === null ? '—' : round(k.acknowledge.p90Seconds),
              unit: '秒',
            },
          ],
        },
        {
          type: 'chart',
          height: 140,
          chart: {
            kind: 'bar',
            title: '确认时间分布',
            categories: k.acknowledge.buckets.map((b) =>
              b.upToSeconds === null ? '更长' : `≤${b.upToSeconds}s`,
            ),
            series: [{ name: '次数', values: k.acknowledge.buckets.map((b) => b.count) }],
            xLabel: '确认用时',
            yLabel: '次数',
          },
        },
      ],
    },
  ];
  doc.sections.push(...sections);
  return doc;
}
const round = (v: number) => Math.round(v * 100) / 100;

// ---------------------------------------------------------------- registers

async function inspectionRegister(deps: KindDeps, input: KindInput, doc: ReportDocument) {
  const rows = await deps.inspection.register(input.ctx, {
    from: input.params.from,
    to: input.params.to,
    nodeId: input.node?.id,
    limit: 50_000,
    offset: 0,
  });
  await input.progress(0.4);
  doc.landscape = true;
  const done = rows.filter((r) => r.task.state === 'done' || r.task.state === 'done_late').length;
  const missed = rows.filter((r) => r.task.state === 'missed').length;
  const abnormal = rows.filter((r) => r.task.result === 'abnormal').length;
  doc.sections.push({
    heading: '点检记录台账',
    blocks: [
      {
        type: 'figures',
        items: [
          { label: '任务数', value: rows.length },
          { label: '已完成', value: done },
          { label: '未检', value: missed },
          { label: '结果异常', value: abnormal },
        ],
      },
      {
        type: 'table',
        sheet: '点检记录台账',
        columns: [
          { header: '任务', width: 7, type: 'number' },
          { header: '计划', width: 18 },
          { header: '巡检点', width: 18 },
          { header: '位置', width: 14 },
          { header: '班次', width: 8 },
          { header: '执行人', width: 10 },
          { header: '截止', width: 14, type: 'datetime' },
          { header: '状态', width: 8 },
          { header: '完成时间', width: 14, type: 'datetime' },
          { header: '结果', width: 6 },
          { header: '异常项', width: 22 },
        ],
        rows: rows.map(({ task: t, abnormal: a }) => [
          t.id,
          `${t.planCode} ${t.planName}`,
          `${t.checkpointCode} ${t.checkpointName}`,
          t.nodeName,
          t.shiftName ?? '',
          t.assignee.name,
          local(deps, t.dueAt),
          STATE_ZH[t.state] ?? t.state,
          local(deps, t.doneAt),
          t.result ? (RESULT_ZH[t.result] ?? t.result) : '',
          a.join('；'),
        ]),
        empty: '本期没有点检任务。',
      },
    ],
  });
  return doc;
}

async function hazardRegister(deps: KindDeps, input: KindInput, doc: ReportDocument) {
  const span = daySpan(input.params.from, input.params.to, deps.timezone);
  // Hazards reported in the period or still open during it.
  const rows = (
    await deps.hazard.register(input.ctx, { nodeId: input.node?.id, limit: 10_000, offset: 0 })
  ).filter((h) => new Date(h.reportedAt) < span.end && (!h.closedAt || new Date(h.closedAt) >= span.start));
  await input.progress(0.4);
  doc.landscape = true;
  doc.sections.push({
    heading: '隐患台账',
    blocks: [
      {
        type: 'figures',
        items: [
          { label: '隐患数', value: rows.length },
          { label: '重大隐患', value: rows.filter((h) => h.grade === 'major').length },
          { label: '已关闭', value: rows.filter((h) => h.state === 'closed').length },
          { label: '超期', value: rows.filter((h) => h.overdue).length },
        ],
      },
      {
        type: 'table',
        sheet: '隐患台账',
        columns: [
          { header: '编号', width: 12 },
          { header: '标题', width: 24 },
          { header: '位置', width: 18 },
          { header: '等级', width: 7 },
          { header: '状态', width: 8 },
          { header: '上报人', width: 9 },
          { header: '上报时间', width: 14, type: 'datetime' },
          { header: '责任人', width: 9 },
          { header: '整改期限', width: 14, type: 'datetime' },
          { header: '超期', width: 5 },
          { header: '关闭时间', width: 14, type: 'datetime' },
        ],
        rows: rows.map((h) => [
          h.code,
          h.title,
          [h.location, h.place].filter(Boolean).join(' · '),
          h.grade ? HAZARD_GRADE_LABELS[h.grade].zh : '',
          HAZARD_STATE_LABELS[h.state].zh,
          h.reportedBy.name,
          local(deps, h.reportedAt),
          h.responsible?.name ?? '',
          local(deps, h.deadline),
          h.overdue ? '是' : '',
          local(deps, h.closedAt),
        ]),
        empty: '本期没有隐患记录。',
      },
    ],
  });
  return doc;
}

async function permitRegister(deps: KindDeps, input: KindInput, doc: ReportDocument) {
  const span = daySpan(input.params.from, input.params.to, deps.timezone);
  const rows = await deps.permit.register(input.ctx, {
    nodeId: input.node?.id,
    from: span.start.toISOString(),
    to: span.end.toISOString(),
    limit: 10_000,
    offset: 0,
  });
  await input.progress(0.4);
  doc.landscape = true;
  doc.sections.push({
    heading: '作业票台账',
    blocks: [
      {
        type: 'figures',
        items: [
          { label: '作业票', value: rows.length },
          { label: '升级', value: rows.filter((p) => p.effectiveGrade !== p.requestedGrade).length },
          { label: '暂停中', value: rows.filter((p) => p.state === 'suspended').length },
          { label: '已关闭', value: rows.filter((p) => p.state === 'completed').length },
        ],
      },
      {
        type: 'table',
        sheet: '作业票台账',
        columns: [
          { header: '编号', width: 18 },
          { header: '类型', width: 10 },
          { header: '级别', width: 7 },
          { header: '作业内容', width: 22 },
          { header: '地点', width: 18 },
          { header: '状态', width: 8 },
          { header: '申请人', width: 9 },
          { header: '监护人', width: 9 },
          { header: '开始', width: 14, type: 'datetime' },
          { header: '结束', width: 14, type: 'datetime' },
        ],
        rows: rows.map((p) => [
          p.code,
          PERMIT_TYPE_LABELS[p.type].zh,
          PERMIT_GRADE_LABELS[p.effectiveGrade].zh,
          p.title,
          p.location,
          PERMIT_STATE_LABELS[p.state].zh,
          p.applicant.name,
          p.watcher.name,
          local(deps, p.validFrom),
          local(deps, p.validTo),
        ]),
        empty: '本期没有作业票。',
      },
    ],
  });
  return doc;
}

// ---------------------------------------------------------------- 审计记录摘录

/** The most entries one extract holds (the CSV export of the audit page has no limit). */
export const AUDIT_EXTRACT_MAX = 20_000;

async function auditExtract(deps: KindDeps, input: KindInput, doc: ReportDocument) {
  const span = daySpan(input.params.from, input.params.to, deps.timezone);
  const rows: StoredAuditEntry[] = [];
  let total = 0;
  for (let offset = 0; offset < AUDIT_EXTRACT_MAX; offset += 1000) {
    const page = await deps.audit.search({
      from: span.start.toISOString(),
      to: span.end.toISOString(),
      limit: 1000,
      offset,
    });
    total = page.total;
    rows.push(...page.items);
    await input.progress(Math.min(0.5, rows.length / Math.max(1, total)));
    if (page.items.length < 1000) break;
  }
  doc.landscape = true;
  // The extract reads oldest first, as an inspector follows the chain.
  rows.sort((a, b) => a.seq - b.seq);
  doc.sections.push({
    heading: '审计记录',
    blocks: [
      {
        type: 'figures',
        items: [
          { label: '记录数', value: rows.length },
          { label: '期间内总数', value: total },
          { label: '拒绝/失败', value: rows.filter((e) => e.outcome !== 'success').length },
          {
            label: '首条/末条序号',
            value: rows.length ? `${rows[0]!.seq}–${rows[rows.length - 1]!.seq}` : '—',
          },
        ],
      },
      ...(total > rows.length
        ? [
            {
              type: 'note' as const,
              text: `期间内共 ${total} 条，本摘录含前 ${rows.length} 条；请缩短期间。`,
            },
          ]
        : []),
      {
        type: 'table',
        sheet: '审计记录',
        columns: [
          { header: '序号', width: 7, type: 'number' },
          { header: '时间', width: 14, type: 'datetime' },
          { header: '操作人', width: 12 },
          { header: '动作', width: 18 },
          { header: '对象', width: 20 },
          { header: '结果', width: 7 },
          { header: '原因', width: 24 },
          { header: '哈希', width: 14 },
        ],
        rows: rows.map((e): CellValue[] => [
          e.seq,
          local(deps, e.at),
          e.actorDisplayName ?? e.actorName,
          e.action,
          e.targetLabel ?? [e.targetType, e.targetId].filter(Boolean).join(' '),
          e.outcome === 'success' ? '成功' : e.outcome === 'denied' ? '拒绝' : '失败',
          e.reason ?? '',
          e.hash.slice(0, 16),
        ]),
        empty: '本期没有审计记录。',
      } satisfies TableBlock,
    ],
  });
  return doc;
}
