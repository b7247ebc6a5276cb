import type {
  GasTagCandidate,
  PermitAction,
  PermitBoard,
  PermitDetail,
  PermitDraft,
  PermitPage,
  PermitPreview,
  PermitRules,
  PermitState,
  PermitType,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { http, queryString, useApiMutation } from '../../app/api';

// 作业票. Provides ['permits', 'list', filters], ['permits', 'board', nodeId], ['permits', 'detail', id],
// ['permits', 'rules'], ['permits', 'candidates', locationId]; every write invalidates all of ['permits'].

/** How often the board and an open permit ask again: a suspension by a live gas value shows within this. */
export const PERMIT_POLL_MS = 3000;

export interface PermitFilters {
  state?: PermitState[] | undefined;
  type?: PermitType[] | undefined;
  nodeId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  limit?: number;
  offset?: number;
}

export const filterParams = (f: PermitFilters) => ({
  ...f,
  state: f.state?.length ? f.state.join(',') : undefined,
  type: f.type?.length ? f.type.join(',') : undefined,
});

export const permitsQuery = (f: PermitFilters) =>
  queryOptions({
    queryKey: ['permits', 'list', f] as const,
    queryFn: () => http.get<PermitPage>('/api/permits', filterParams(f)),
    placeholderData: keepPreviousData,
  });

export const permitBoardQuery = (nodeId: number | undefined) =>
  queryOptions({
    queryKey: ['permits', 'board', nodeId ?? null] as const,
    queryFn: () => http.get<PermitBoard>('/api/permits/board', { nodeId }),
    placeholderData: keepPreviousData,
    refetchInterval: PERMIT_POLL_MS,
  });

export const permitQuery = (id: number) =>
  queryOptions({
    queryKey: ['permits', 'detail', id] as const,
    queryFn: () => http.get<PermitDetail>(`/api/permits/${id}`),
    refetchInterval: PERMIT_POLL_MS,
  });

export const permitRulesQuery = queryOptions({
  queryKey: ['permits', 'rules'] as const,
  queryFn: () => http.get<PermitRules>('/api/permits/rules'),
  staleTime: 5 * 60_000,
});

export const gasTagCandidatesQuery = (locationId: number | null | undefined) =>
  queryOptions({
    queryKey: ['permits', 'candidates', locationId ?? null] as const,
    queryFn: () =>
      http.get<GasTagCandidate[]>('/api/permits/gas-tag-candidates', { locationId: locationId! }),
    enabled: !!locationId,
  });

export const permitExportUrl = (f: PermitFilters, format: 'xlsx' | 'csv' = 'xlsx') =>
  `/api/permits/export.${format}${queryString({ ...filterParams(f), limit: undefined, offset: undefined })}`;
export const permitPdfUrl = (id: number) => `/api/permits/${id}/pdf`;

/** What submit would say about a draft, asked while the form is filled in; nothing is stored. */
export const previewPermit = (draft: PermitDraft) => http.post<PermitPreview>('/api/permits/preview', draft);

export function useSavePermit() {
  return useApiMutation(
    ({ id, draft }: { id: number | null; draft: PermitDraft }) =>
      id === null
        ? http.post<PermitDetail>('/api/permits', draft)
        : http.put<PermitDetail>(`/api/permits/${id}`, draft),
    [['permits']],
    // the form shows the server's words beside itself
    { silent: true },
  );
}

/** The route of each action (all POST under /api/permits/:id; edit and delete are not here). */
export const ACTION_PATH: Partial<Record<PermitAction, string>> = {
  submit: 'submit',
  analyze: 'analyses',
  confirm_measures: 'measures/confirm',
  brief: 'brief',
  brief_receive: 'brief_receive',
  watch: 'watch',
  approve: 'approve',
  reject: 'reject',
  activate: 'activate',
  stop: 'stop',
  interrupt: 'interrupt',
  resume: 'resume',
  complete: 'complete',
  cancel: 'cancel',
  revise: 'revise',
};

export function usePermitAction() {
  return useApiMutation(
    ({ id, action, body }: { id: number; action: PermitAction; body: Record<string, unknown> }) =>
      http.post<PermitDetail>(`/api/permits/${id}/${ACTION_PATH[action]}`, body),
    [['permits']],
    // the dialog shows a refusal (wrong password, separation of duties…) without closing
    { silent: true },
  );
}

export function useDeletePermit() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.del<{ ok: true }>(`/api/permits/${id}`, { reason }),
    [['permits']],
    { silent: true },
  );
}
