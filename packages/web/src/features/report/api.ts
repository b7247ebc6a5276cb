import type {
  CreateReportScheduleSchema,
  ReportKind,
  ReportParamsIn,
  ReportRun,
  ReportSchedule,
} from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';

// 合规报表. Provides ['reports', 'runs', filters], ['reports', 'run', id], ['reports', 'schedules'];
// every write invalidates all of ['reports'].
export type ScheduleInput = z.input<typeof CreateReportScheduleSchema>;

export const runsQuery = (f: { kind?: ReportKind; limit: number; offset: number }) =>
  queryOptions({
    queryKey: ['reports', 'runs', f] as const,
    queryFn: () => http.get<{ items: ReportRun[]; total: number }>('/api/reports', { ...f }),
    // a run in the list may still be generating: look again while one is
    refetchInterval: (q) =>
      q.state.data?.items.some((r) => r.status === 'queued' || r.status === 'running') ? 1500 : false,
  });

export const runQuery = (id: number) =>
  queryOptions({
    queryKey: ['reports', 'run', id] as const,
    queryFn: () => http.get<ReportRun>(`/api/reports/${id}`),
    refetchInterval: (q) => (q.state.data && ['done', 'failed'].includes(q.state.data.status) ? false : 1000),
  });

export const schedulesQuery = queryOptions({
  queryKey: ['reports', 'schedules'] as const,
  queryFn: () => http.get<ReportSchedule[]>('/api/reports/schedules'),
});

export const fileUrl = (id: number, format: 'pdf' | 'xlsx') => `/api/reports/${id}/files/${format}`;

export function useGenerate() {
  return useApiMutation(
    (body: { kind: ReportKind; params: ReportParamsIn }) => http.post<ReportRun>('/api/reports', body),
    [['reports']],
  );
}

export function useSaveSchedule() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: ScheduleInput }) =>
      id === null
        ? http.post<ReportSchedule>('/api/reports/schedules', body)
        : http.put<ReportSchedule>(`/api/reports/schedules/${id}`, body),
    [['reports']],
    { silent: true },
  );
}

export function useDeleteSchedule() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/reports/schedules/${id}`, { reason }),
    [['reports']],
  );
}
