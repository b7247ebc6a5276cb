import type { DepartmentSchema, PostSchema, ShiftSchema, TeamSchema } from '@aegis/shared';
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
