import type {
  Channel,
  CreateChannelSchema,
  CreatePolicySchema,
  Delivery,
  DeliveryDetailSchema,
  DeliveryQuerySchema,
  MarkReadSchema,
  NotificationListSchema,
  NotificationQuerySchema,
  NotifyHealthSchema,
  NotifyProfile,
  Policy,
  PreviewRequestSchema,
  PreviewResultSchema,
  TestChannelResultSchema,
  TestChannelSchema,
  UpdateChannelSchema,
  UpdateNotifyProfileSchema,
  UpdatePolicySchema,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';

export type CreateChannel = z.input<typeof CreateChannelSchema>;
export type UpdateChannel = z.input<typeof UpdateChannelSchema>;
export type TestChannel = z.input<typeof TestChannelSchema>;
export type TestChannelResult = z.infer<typeof TestChannelResultSchema>;
export type CreatePolicy = z.input<typeof CreatePolicySchema>;
export type UpdatePolicy = z.input<typeof UpdatePolicySchema>;
export type PreviewRequest = z.input<typeof PreviewRequestSchema>;
export type PreviewResult = z.infer<typeof PreviewResultSchema>;
export type DeliveryDetail = z.infer<typeof DeliveryDetailSchema>;
export type DeliveryQuery = Partial<z.infer<typeof DeliveryQuerySchema>>;
export type NotificationList = z.infer<typeof NotificationListSchema>;
export type NotificationQuery = Partial<z.infer<typeof NotificationQuerySchema>>;
export type MarkRead = z.input<typeof MarkReadSchema>;
export type NotifyHealth = z.infer<typeof NotifyHealthSchema>;
export type UpdateNotifyProfile = z.input<typeof UpdateNotifyProfileSchema>;

// Provides: ['notify', 'channels'|'policies'|'deliveries'|'health'] for the administration pages,
// ['me-notifications', …] for the bell and the notification centre (the live stream patches it),
// ['me-notify-profile'] for the personal settings.
export const notifyKeys = {
  all: ['notify'] as const,
  channels: ['notify', 'channels'] as const,
  policies: ['notify', 'policies'] as const,
  deliveries: ['notify', 'deliveries'] as const,
  delivery: (id: number) => ['notify', 'deliveries', 'one', id] as const,
  health: ['notify', 'health'] as const,
  inbox: ['me-notifications'] as const,
  inboxList: (q: NotificationQuery) => ['me-notifications', q] as const,
  profile: ['me-notify-profile'] as const,
};

export const channelsQuery = queryOptions({
  queryKey: notifyKeys.channels,
  queryFn: () => http.get<Channel[]>('/api/notify/channels'),
});

export function useSaveChannel() {
  return useApiMutation(
    (v: { id: null; body: CreateChannel } | { id: number; body: UpdateChannel }) =>
      v.id === null
        ? http.post<Channel>('/api/notify/channels', v.body)
        : http.patch<Channel>(`/api/notify/channels/${v.id}`, v.body),
    [notifyKeys.channels, notifyKeys.policies],
  );
}

export function useDeleteChannel() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.del<{ ok: true }>(`/api/notify/channels/${id}`, { reason }),
    [notifyKeys.channels, notifyKeys.policies],
  );
}

/** "Send test" answers with the outcome, also when the provider refused: shown in place, not as an error toast. */
export function useTestChannel() {
  return useApiMutation(
    ({ id, ...body }: TestChannel & { id: number }) =>
      http.post<TestChannelResult>(`/api/notify/channels/${id}/test`, body),
    [notifyKeys.deliveries],
    { silent: true },
  );
}

export const policiesQuery = queryOptions({
  queryKey: notifyKeys.policies,
  queryFn: () => http.get<Policy[]>('/api/notify/policies'),
});

export function useSavePolicy() {
  return useApiMutation(
    (v: { id: null; body: CreatePolicy } | { id: number; body: UpdatePolicy }) =>
      v.id === null
        ? http.post<Policy>('/api/notify/policies', v.body)
        : http.patch<Policy>(`/api/notify/policies/${v.id}`, v.body),
    [notifyKeys.policies],
  );
}

export function useDeletePolicy() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.del<{ ok: true }>(`/api/notify/policies/${id}`, { reason }),
    [notifyKeys.policies],
  );
}

/** "What would happen": nothing is stored or sent, so nothing is invalidated (and no audit entry). */
export function usePreview() {
  return useApiMutation((body: PreviewRequest) => http.post<PreviewResult>('/api/notify/preview', body), [], {
    silent: true,
  });
}

export const deliveriesQuery = (q: DeliveryQuery) =>
  queryOptions({
    queryKey: [...notifyKeys.deliveries, q],
    queryFn: () => http.get<{ items: Delivery[]; total: number }>('/api/notify/deliveries', { ...q }),
    placeholderData: keepPreviousData,
  });

export const deliveryQuery = (id: number) =>
  queryOptions({
    queryKey: notifyKeys.delivery(id),
    queryFn: () => http.get<DeliveryDetail>(`/api/notify/deliveries/${id}`),
  });

export function useResend() {
  return useApiMutation(
    (id: number) => http.post<Delivery>(`/api/notify/deliveries/${id}/resend`),
    [notifyKeys.deliveries, notifyKeys.health],
  );
}

export const notifyHealthQuery = queryOptions({
  queryKey: notifyKeys.health,
  queryFn: () => http.get<NotifyHealth>('/api/notify/health'),
  refetchInterval: 30_000,
});

export const notificationsQuery = (q: NotificationQuery = {}) =>
  queryOptions({
    queryKey: notifyKeys.inboxList(q),
    queryFn: () => http.get<NotificationList>('/api/me/notifications', { ...q }),
    // The live stream keeps the first page current; reconnects refetch.
    staleTime: 60_000,
  });

export function useMarkRead() {
  return useApiMutation(
    (body: MarkRead) => http.post<{ unread: number }>('/api/me/notifications/read', body),
    [notifyKeys.inbox],
  );
}

export const notifyProfileQuery = queryOptions({
  queryKey: notifyKeys.profile,
  queryFn: () => http.get<NotifyProfile>('/api/me/notify-profile'),
});

export function useSaveNotifyProfile() {
  return useApiMutation(
    (body: UpdateNotifyProfile) => http.put<NotifyProfile>('/api/me/notify-profile', body),
    [notifyKeys.profile],
  );
}
