import type {
  AlarmHealthSchema,
  AlarmJournalEntry,
  AlarmPriority,
  AlarmRuleRecord,
  AlarmView,
  BulkResultSchema,
  CreateAlarmRuleSchema,
  InterlockCommandSchema,
  UpdateAlarmRuleSchema,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';

export type AlarmHealth = z.infer<typeof AlarmHealthSchema>;
export type BulkResult = z.infer<typeof BulkResultSchema>;
export type InterlockCommand = z.infer<typeof InterlockCommandSchema>;
export type CreateAlarmRule = z.input<typeof CreateAlarmRuleSchema>;
export type UpdateAlarmRule = z.input<typeof UpdateAlarmRuleSchema>;

// Provides: ['alarms', …] (list, health, history, one alarm) and ['alarm-rules', tagId].
// Operator actions invalidate ['alarms']; the live stream patches ['alarms','active'] in place.
export const alarmKeys = {
  all: ['alarms'] as const,
  active: ['alarms', 'active'] as const,
  health: ['alarms', 'health'] as const,
  history: ['alarms', 'history'] as const,
  interlocks: ['alarms', 'interlocks'] as const,
  rules: ['alarm-rules'] as const,
  rulesOf: (tagId: number) => ['alarm-rules', tagId] as const,
};

/** Every alarm needing attention in the user's scope; filtered on the client so the stream can patch it. */
export const activeAlarmsQuery = queryOptions({
  queryKey: alarmKeys.active,
  queryFn: () => http.get<AlarmView[]>('/api/alarms'),
  // The live stream keeps it current; a refetch only happens on reconnect or after an action.
  staleTime: Number.POSITIVE_INFINITY,
});

export const alarmHealthQuery = queryOptions({
  queryKey: alarmKeys.health,
  queryFn: () => http.get<AlarmHealth>('/api/alarms/health'),
  refetchInterval: 60_000,
});

export interface AlarmHistoryFilters {
  from?: string;
  to?: string;
  priority?: AlarmPriority;
  type?: string;
  equipmentId?: number;
  tagId?: number;
  key?: string;
  /** Not (yet) a server filter: applied to the loaded page. */
  user?: string;
}

export const alarmHistoryQuery = (filters: AlarmHistoryFilters, page: { limit: number; offset: number }) =>
  queryOptions({
    queryKey: [...alarmKeys.history, filters, page],
    queryFn: () =>
      http.get<{ items: AlarmJournalEntry[]; total: number }>('/api/alarms/history', { ...filters, ...page }),
    placeholderData: keepPreviousData,
  });

export const interlocksQuery = queryOptions({
  queryKey: alarmKeys.interlocks,
  queryFn: () => http.get<InterlockCommand[]>('/api/alarms/interlocks'),
});

export function useAcknowledge() {
  return useApiMutation(
    ({ key, comment }: { key: string; comment?: string }) =>
      http.post(`/api/alarms/${encodeURIComponent(key)}/acknowledge`, comment ? { comment } : {}),
    [alarmKeys.all],
  );
}

export function useBulkAcknowledge() {
  return useApiMutation(
    (body: { keys: string[]; comment?: string }) => http.post<BulkResult>('/api/alarms/acknowledge', body),
    [alarmKeys.all],
  );
}

export function useShelve() {
  return useApiMutation(
    ({ key, until, reason }: { key: string; until: number; reason: string }) =>
      http.post(`/api/alarms/${encodeURIComponent(key)}/shelve`, { until, reason }),
    [alarmKeys.all],
  );
}

export function useUnshelve() {
  return useApiMutation(
    ({ key, comment }: { key: string; comment?: string }) =>
      http.post(`/api/alarms/${encodeURIComponent(key)}/unshelve`, comment ? { comment } : {}),
    [alarmKeys.all],
  );
}

export function useCommentAlarm() {
  return useApiMutation(
    ({ key, text }: { key: string; text: string }) =>
      http.post(`/api/alarms/${encodeURIComponent(key)}/comment`, { text }),
    [alarmKeys.all],
  );
}

export function useOutOfService() {
  return useApiMutation(
    ({ key, outOfService, reason }: { key: string; outOfService: boolean; reason: string }) =>
      http.post(`/api/alarms/${encodeURIComponent(key)}/out-of-service`, { outOfService, reason }),
    [alarmKeys.all],
  );
}

export const alarmRulesQuery = (tagId: number) =>
  queryOptions({
    queryKey: alarmKeys.rulesOf(tagId),
    queryFn: () => http.get<AlarmRuleRecord[]>(`/api/tags/${tagId}/alarm-rules`),
  });

export function useCreateRule() {
  return useApiMutation(
    (body: CreateAlarmRule) => http.post<AlarmRuleRecord>('/api/alarm-rules', body),
    [alarmKeys.rules, alarmKeys.all],
  );
}

export function useUpdateRule() {
  return useApiMutation(
    ({ id, ...body }: UpdateAlarmRule & { id: number }) =>
      http.patch<AlarmRuleRecord>(`/api/alarm-rules/${id}`, body),
    [alarmKeys.rules, alarmKeys.all],
  );
}

export function useDeleteRule() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/alarm-rules/${id}`, { reason }),
    [alarmKeys.rules, alarmKeys.all],
  );
}
