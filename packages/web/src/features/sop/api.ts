import type {
  CreateLockoutInput,
  CreateSopInput,
  Lockout,
  LockoutSummary,
  SignInput,
  SopProcedure,
  SopProcedureDetail,
  SopRun,
  SopRunSummary,
  TagCommandResult,
  UpdateSopInput,
} from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import { ApiError, http, useApiMutation } from '../../app/api';
import { uploadEvidencePhoto } from '../fieldwork/photo';

// 操作规程与上锁挂牌. Provides ['sop', 'procedures' | 'procedure' | 'runs' | 'run' | 'lockouts' | 'lockout', …];
// every write invalidates all of ['sop'] (a lock also changes the plant status: ['plant']).

export const proceduresQuery = (f: { equipmentId?: number; q?: string } = {}) =>
  queryOptions({
    queryKey: ['sop', 'procedures', f] as const,
    queryFn: () => http.get<SopProcedure[]>('/api/sop/procedures', f),
  });

export const procedureQuery = (id: number) =>
  queryOptions({
    queryKey: ['sop', 'procedure', id] as const,
    queryFn: () => http.get<SopProcedureDetail>(`/api/sop/procedures/${id}`),
  });

export const runsQuery = (f: { sopId?: number; state?: string } = {}) =>
  queryOptions({
    queryKey: ['sop', 'runs', f] as const,
    queryFn: () => http.get<SopRunSummary[]>('/api/sop/runs', f),
  });

export const runQuery = (id: number) =>
  queryOptions({
    queryKey: ['sop', 'run', id] as const,
    queryFn: () => http.get<SopRun>(`/api/sop/runs/${id}`),
  });

export const lockoutsQuery = (f: { state?: string } = {}) =>
  queryOptions({
    queryKey: ['sop', 'lockouts', f] as const,
    queryFn: () => http.get<LockoutSummary[]>('/api/sop/lockouts', f),
  });

export const lockoutQuery = (id: number) =>
  queryOptions({
    queryKey: ['sop', 'lockout', id] as const,
    queryFn: () => http.get<Lockout>(`/api/sop/lockouts/${id}`),
  });

/** The tags of an equipment item, for a reading step or an isolation point's command tag. */
export const equipmentTagsQuery = (equipmentId: number | null) =>
  queryOptions({
    queryKey: ['tags', 'list', { equipmentId, for: 'sop' }] as const,
    queryFn: () =>
      http.get<{
        items: Array<{
          id: number;
          code: string;
          nameZh: string;
          nameEn: string;
          unit: string;
          equipmentCode: string;
        }>;
      }>('/api/tags', { equipmentId: equipmentId ?? undefined, limit: 500 }),
    enabled: equipmentId !== null,
  });

export function useSaveProcedure() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: CreateSopInput | UpdateSopInput }) =>
      id === null
        ? http.post<SopProcedureDetail>('/api/sop/procedures', body)
        : http.put<SopProcedureDetail>(`/api/sop/procedures/${id}`, body),
    [['sop']],
    { silent: true },
  );
}

export function useStartRun() {
  return useApiMutation((sopId: number) => http.post<SopRun>('/api/sop/runs', { sopId }), [['sop']]);
}

export type StepAct = 'complete' | 'rectify' | 'skip';
export function useStepAction() {
  return useApiMutation(
    ({ runId, index, act, body }: { runId: number; index: number; act: StepAct; body: object }) =>
      http.post<SopRun>(`/api/sop/runs/${runId}/steps/${index}/${act}`, body),
    [['sop']],
    { silent: true },
  );
}

export function useRunAction() {
  return useApiMutation(
    ({ runId, act, reason }: { runId: number; act: 'finish' | 'abort'; reason?: string }) =>
      http.post<SopRun>(`/api/sop/runs/${runId}/${act}`, act === 'abort' ? { reason } : {}),
    [['sop']],
  );
}

export function useCreateLockout() {
  return useApiMutation(
    (body: CreateLockoutInput) => http.post<Lockout>('/api/sop/lockouts', body),
    [['sop'], ['plant']],
    {
      silent: true,
    },
  );
}

export type LockAct = 'apply' | 'verify' | 'release';
export function useLockAction() {
  return useApiMutation(
    ({
      id,
      pointId,
      act,
      body,
    }: {
      id: number;
      pointId: number;
      act: LockAct;
      body: { signature: SignInput } & Record<string, unknown>;
    }) => http.post<Lockout>(`/api/sop/lockouts/${id}/points/${pointId}/${act}`, body),
    [['sop'], ['plant']],
    // the signature dialog shows the refusal (wrong password, separation of duties)
    { silent: true },
  );
}

export function useCancelLockout() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.post<Lockout>(`/api/sop/lockouts/${id}/cancel`, { reason }),
    [['sop']],
  );
}

export function useTagCommand() {
  return useApiMutation(
    ({ tagId, value, reason }: { tagId: number; value: number | boolean; reason: string }) =>
      http.post<TagCommandResult>(`/api/tags/${tagId}/command`, { value, reason }),
    [['values']],
    { silent: true },
  );
}

/** A phone photo of a run's step, compressed, to the evidence route; returns the photo id. */
export const uploadRunPhoto = (runId: number, file: File) =>
  uploadEvidencePhoto({ kind: 'sop_run', id: runId, clientPrefix: 'sop' }, file);

export const photoThumbUrl = (id: number) => `/api/evidence/${id}/thumb`;
