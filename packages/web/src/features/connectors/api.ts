import type { Connector, CreateConnectorSchema, UpdateConnectorSchema } from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';

export type CreateConnector = z.input<typeof CreateConnectorSchema>;
export type UpdateConnector = z.input<typeof UpdateConnectorSchema>;

// Provides: ['connectors']. Every write and restart invalidates it.
export const connectorKeys = { all: ['connectors'] as const };

export const connectorsQuery = queryOptions({
  queryKey: connectorKeys.all,
  queryFn: () => http.get<Connector[]>('/api/connectors'),
});

export function useCreateConnector() {
  return useApiMutation(
    (body: CreateConnector) => http.post<Connector>('/api/connectors', body),
    [connectorKeys.all],
  );
}

export function useUpdateConnector() {
  return useApiMutation(
    ({ id, ...body }: UpdateConnector & { id: number }) =>
      http.patch<Connector>(`/api/connectors/${id}`, body),
    [connectorKeys.all],
  );
}

export function useDeleteConnector() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/connectors/${id}`, { reason }),
    [connectorKeys.all],
  );
}

export function useRestartConnector() {
  return useApiMutation((id: number) => http.post(`/api/connectors/${id}/restart`), [connectorKeys.all]);
}

export function useDecideCertificate() {
  return useApiMutation(
    ({
      id,
      decision,
      ...body
    }: {
      id: number;
      decision: 'approve' | 'reject';
      fingerprint: string;
      reason: string;
    }) => http.post<Connector>(`/api/connectors/${id}/certificates/${decision}`, body),
    [connectorKeys.all],
  );
}
