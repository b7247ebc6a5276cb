import type { KioskToken, Screen, ScreenData, ScreenLayout } from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import { http, useApiMutation } from '../../app/api';

// 大屏. Provides ['screens'], ['screen', id], ['screen', id, 'data'], ['screen', id, 'tokens'], ['kiosk'];
// every write invalidates ['screens'] and ['screen'].

export const screensQuery = queryOptions({
  queryKey: ['screens'] as const,
  queryFn: () => http.get<Screen[]>('/api/screens'),
});

export const screenQuery = (id: number) =>
  queryOptions({ queryKey: ['screen', id] as const, queryFn: () => http.get<Screen>(`/api/screens/${id}`) });

/** Refetched every 30 s and on every alarm the live stream brings (see useScreenLive). */
export const screenDataQuery = (id: number) =>
  queryOptions({
    queryKey: ['screen', id, 'data'] as const,
    queryFn: () => http.get<ScreenData>(`/api/screens/${id}/data`),
    refetchInterval: 30_000,
  });

export const kioskQuery = queryOptions({
  queryKey: ['kiosk'] as const,
  queryFn: () => http.get<{ screen: Screen; data: ScreenData }>('/api/kiosk/screen'),
  refetchInterval: 30_000,
  retry: (n, e) => n < 2 && (e as { status?: number }).status !== 401,
});

export const tokensQuery = (id: number) =>
  queryOptions({
    queryKey: ['screen', id, 'tokens'] as const,
    queryFn: () => http.get<KioskToken[]>(`/api/screens/${id}/tokens`),
  });

export const openKioskSession = (token: string) =>
  http.post<{ screenId: number; expiresAt: string }>('/api/kiosk/session', { token });

const writes = [['screens'], ['screen']];

export function useSaveScreen() {
  return useApiMutation(
    (v: {
      id: number | null;
      name: string;
      nodeId: number;
      layout: ScreenLayout;
      version?: number;
      reason: string;
    }) =>
      v.id === null
        ? http.post<Screen>('/api/screens', {
            name: v.name,
            nodeId: v.nodeId,
            layout: v.layout,
            reason: v.reason,
          })
        : http.put<Screen>(`/api/screens/${v.id}`, {
            name: v.name,
            nodeId: v.nodeId,
            layout: v.layout,
            version: v.version,
            reason: v.reason,
          }),
    writes,
  );
}

export function useDeleteScreen() {
  return useApiMutation(
    (v: { id: number; reason: string }) => http.del(`/api/screens/${v.id}`, { reason: v.reason }),
    writes,
  );
}

export function useCreateToken() {
  return useApiMutation(
    (v: { screenId: number; name: string; expiresInDays: number | null; reason: string }) =>
      http.post<{ token: KioskToken; secret: string }>(`/api/screens/${v.screenId}/tokens`, {
        name: v.name,
        expiresInDays: v.expiresInDays,
        reason: v.reason,
      }),
    writes,
  );
}

export function useRevokeToken() {
  return useApiMutation(
    (v: { screenId: number; tokenId: number; reason: string }) =>
      http.post(`/api/screens/${v.screenId}/tokens/${v.tokenId}/revoke`, { reason: v.reason }),
    writes,
  );
}

/** The link a kiosk opens: the secret in the fragment, which a browser never sends to a server. */
export const kioskLink = (secret: string) => `${window.location.origin}/kiosk#${secret}`;
