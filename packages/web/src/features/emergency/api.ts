import type {
  EmergencyPlan,
  EmergencyPlanInputSchema,
  EmergencyPlanVersionSchema,
  EmergencyRunDetail,
  EmergencyRunMode,
  EmergencyRunPageSchema,
  EmergencyRunState,
} from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { ApiError, http, useApiMutation } from '../../app/api';
import { uploadEvidencePhoto } from '../fieldwork/photo';

// 应急管理. Provides ['emergency', 'plans'], ['emergency', 'plan', id], ['emergency', 'runs', filters],
// ['emergency', 'run', id]; every write invalidates all of ['emergency'].
export type PlanInput = z.input<typeof EmergencyPlanInputSchema>;
export type RunPage = z.infer<typeof EmergencyRunPageSchema>;
export type PlanVersion = z.infer<typeof EmergencyPlanVersionSchema>;

export const plansQuery = queryOptions({
  queryKey: ['emergency', 'plans'] as const,
  queryFn: () => http.get<EmergencyPlan[]>('/api/emergency/plans'),
});

export const planVersionsQuery = (id: number) =>
  queryOptions({
    queryKey: ['emergency', 'versions', id] as const,
    queryFn: () => http.get<PlanVersion[]>(`/api/emergency/plans/${id}/versions`),
  });

export interface RunFilters {
  state?: EmergencyRunState | undefined;
  mode?: EmergencyRunMode | undefined;
  limit?: number;
  offset?: number;
}
export const runsQuery = (f: RunFilters) =>
  queryOptions({
    queryKey: ['emergency', 'runs', f] as const,
    queryFn: () => http.get<RunPage>('/api/emergency/runs', { ...f }),
    // an open response changes by the minute: look again now and then
    refetchInterval: f.state === 'active' ? 15_000 : false,
  });

export const runQuery = (id: number) =>
  queryOptions({
    queryKey: ['emergency', 'run', id] as const,
    queryFn: () => http.get<EmergencyRunDetail>(`/api/emergency/runs/${id}`),
    refetchInterval: 15_000,
  });

export const runReportUrl = (id: number, kind: 'pdf' | 'xlsx') => `/api/emergency/runs/${id}/report.${kind}`;
export const photoThumbUrl = (id: number) => `/api/evidence/${id}/thumb`;

export function useSavePlan() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: PlanInput & { reason?: string } }) => {
      if (id === null) return http.post<EmergencyPlan>('/api/emergency/plans', body);
      const { code: _code, ...rest } = body;
      return http.put<EmergencyPlan>(`/api/emergency/plans/${id}`, rest);
    },
    [['emergency']],
    { silent: true },
  );
}

export function useActivate() {
  return useApiMutation(
    ({ planId, mode, reason }: { planId: number; mode: EmergencyRunMode; reason: string }) =>
      http.post<EmergencyRunDetail>(`/api/emergency/plans/${planId}/activate`, { mode, reason }),
    [['emergency']],
  );
}

export function useStepDone() {
  return useApiMutation(
    ({ runId, seq, note, photoIds }: { runId: number; seq: number; note: string; photoIds: number[] }) =>
      http.post<EmergencyRunDetail>(`/api/emergency/runs/${runId}/steps/${seq}/done`, { note, photoIds }),
    [['emergency']],
  );
}

export function useStepSkip() {
  return useApiMutation(
    ({ runId, seq, reason }: { runId: number; seq: number; reason: string }) =>
      http.post<EmergencyRunDetail>(`/api/emergency/runs/${runId}/steps/${seq}/skip`, { reason }),
    [['emergency']],
  );
}

export function useCloseRun() {
  return useApiMutation(
    ({ runId, summary }: { runId: number; summary: string }) =>
      http.post<EmergencyRunDetail>(`/api/emergency/runs/${runId}/close`, { summary }),
    [['emergency']],
  );
}

/** A phone photo, compressed, to the evidence route as the run's; returns the photo id. */
export const uploadRunPhoto = (runId: number, file: File) =>
  uploadEvidencePhoto({ kind: 'emergency_run', id: runId, clientPrefix: 'em' }, file);

/** mm:ss (or h:mm:ss) of a span in ms, for the step timers; negative spans as their size. */
export function clockSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Moves the item at `i` by `by` places (up/down buttons of the plan editor); a copy. */
export function moved<T>(list: T[], i: number, by: -1 | 1): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}
