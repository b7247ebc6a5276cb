import type {
  Board,
  BoardQuerySchema,
  Checkpoint,
  CheckpointTokenSchema,
  CreateCheckpointSchema,
  CreatePlanSchema,
  CreateRouteSchema,
  CreateTemplateSchema,
  EvidencePhoto,
  EvidenceReviewInput,
  GenerateResultSchema,
  Plan,
  PlanDraftPreviewSchema,
  PlanPreviewSchema,
  ReassignTaskSchema,
  RiskMeasureRef,
  Route,
  TaskDetail,
  TaskListQuerySchema,
  TaskPageSchema,
  TaskState,
  Template,
  TemplateVersion,
  UpdateCheckpointSchema,
  UpdatePlanSchema,
  UpdateRouteSchema,
  UpdateTemplateSchema,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { http, queryString, useApiMutation } from '../../app/api';

export type CreateTemplate = z.input<typeof CreateTemplateSchema>;
export type UpdateTemplate = z.input<typeof UpdateTemplateSchema>;
export type CreateCheckpoint = z.input<typeof CreateCheckpointSchema>;
export type UpdateCheckpoint = z.input<typeof UpdateCheckpointSchema>;
export type CheckpointToken = z.infer<typeof CheckpointTokenSchema>;
export type CreateRoute = z.input<typeof CreateRouteSchema>;
export type UpdateRoute = z.input<typeof UpdateRouteSchema>;
export type CreatePlan = z.input<typeof CreatePlanSchema>;
export type UpdatePlan = z.input<typeof UpdatePlanSchema>;
export type PlanPreview = z.infer<typeof PlanPreviewSchema>;
export type PlanDraftPreview = z.input<typeof PlanDraftPreviewSchema>;
export type GenerateResult = z.infer<typeof GenerateResultSchema>;
export type TaskPage = z.infer<typeof TaskPageSchema>;
/** The list's query as the page holds it: states as an array, sent comma-separated. */
export type TaskQuery = Partial<Omit<z.infer<typeof TaskListQuerySchema>, 'state'>> & { state?: TaskState[] };
export type BoardQuery = z.infer<typeof BoardQuerySchema>;
export type ReassignTask = z.input<typeof ReassignTaskSchema>;

const API = '/api/inspection';

// Provides: ['inspection', 'templates'|'checkpoints'|'routes'|'plans'|'tasks'|'board', …].
// A task change (cancel, reassign) makes the lists and the board stale; a plan change, its
// preview and the board (generated tasks); evidence reviews, the task they belong to.
export const inspectionKeys = {
  all: ['inspection'] as const,
  templates: ['inspection', 'templates'] as const,
  versions: (id: number) => ['inspection', 'templates', id, 'versions'] as const,
  checkpoints: ['inspection', 'checkpoints'] as const,
  routes: ['inspection', 'routes'] as const,
  plans: ['inspection', 'plans'] as const,
  preview: (id: number, hours: number) => ['inspection', 'plans', id, 'preview', hours] as const,
  tasks: ['inspection', 'tasks'] as const,
  task: (id: number) => ['inspection', 'tasks', 'one', id] as const,
  board: ['inspection', 'board'] as const,
  evidence: (taskId: number) => ['inspection', 'tasks', 'one', taskId, 'evidence'] as const,
};

// ---- templates (点检表)

export const templatesQuery = queryOptions({
  queryKey: inspectionKeys.templates,
  queryFn: () => http.get<Template[]>(`${API}/templates`, { active: 'all' }),
});

export const templateVersionsQuery = (id: number) =>
  queryOptions({
    queryKey: inspectionKeys.versions(id),
    queryFn: () => http.get<TemplateVersion[]>(`${API}/templates/${id}/versions`),
  });

export function useSaveTemplate() {
  return useApiMutation(
    (v: { id: null; body: CreateTemplate } | { id: number; body: UpdateTemplate }) =>
      v.id === null
        ? http.post<Template>(`${API}/templates`, v.body)
        : http.put<Template>(`${API}/templates/${v.id}`, v.body),
    [inspectionKeys.templates],
  );
}

// ---- checkpoints (巡检点)

export const checkpointsQuery = queryOptions({
  queryKey: inspectionKeys.checkpoints,
  queryFn: () => http.get<Checkpoint[]>(`${API}/checkpoints`, { active: 'all' }),
});

export function useSaveCheckpoint() {
  return useApiMutation(
    (v: { id: null; body: CreateCheckpoint } | { id: number; body: UpdateCheckpoint }) =>
      v.id === null
        ? http.post<Checkpoint>(`${API}/checkpoints`, v.body)
        : http.patch<Checkpoint>(`${API}/checkpoints/${v.id}`, v.body),
    [inspectionKeys.checkpoints],
  );
}

/** A new token version: every printed label of the checkpoint stops working. */
export function useRotateToken() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.post<CheckpointToken>(`${API}/checkpoints/${id}/rotate`, { reason }),
    [inspectionKeys.checkpoints],
  );
}

/** The printable QR label sheet of the chosen checkpoints. */
export const labelsUrl = (ids: number[]) =>
  `${API}/checkpoints/labels.pdf${queryString({ ids: ids.join(',') })}`;

