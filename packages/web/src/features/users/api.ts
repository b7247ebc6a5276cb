import type { Permission, Role, RoleAssignmentSchema, User } from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';
import { meKey } from '../../app/auth';

export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;
export interface UserListParams {
  q?: string;
  teamId?: number;
  nodeId?: number;
  limit: number;
  offset: number;
}

// Provides: ['users', …] (lists and single users), ['roles', …] (roles, permission catalogue),
// ['grants', userId] (a user's role assignments).
export const usersQuery = (p: UserListParams) =>
  queryOptions({
    queryKey: ['users', 'list', p],
    queryFn: () => http.get<{ items: User[]; total: number }>('/api/users', { ...p }),
    placeholderData: keepPreviousData,
  });

export const userQuery = (id: number) =>
  queryOptions({ queryKey: ['users', 'one', id], queryFn: () => http.get<User>(`/api/users/${id}`) });

export const rolesQuery = queryOptions({
  queryKey: ['roles', 'list'],
  queryFn: () => http.get<Role[]>('/api/access/roles'),
});

export const permissionsQuery = queryOptions({
  queryKey: ['roles', 'permissions'],
  queryFn: () => http.get<{ key: Permission; zh: string; en: string }[]>('/api/access/permissions'),
  staleTime: Number.POSITIVE_INFINITY,
});

export const grantsQuery = (userId: number) =>
  queryOptions({
    queryKey: ['grants', userId],
    queryFn: () => http.get<RoleAssignment[]>(`/api/users/${userId}/roles`),
  });

export function useSaveUser() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: Record<string, unknown> }) =>
      id === null ? http.post<User>('/api/users', body) : http.patch<User>(`/api/users/${id}`, body),
    [['users']],
  );
}

/** Admin reset: sets a new password and unlocks the account. */
export function useResetPassword() {
  return useApiMutation(
    ({ id, password }: { id: number; password: string }) =>
      http.post(`/api/users/${id}/password`, { password }),
    [['users']],
  );
}

export function useSaveRole() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: Record<string, unknown> }) =>
      id === null
        ? http.post<Role>('/api/access/roles', body)
        : http.patch<Role>(`/api/access/roles/${id}`, body),
    // a changed role changes what its holders (perhaps you) may do
    [['roles'], meKey],
  );
}

export function useDeleteRole() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/access/roles/${id}`, { reason }),
    [['roles'], ['grants']],
  );
}

export function useGrantRole() {
  return useApiMutation(
    ({ userId, ...body }: { userId: number; roleId: number; nodeId: number | null; reason: string }) =>
      http.post<RoleAssignment>(`/api/users/${userId}/roles`, body),
    [['grants'], meKey],
  );
}

export function useRevokeRole() {
  return useApiMutation(
    ({ userId, assignmentId, reason }: { userId: number; assignmentId: number; reason: string }) =>
      http.del(`/api/users/${userId}/roles/${assignmentId}`, { reason }),
    [['grants'], meKey],
  );
}
