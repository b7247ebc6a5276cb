import type {
  CreateHazard,
  HazardAction,
  HazardActionBody,
  HazardCounts,
  HazardDetail,
  HazardGrade,
  HazardPage,
  HazardSource,
  HazardState,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { ApiError, http, queryString, useApiMutation } from '../../app/api';
import { compressPhoto } from '../fieldwork/photo';

// 隐患治理. Provides ['hazards', 'list', filters], ['hazards', 'detail', id], ['hazards', 'counts'];
// every write invalidates all of ['hazards'].
export interface HazardFilters {
  state?: HazardState[] | undefined;
  grade?: HazardGrade | undefined;
  source?: HazardSource | undefined;
  nodeId?: number | undefined;
  overdue?: boolean | undefined;
  register?: boolean | undefined;
  open?: boolean | undefined;
  responsibleId?: number | undefined;
  q?: string | undefined;
  limit?: number;
  offset?: number;
}

export const filterParams = (f: HazardFilters) => ({
  ...f,
  state: f.state?.length ? f.state.join(',') : undefined,
  overdue: f.overdue === undefined ? undefined : String(f.overdue),
  register: f.register ? 'true' : undefined,
  open: f.open === undefined ? undefined : String(f.open),
});

export const hazardsQuery = (f: HazardFilters) =>
  queryOptions({
    queryKey: ['hazards', 'list', f] as const,
    queryFn: () => http.get<HazardPage>('/api/hazards', filterParams(f)),
    placeholderData: keepPreviousData,
  });

export const hazardQuery = (id: number) =>
  queryOptions({
    queryKey: ['hazards', 'detail', id] as const,
    queryFn: () => http.get<HazardDetail>(`/api/hazards/${id}`),
  });

export const hazardCountsQuery = queryOptions({
  queryKey: ['hazards', 'counts'] as const,
  queryFn: () => http.get<HazardCounts>('/api/hazards/counts'),
});

export const hazardExportUrl = (f: HazardFilters) =>
  `/api/hazards/export.xlsx${queryString({ ...filterParams(f), limit: undefined, offset: undefined })}`;

export const photoThumbUrl = (id: number) => `/api/evidence/${id}/thumb`;
export const photoFileUrl = (id: number) => `/api/evidence/${id}/file`;

export function useReportHazard() {
  return useApiMutation((body: CreateHazard) => http.post<HazardDetail>('/api/hazards', body), [['hazards']]);
}

export function useHazardAction() {
  return useApiMutation(
    ({ id, action, body }: { id: number; action: HazardAction; body: HazardActionBody<HazardAction> }) =>
      http.post<HazardDetail>(`/api/hazards/${id}/actions/${action}`, body),
    [['hazards']],
    // the page shows refusals (separation of duties…) beside the form
    { silent: true },
  );
}

/** A phone photo, compressed, to the evidence route as the hazard's; returns the photo id. */
export async function uploadHazardPhoto(hazardId: number, file: File): Promise<number> {
  const blob = await compressPhoto(file).catch(() => file);
  const qs = new URLSearchParams({
    ownerKind: 'hazard',
    ownerId: String(hazardId),
    clientId: `hz-${hazardId}-${crypto.randomUUID()}`,
    fileName: file.name || 'photo.jpg',
  });
  let res: Response;
  try {
    res = await fetch(`/api/evidence?${qs}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': blob.type || 'image/jpeg', accept: 'application/json' },
      body: blob,
    });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message || 'Network error');
  }
  const payload = (await res.json().catch(() => null)) as {
    id?: number;
    error?: { code: string; message: string; details?: unknown };
  } | null;
  if (!res.ok || typeof payload?.id !== 'number')
    throw new ApiError(
      res.status,
      payload?.error?.code ?? `http_${res.status}`,
      payload?.error?.message ?? res.statusText,
      payload?.error?.details,
    );
  return payload.id;
}
