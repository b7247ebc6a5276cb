import type {
  Course,
  CourseHistorySchema,
  CreateCourse,
  CreateRecord,
  MyTrainingSchema,
  NeedListSchema,
  RecordImportResultSchema,
  RecordPageSchema,
  RequirementLevel,
  RequirementListSchema,
  TrainingMatrix,
  TrainingRecord,
} from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, useApiMutation } from '../../app/api';

// 培训. Provides ['training', …]; every write invalidates all of ['training'].
export type RecordPage = z.infer<typeof RecordPageSchema>;
export type NeedList = z.infer<typeof NeedListSchema>;
export type MyTraining = z.infer<typeof MyTrainingSchema>;
export type ImportResult = z.infer<typeof RecordImportResultSchema>;
export type CourseHistory = z.infer<typeof CourseHistorySchema>;

export const coursesQuery = queryOptions({
  queryKey: ['training', 'courses'] as const,
  queryFn: () => http.get<{ items: Course[] }>('/api/training/courses'),
});
export const courseHistoryQuery = (id: number) =>
  queryOptions({
    queryKey: ['training', 'course-history', id] as const,
    queryFn: () => http.get<CourseHistory>(`/api/training/courses/${id}/history`),
  });
export const matrixQuery = (postId?: number) =>
  queryOptions({
    queryKey: ['training', 'matrix', postId ?? null] as const,
    queryFn: () => http.get<TrainingMatrix>('/api/training/matrix', { postId }),
  });
export const requirementsQuery = queryOptions({
  queryKey: ['training', 'requirements'] as const,
  queryFn: () => http.get<z.infer<typeof RequirementListSchema>>('/api/training/requirements'),
});
export const postsQuery = queryOptions({
  queryKey: ['training', 'posts'] as const,
  queryFn: () => http.get<Array<{ id: number; code: string; name: string }>>('/api/org/posts'),
});

export interface RecordFilters {
  userId?: number | undefined;
  courseId?: number | undefined;
  standing?: TrainingRecord['standing'] | undefined;
  q?: string | undefined;
}
export const recordsQuery = (f: RecordFilters) =>
  queryOptions({
    queryKey: ['training', 'records', f] as const,
    queryFn: () => http.get<RecordPage>('/api/training/records', { ...f, limit: 1000 }),
  });
export const needsQuery = (days: number) =>
  queryOptions({
    queryKey: ['training', 'needs', days] as const,
    queryFn: () => http.get<NeedList>('/api/training/needs', { days }),
  });
export const mineQuery = queryOptions({
  queryKey: ['training', 'mine'] as const,
  queryFn: () => http.get<MyTraining>('/api/training/mine'),
});

export const exportUrl = (f: RecordFilters, format: 'csv' | 'xlsx') =>
  `/api/training/records/export?${new URLSearchParams(
    Object.entries({ ...f, format }).flatMap(([k, v]) =>
      v === undefined || v === '' ? [] : [[k, String(v)]],
    ),
  )}`;
export const needsExportUrl = (days: number, format: 'csv' | 'xlsx') =>
  `/api/training/needs?days=${days}&format=${format}`;

export function useSaveCourse() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: CreateCourse }) =>
      id === null
        ? http.post<Course>('/api/training/courses', body)
        : http.put<Course>(`/api/training/courses/${id}`, body),
    [['training']],
  );
}
export function useSetRequirement() {
  return useApiMutation(
    (body: { postId: number; courseId: number; level: RequirementLevel | null; reason: string }) =>
      http.put('/api/training/requirements', body),
    [['training']],
  );
}
export function useSaveRecord() {
  return useApiMutation(
    ({ id, body }: { id: number | null; body: CreateRecord }) =>
      id === null
        ? http.post<TrainingRecord>('/api/training/records', body)
        : http.put<TrainingRecord>(`/api/training/records/${id}`, body),
    [['training']],
  );
}
export function useDeleteRecord() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/training/records/${id}`, { reason }),
    [['training']],
  );
}
export function useImportRecords() {
  return useApiMutation(
    (body: { format: 'csv' | 'xlsx'; content: string; dryRun: boolean; reason: string }) =>
      http.post<ImportResult>('/api/training/records/import', body),
    [['training']],
  );
}
export function usePlanNeed() {
  return useApiMutation(
    (body: { key: string; plannedOn: string; trainer: string; reason: string }) =>
      http.post<TrainingRecord>('/api/training/needs/plan', body),
    [['training']],
  );
}

/** A file as base64 for the import body. */
export async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
