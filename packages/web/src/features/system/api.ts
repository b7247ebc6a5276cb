import type { DiskStatus } from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import { http } from '../../app/api';

// Provides: ['system', 'disk']. Read-only; refreshed by polling.
export const diskQuery = queryOptions({
  queryKey: ['system', 'disk'] as const,
  queryFn: () => http.get<DiskStatus>('/api/system/disk'),
  refetchInterval: 30_000,
});
