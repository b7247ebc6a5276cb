import {
  type AlarmKpiReport,
  type KpiAlarmRef,
  type KpiVerdict,
  type RationalisationSheet,
  renderAlarmText,
} from '@aegis/shared';
import ExcelJS from 'exceljs';
import { neutralise } from '../../lib/csv.js';
import { wallClock } from '../org/index.js';

// The alarm KPIs and the rationalisation worksheet as one workbook: numbers as numbers, times as
// Excel dates in the plant's wall-clock time (Excel has no time zones), texts neutralised like the CSV.

const VERDICT: Record<KpiVerdict, string> = {
  acceptable: '可接受',
  manageable: '可管理',
  overloaded: '超负荷',
};
const PRIORITY: Record<string, string> = { critical: '紧急', high: '高', medium: '中', low: '低' };
const KIND: Record<string, string> = {
  on_delay: '报警延时 On-delay (s)',
  off_delay: '恢复延时 Off-delay (s)',
  deadband: '死区 Deadband',
  priority: '优先级 Priority',
  review: '复核 Review',
};

export async function kpiXlsx(report: AlarmKpiReport, sheet: RationalisationSheet, timezone: string) {
  const local = (iso: string) => {
    const at = new Date(iso);
    const w = wallClock(at, timezone);
    const [y, m, d] = w.day.split('-').map(Number);
    return new Date(Date.UTC(y!, m! - 1, d!, 0, w.minute, w.second));
  };
  const name = (a: KpiAlarmRef) => neutralise(a.text ? renderAlarmText(a.text, null, 'zh-CN') : a.message);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const dateFmt = 'yyyy-mm-dd hh:mm';
  const table = (title: string, columns: Array<[string, number, string?]>, rows: unknown[][]) => {
    const ws = wb.addWorksheet(title);
    ws.columns = columns.map(([header, width, numFmt]) => ({
      header,
      width,
      style: numFmt ? { numFmt } : {},
    }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const r of rows) ws.addRow(r);
    return ws;
  };

  const r = report;
  table(
    '报警绩效 KPI',
    [
      ['指标 Figure', 40],
      ['数值 Value', 16],
      ['目标 Target', 16],
      ['评价 Verdict', 12],
    ],
    [
      ['区域 Area', r.node ? neutralise(r.node.nameZh) : '全部 All', '', ''],
      ['开始 From', local(r.from), '', ''],
      ['结束 To', local(r.to), '', ''],
      ['操作员数 Operators', r.operators, '', ''],
      ['报警总数 Annunciated activations', r.total, '', ''],
      [
        '每操作员每10分钟 平均 Per operator per 10 min (avg)',
        r.rate.per10Min.average,
        1,
        VERDICT[r.rate.per10Min.verdict],
      ],
      ['每操作员每10分钟 峰值 (peak)', r.rate.per10Min.peak, 10, ''],
      ['每操作员每小时 平均 Per hour (avg)', r.rate.perHour.average, 6, VERDICT[r.rate.perHour.verdict]],
      ['每操作员每小时 峰值 (peak)', r.rate.perHour.peak, '', ''],
      ['每操作员每天 平均 Per day (avg)', r.rate.perDay.average, 144, VERDICT[r.rate.perDay.verdict]],
      ['每操作员每天 峰值 (peak)', r.rate.perDay.peak, '', ''],
      ['报警泛滥时间占比 % time in flood', r.flood.percentTime, 1, VERDICT[r.flood.verdict]],
      ['报警泛滥次数 Flood periods', r.flood.periodCount, '', ''],
      ['最长泛滥 (分钟) Longest flood (min)', r.flood.longestMinutes, '', ''],
      ['前十报警占比 % Top-10 share', r.badActors.topSharePercent, 5, VERDICT[r.badActors.verdict]],
      ['振荡报警数 Chattering alarms', r.chattering.length, 0, ''],
      ['瞬时报警次数 Fleeting activations', r.fleeting.total, '', ''],
      ['长期报警数 Stale alarms (>24 h)', r.stale.length, '', ''],
      ['当前持续报警 Standing now', r.current.standing, '', ''],
      ['当前搁置 Shelved now', r.current.shelved, '', ''],
      ['当前抑制 Suppressed now', r.current.suppressed, '', ''],
      ['当前停用 Out of service now', r.current.outOfService, '', ''],
      ['确认时间中位数 (秒) Ack median (s)', r.acknowledge.medianSeconds ?? '', '', ''],
      ['确认时间 P90 (秒) Ack p90 (s)', r.acknowledge.p90Seconds ?? '', '', ''],
      ['未确认 Not acknowledged', r.acknowledge.notAcknowledged, '', ''],
      ...r.priorities.items.map((p) => [
        `优先级 ${PRIORITY[p.priority]} % Priority ${p.priority}`,
        p.sharePercent,
        p.targetPercent ?? '',
        '',
      ]),
    ],
  ).getColumn(2).alignment = { horizontal: 'right' };
  table(
    '高频报警 Bad actors',
    [
      ['报警 Alarm', 60],
      ['优先级 Priority', 10],
      ['次数 Count', 10],
      ['占比 % Share', 10],
    ],
    r.badActors.items.map((a) => [name(a), PRIORITY[a.priority], a.count, a.sharePercent]),
  );
  table(
    '振荡 Chattering',
    [
      ['报警 Alarm', 60],
      ['次数 Activations', 12],
      ['振荡次数 Episodes', 12],
      ['60秒内最多 Max in 60 s', 14],
    ],
    r.chattering.map((a) => [name(a), a.activations, a.episodes, a.maxInWindow]),
  );
  table(
    '瞬时 Fleeting',
    [
      ['报警 Alarm', 60],
      ['次数 Activations', 12],
      ['瞬时 Fleeting', 12],
      ['中位时长(秒) Median (s)', 14],
    ],
    r.fleeting.items.map((a) => [name(a), a.activations, a.fleeting, a.medianSeconds]),
  );
  table(
    '长期报警 Stale',
    [
      ['报警 Alarm', 60],
      ['报警起始 Active since', 18, dateFmt],
      ['小时 Hours', 10],
    ],
    r.stale.map((a) => [name(a), local(a.activeSince), a.hours]),
  );
  table(
    '报警泛滥 Floods',
    [
      ['开始 Start', 18, dateFmt],
      ['结束 End', 18, dateFmt],
      ['分钟 Minutes', 10],
      ['报警数 Count', 10],
      ['主要报警 Top alarms', 80],
    ],
    r.flood.periods.map((p) => [
      local(p.start),
      local(p.end),
      p.minutes,
      p.count,
      p.top.map((a) => `${name(a)} ×${a.count}`).join('；'),
    ]),
  );
  table(
    '报警趋势 Series',
    [
      ['时间 Time', 18, dateFmt],
      ['报警数 Count', 10],
      ['每操作员 Per operator', 12],
    ],
    r.series.points.map((p) => [local(p.at), p.count, p.perOperator]),
  );
  table(
    '合理化 Rationalisation',
    [
      ['报警 Alarm', 50],
      ['次数 Activations', 10],
      ['占比 % Share', 10],
      ['限值 Limit', 10],
      ['死区 Deadband', 10],
      ['报警延时 On-delay (s)', 12],
      ['恢复延时 Off-delay (s)', 12],
      ['建议 Suggestion', 22],
      ['现值 Current', 10],
      ['建议值 Proposed', 10],
      ['可减少 Removed', 10],
      ['可减少 % Removed', 10],
      ['估算 Estimate', 8],
      ['理由 Reasoning', 100],
    ],
    sheet.rows.flatMap((row) =>
      row.suggestions.map((s) => [
        name(row),
        row.activations,
        row.sharePercent,
        row.settings.limit ?? '',
        row.settings.deadband ?? '',
        row.settings.onDelaySeconds,
        row.settings.offDelaySeconds,
        KIND[s.kind],
        s.current ?? '',
        typeof s.proposed === 'string' ? (PRIORITY[s.proposed] ?? s.proposed) : s.proposed,
        s.removed,
        s.removedPercent,
        s.estimate ? '是' : '否',
        s.reason.zh,
      ]),
    ),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
