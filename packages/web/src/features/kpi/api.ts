import type { AlarmKpiReport, RationalisationSheet } from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import { http } from '../../app/api';

// 报警绩效 alarm KPIs. Provides ['kpi', 'alarms', query] and ['kpi', 'rationalisation', query]; read-only.
export interface KpiQuery {
  from: string;
  to: string;
  nodeId?: number | undefined;
  operators?: number;
  fleetingSeconds?: number;
}

const params = (q: KpiQuery) => {
  const p: Record<string, string | number> = { from: q.from, to: q.to };
  if (q.nodeId !== undefined) p.nodeId = q.nodeId;
  if (q.operators !== undefined) p.operators = q.operators;
  if (q.fleetingSeconds !== undefined) p.fleetingSeconds = q.fleetingSeconds;
  return p;
};

export const alarmKpiQuery = (q: KpiQuery) =>
  queryOptions({
    queryKey: ['kpi', 'alarms', q] as const,
    queryFn: () => http.get<AlarmKpiReport>('/api/kpi/alarms', params(q)),
  });

export const rationalisationQuery = (q: KpiQuery) =>
  queryOptions({
    queryKey: ['kpi', 'rationalisation', q] as const,
    queryFn: () => http.get<RationalisationSheet>('/api/kpi/alarms/rationalisation', params(q)),
  });

export const kpiExportUrl = (q: KpiQuery) =>
  `/api/kpi/alarms/export.xlsx?${new URLSearchParams(
    Object.entries(params(q)).map(([k, v]) => [k, String(v)]),
  ).toString()}`;
