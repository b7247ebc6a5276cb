import type { LoginResultSchema, Me, SessionSchema } from '@aegis/shared';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';
import { meKey } from '../../app/auth';

export type Session = z.infer<typeof SessionSchema>;
type LoginResult = z.infer<typeof LoginResultSchema>;

// Provides: ['me'] (app/auth.ts), ['auth', 'sessions'].
export const sessionsQuery = queryOptions({
  queryKey: ['auth', 'sessions'],
  queryFn: () => http.get<Session[]>('/api/auth/sessions'),
});

/** Signs in and seeds `me`, so the app opens without another round trip. The form shows errors itself. */
export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; password: string }) =>
      http.post<LoginResult>('/api/auth/login', body),
    meta: { silent: true },
    onSuccess: (res) => {
      qc.clear();
      if (res.status === 'ok') qc.setQueryData<Me | null>(meKey, res.user);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => http.post('/api/auth/logout'),
    meta: { silent: true },
    onSettled: () => {
      qc.clear();
      qc.setQueryData(meKey, null);
    },
  });
}

/** Invalidates `me`: passwordChangeRequired clears. The form shows policy errors itself. */
export function useChangePassword() {
  return useApiMutation(
    (body: { currentPassword: string; newPassword: string }) => http.post('/api/auth/password', body),
    [meKey, ['auth', 'sessions']],
    { silent: true },
  );
}

export function useRevokeSession() {
  return useApiMutation((id: number) => http.del(`/api/auth/sessions/${id}`), [['auth', 'sessions']]);
}
