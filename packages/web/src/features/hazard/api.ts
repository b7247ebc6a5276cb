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
import { uploadEvidencePhoto } from '../fieldwork/photo';

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

export const hazardExportUrl = (f: HazardFilters, format: 'xlsx' | 'csv' = 'xlsx') =>
  `/api/hazards/export.${format}${queryString({ ...filterParams(f), limit: undefined, offset: undefined })}`;

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
export const uploadHazardPhoto = (hazardId: number, file: File) =>
  uploadEvidencePhoto({ kind: 'hazard', id: hazardId, clientPrefix: 'hz' }, file);
