import type {
  DepartmentSchema,
  OnDutyResponseSchema,
  PostSchema,
  RosterEntrySchema,
  RosterSchema,
  RotateRosterSchema,
  SetRosterSchema,
  ShiftSchema,
  TeamSchema,
} from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';

export type Department = z.infer<typeof DepartmentSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type Post = z.infer<typeof PostSchema>;
export type Shift = z.infer<typeof ShiftSchema>;

export interface OrgRecords {
  departments: Department;
  teams: Team;
  posts: Post;
  shifts: Shift;
}
export type OrgKind = keyof OrgRecords;
export const ORG_KINDS: OrgKind[] = ['departments', 'teams', 'posts', 'shifts'];

// Provides: ['org', kind] for each of the four record kinds; a write invalidates its own kind.
export const orgKey = (kind: OrgKind) => ['org', kind] as const;

export const orgListQuery = <K extends OrgKind>(kind: K) =>
  queryOptions({ queryKey: orgKey(kind), queryFn: () => http.get<OrgRecords[K][]>(`/api/org/${kind}`) });

export function useSaveOrgRecord<K extends OrgKind>(kind: K) {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: Record<string, unknown> }) =>
      id === null
        ? http.post<OrgRecords[K]>(`/api/org/${kind}`, body)
        : http.patch<OrgRecords[K]>(`/api/org/${kind}/${id}`, body),
    // a team or user shows its department's name, so department changes refresh teams too
    kind === 'departments' ? [orgKey(kind), orgKey('teams')] : [orgKey(kind)],
  );
}

export function useDeleteOrgRecord(kind: OrgKind) {
  return useApiMutation((id: number) => http.del(`/api/org/${kind}/${id}`), [orgKey(kind)]);
}

// 排班 roster and "who is on duty". Provides ['org', 'roster', …] and ['org', 'on-duty', …];
// a roster write invalidates both.
export type Roster = z.infer<typeof RosterSchema>;
export type RosterEntry = z.infer<typeof RosterEntrySchema>;
export type OnDutyResponse = z.infer<typeof OnDutyResponseSchema>;
export type SetRosterBody = z.input<typeof SetRosterSchema>;
export type RotateRosterBody = z.input<typeof RotateRosterSchema>;

export const rosterQuery = (nodeId: number, from: string, to: string) =>
  queryOptions({
    queryKey: ['org', 'roster', nodeId, from, to] as const,
    queryFn: () => http.get<Roster>('/api/org/roster', { nodeId, from, to }),
  });

export const onDutyQuery = (nodeId: number) =>
  queryOptions({
    queryKey: ['org', 'on-duty', nodeId] as const,
    queryFn: () => http.get<OnDutyResponse>('/api/org/on-duty', { nodeId }),
    // the shift changes while the page is open
    refetchInterval: 60_000,
  });

const rosterKeys = [
  ['org', 'roster'],
  ['org', 'on-duty'],
];
export const useSetRoster = () =>
  useApiMutation(
    (body: SetRosterBody) => http.put<{ set: number; cleared: number }>('/api/org/roster', body),
    rosterKeys,
  );
export const useRotateRoster = () =>
  useApiMutation(
    (body: RotateRosterBody) => http.post<{ written: number; to: string }>('/api/org/roster/rotate', body),
    rosterKeys,
  );