// ---- routes (巡检路线)

export const routesQuery = queryOptions({
  queryKey: inspectionKeys.routes,
  queryFn: () => http.get<Route[]>(`${API}/routes`),
});

export function useSaveRoute() {
  return useApiMutation(
    (v: { id: null; body: CreateRoute } | { id: number; body: UpdateRoute }) =>
      v.id === null
        ? http.post<Route>(`${API}/routes`, v.body)
        : http.patch<Route>(`${API}/routes/${v.id}`, v.body),
    [inspectionKeys.routes],
  );
}

export function useDeleteRoute() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.del<{ ok: true }>(`${API}/routes/${id}`, { reason }),
    [inspectionKeys.routes],
  );
}

// ---- plans

export const plansQuery = queryOptions({
  queryKey: inspectionKeys.plans,
  queryFn: () => http.get<Plan[]>(`${API}/plans`, { active: 'all' }),
});

export const planPreviewQuery = (id: number, hours = 24 * 7) =>
  queryOptions({
    queryKey: inspectionKeys.preview(id, hours),
    queryFn: () => http.get<PlanPreview>(`${API}/plans/${id}/preview`, { hours }),
  });

/** The next occurrences of an unsaved plan (the editor, while the schedule is edited); errors stay quiet. */
export const planDraftPreviewQuery = (draft: PlanDraftPreview | null) =>
  queryOptions({
    queryKey: [...inspectionKeys.plans, 'draft-preview', draft] as const,
    queryFn: () => http.post<PlanPreview>(`${API}/plans/preview`, draft),
    enabled: draft !== null,
    retry: false,
    placeholderData: keepPreviousData,
    meta: { silent: true },
  });

export function useSavePlan() {
  return useApiMutation(
    (v: { id: null; body: CreatePlan } | { id: number; body: UpdatePlan }) =>
      v.id === null
        ? http.post<Plan>(`${API}/plans`, v.body)
        : http.patch<Plan>(`${API}/plans/${v.id}`, v.body),
    [inspectionKeys.plans, inspectionKeys.board, inspectionKeys.tasks],
  );
}

/** Runs the task generator now (it also runs on its own schedule). */
export function useGenerate() {
  return useApiMutation(
    () => http.post<GenerateResult>(`${API}/generate`),
    [inspectionKeys.tasks, inspectionKeys.board],
  );
}

// ---- tasks

const taskParams = (q: TaskQuery) => ({ ...q, state: q.state?.length ? q.state.join(',') : undefined });

export const tasksQuery = (q: TaskQuery) =>
  queryOptions({
    queryKey: [...inspectionKeys.tasks, 'list', q],
    queryFn: () => http.get<TaskPage>(`${API}/tasks`, taskParams(q)),
    placeholderData: keepPreviousData,
  });

/** The 排查记录 of the filtered tasks (all of them, not the page), as XLSX or CSV. */
export const tasksExportUrl = (q: TaskQuery, format: 'xlsx' | 'csv' = 'xlsx') => {
  const { limit: _l, offset: _o, ...rest } = taskParams(q);
  return `${API}/tasks/export.${format}${queryString(rest)}`;
};

export const taskQuery = (id: number) =>
  queryOptions({
    queryKey: inspectionKeys.task(id),
    queryFn: () => http.get<TaskDetail>(`${API}/tasks/${id}`),
  });

export function useCancelTask() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) =>
      http.post<TaskDetail>(`${API}/tasks/${id}/cancel`, { reason }),
    [inspectionKeys.tasks, inspectionKeys.board],
  );
}

export function useReassignTask() {
  return useApiMutation(
    ({ id, ...body }: ReassignTask & { id: number }) =>
      http.post<TaskDetail>(`${API}/tasks/${id}/reassign`, body),
    [inspectionKeys.tasks, inspectionKeys.board],
  );
}

// ---- board (看板)

export const boardQuery = (q: BoardQuery) =>
  queryOptions({
    queryKey: [...inspectionKeys.board, q],
    queryFn: () => http.get<Board>(`${API}/board`, { ...q }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });

// ---- evidence photos of a task (evidence module)

export const taskEvidenceQuery = (taskId: number) =>
  queryOptions({
    queryKey: inspectionKeys.evidence(taskId),
    queryFn: () =>
      http.get<EvidencePhoto[]>('/api/evidence', { ownerKind: 'inspection_task', ownerId: taskId }),
  });

export const evidenceThumbUrl = (id: number) => `/api/evidence/${id}/thumb`;
export const evidenceFileUrl = (id: number) => `/api/evidence/${id}/file`;

export function useReviewEvidence(taskId: number) {
  return useApiMutation(
    ({ id, ...body }: EvidenceReviewInput & { id: number }) =>
      http.post<EvidencePhoto>(`/api/evidence/${id}/review`, body),
    [inspectionKeys.evidence(taskId), inspectionKeys.task(taskId)],
  );
}

// ---- control measures of the risk register (管控措施), for the plan editor's picker

export const controlMeasuresQuery = queryOptions({
  queryKey: ['risk', 'measures', 'for-plans'] as const,
  queryFn: () => http.get<RiskMeasureRef[]>('/api/risk/measures'),
  staleTime: 60_000,
});
