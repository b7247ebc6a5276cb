import type {
  CreateTagSchema,
  CurrentValueSchema,
  TagImportResultSchema,
  TagView,
  TrendSeries,
  UpdateTagSchema,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, queryString, useApiMutation } from '../../app/api';

/** A tag as the list answers it: with the code and names of its equipment. */
export type TagRow = TagView;
export type CreateTag = z.input<typeof CreateTagSchema>;
export type UpdateTag = z.input<typeof UpdateTagSchema>;
export type CurrentValue = z.infer<typeof CurrentValueSchema>;
export type ImportResult = z.infer<typeof TagImportResultSchema>;
export type { TrendSeries };

export interface TagFilters {
  equipmentId?: number;
  nodeId?: number;
  q?: string;
  sourceKind?: TagView['source']['kind'];
  limit?: number;
  offset?: number;
}

// Provides: ['tags', …] (lists, one tag), ['values', …] (current values), ['trends', …].
// Tag writes invalidate ['tags']; the live stream's reconnect invalidates ['values'].
export const tagKeys = {
  all: ['tags'] as const,
  list: (f: TagFilters) => ['tags', 'list', f] as const,
  one: (id: number) => ['tags', 'one', id] as const,
  values: ['values'] as const,
  trends: ['trends'] as const,
};

export const tagsQuery = (f: TagFilters) =>
  queryOptions({
    queryKey: tagKeys.list(f),
    queryFn: () => http.get<{ items: TagRow[]; total: number }>('/api/tags', { ...f }),
    placeholderData: keepPreviousData,
  });

export const tagQuery = (id: number) =>
  queryOptions({
    queryKey: tagKeys.one(id),
    queryFn: () => http.get<TagRow>(`/api/tags/${id}`),
    staleTime: 300_000,
  });

/** Current values of these tags (ids sorted, so the same set shares one cache entry). */
export const currentValuesQuery = (tagIds: number[]) =>
  queryOptions({
    queryKey: [...tagKeys.values, 'current', tagIds] as const,
    queryFn: () => http.get<{ items: CurrentValue[] }>('/api/values/current', { tagIds: tagIds.join(',') }),
    enabled: tagIds.length > 0,
  });

/** The API caps one trend request at 20 tags. */
export const TREND_MAX_TAGS = 20;

export const trendsQuery = (p: { tagIds: number[]; from: string; to: string; maxPoints?: number }) =>
  queryOptions({
    queryKey: [...tagKeys.trends, p] as const,
    queryFn: async () => {
      const chunks: number[][] = [];
      for (let i = 0; i < p.tagIds.length; i += TREND_MAX_TAGS)
        chunks.push(p.tagIds.slice(i, i + TREND_MAX_TAGS));
      const parts = await Promise.all(
        chunks.map((ids) =>
          http.get<{ series: TrendSeries[] }>('/api/trends', {
            tagIds: ids.join(','),
            from: p.from,
            to: p.to,
            maxPoints: p.maxPoints ?? 1000,
          }),
        ),
      );
      return { series: parts.flatMap((r) => r.series) };
    },
    enabled: p.tagIds.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });

export function useCreateTag() {
  return useApiMutation((body: CreateTag) => http.post<TagRow>('/api/tags', body), [tagKeys.all]);
}

export function useUpdateTag() {
  return useApiMutation(
    ({ id, ...body }: UpdateTag & { id: number }) => http.patch<TagRow>(`/api/tags/${id}`, body),
    [tagKeys.all],
  );
}

export function useDeleteTag() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/tags/${id}`, { reason }),
    [tagKeys.all],
  );
}

/** A download link: the browser saves the file. */
export const tagExportUrl = (format: 'csv' | 'xlsx', nodeId?: number) =>
  `/api/tags/export${queryString({ format, nodeId })}`;

export function useImportTags() {
  return useApiMutation(
    (body: { format: 'csv' | 'xlsx'; content: string; dryRun: boolean; reason: string }) =>
      http.post<ImportResult>('/api/tags/import', body),
    [tagKeys.all],
    // A dry run's errors are shown in the dialog, row by row.
    { silent: true },
  );
}
