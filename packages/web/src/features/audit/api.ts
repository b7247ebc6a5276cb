import type { AuditEntry, AuditVerifyResult } from '@aegis/shared';
import { keepPreviousData, queryOptions, useMutation } from '@tanstack/react-query';
import { http, queryString } from '../../app/api';

export interface AuditFilters {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditEntry['outcome'];
}

// Provides: ['audit', …]. Every write anywhere in the app invalidates ['audit'] (see useApiMutation).
export const auditQuery = (filters: AuditFilters, page: { limit: number; offset: number }) =>
  queryOptions({
    queryKey: ['audit', 'list', filters, page],
    queryFn: () => http.get<{ items: AuditEntry[]; total: number }>('/api/audit', { ...filters, ...page }),
    placeholderData: keepPreviousData,
  });

/** A download link, not a fetch: the browser saves the file (the export is itself audited). */
export const auditCsvUrl = (filters: AuditFilters) => `/api/audit/export.csv${queryString({ ...filters })}`;
export const auditXlsxUrl = (filters: AuditFilters) => `/api/audit/export.xlsx${queryString({ ...filters })}`;

/** Walks the hash chain; a read that is not cached, since each run should look afresh. */
export function useVerifyChain() {
  return useMutation({ mutationFn: () => http.get<AuditVerifyResult>('/api/audit/verify') });
}
