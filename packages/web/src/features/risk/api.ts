import type {
  CreateRiskUnit,
  RiskLevel,
  RiskMapNode,
  RiskMeasureRef,
  RiskUnit,
  UpdateRiskUnit,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { http, queryString, useApiMutation } from '../../app/api';

// 风险分级管控. Provides ['risk', 'units', filters], ['risk', 'map'], ['risk', 'measures', …];
// every write invalidates all of ['risk'].
export interface RiskFilters {
  nodeId?: number | undefined;
  level?: RiskLevel | undefined;
  responsibleUserId?: number | undefined;
  q?: string | undefined;
}

export const riskUnitsQuery = (f: RiskFilters) =>
  queryOptions({
    queryKey: ['risk', 'units', f] as const,
    queryFn: () => http.get<{ items: RiskUnit[]; total: number }>('/api/risk/units', { ...f }),
    placeholderData: keepPreviousData,
  });

export const riskMapQuery = queryOptions({
  queryKey: ['risk', 'map'] as const,
  queryFn: () => http.get<{ nodes: RiskMapNode[] }>('/api/risk/map'),
});

/** Control measures for a picker (inspection plans): only those with a check cycle when withCycle. */
export const riskMeasuresQuery = (f: { nodeId?: number | undefined; withCycle?: boolean }) =>
  queryOptions({
    queryKey: ['risk', 'measures', f] as const,
    queryFn: () =>
      http.get<RiskMeasureRef[]>('/api/risk/measures', {
        nodeId: f.nodeId,
        withCycle: f.withCycle === undefined ? undefined : String(f.withCycle),
      }),
  });

export const riskExportUrl = (format: 'xlsx' | 'csv', f: RiskFilters) =>
  `/api/risk/export${queryString({ format, ...f })}`;

export function useSaveRiskUnit() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: CreateRiskUnit | UpdateRiskUnit }) =>
      id === null
        ? http.post<RiskUnit>('/api/risk/units', body)
        : http.put<RiskUnit>(`/api/risk/units/${id}`, body),
    [['risk']],
  );
}

export function useDeleteRiskUnit() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/risk/units/${id}`, { reason }),
    [['risk']],
  );
}
