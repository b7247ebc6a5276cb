import type { ScanResultSchema, Task, TaskDetail } from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { ApiError, http } from '../../app/api';
import type { ReadCache } from './idbStore';
import type { DraftScan, QueuedPhoto, Submission } from './outbox';
import type { SyncApi } from './sync';

export type ScanResult = z.infer<typeof ScanResultSchema>;

/**
 * The inspection API as the phone uses it. Reads go to the server and are copied into IndexedDB;
 * without network the copy answers (marked `fromCache`), so the pages open offline.
 */

// Provides: ['fieldwork', 'my-tasks'] (today's list), ['fieldwork', 'task', id] (a task with its
// checklist). Submits and scans invalidate both.
export const fieldworkKeys = {
  all: ['fieldwork'] as const,
  myTasks: ['fieldwork', 'my-tasks'] as const,
  task: (id: number) => ['fieldwork', 'task', id] as const,
};

export interface Cached<T> {
  value: T;
  /** when the server said it */
  savedAt: string;
  fromCache: boolean;
}

const isOffline = (e: unknown) => e instanceof ApiError && e.status === 0;

/** The server's answer, kept for later; the kept one when there is no network. */
async function readThrough<T>(cache: ReadCache, key: string, load: () => Promise<T>): Promise<Cached<T>> {
  try {
    const value = await load();
    const now = new Date();
    await cache.put(key, value, now);
    return { value, savedAt: now.toISOString(), fromCache: false };
  } catch (e) {
    if (!isOffline(e)) throw e;
    const kept = await cache.get<T>(key);
    if (!kept) throw e;
    return { value: kept.value, savedAt: kept.savedAt, fromCache: true };
  }
}

export const taskCacheKey = (id: number) => `task:${id}`;

export const myTasksQuery = (cache: ReadCache) =>
  queryOptions({
    queryKey: fieldworkKeys.myTasks,
    queryFn: async () => {
      const list = await readThrough(cache, 'my-tasks', () => http.get<Task[]>('/api/inspection/my-tasks'));
      // every task of the day opens offline too: their checklists are fetched with the list
      if (!list.fromCache) {
        await Promise.all(
          list.value
            .filter((t) => !['done', 'done_late', 'missed', 'cancelled'].includes(t.state))
            .map((t) =>
              readThrough(cache, taskCacheKey(t.id), () =>
                http.get<TaskDetail>(`/api/inspection/tasks/${t.id}`),
              ).catch(() => null),
            ),
        );
      }
      return list;
    },
    // a network error is answered from the copy; other errors are shown by the page
    meta: { silent: true },
    // run offline too (react-query would pause): the copy answers
    networkMode: 'always',
    retry: false,
    staleTime: 15_000,
  });

export const taskQuery = (cache: ReadCache, id: number) =>
  queryOptions({
    queryKey: fieldworkKeys.task(id),
    queryFn: () =>
      readThrough(cache, taskCacheKey(id), () => http.get<TaskDetail>(`/api/inspection/tasks/${id}`)),
    meta: { silent: true },
    networkMode: 'always',
    retry: false,
    staleTime: 15_000,
  });

export function scanBody(scan: DraftScan) {
  return {
    token: scan.token,
    scannedAt: scan.scannedAt,
    lat: scan.lat,
    lng: scan.lng,
    accuracyM: scan.accuracyM,
  };
}

export function postScan(taskId: number, scan: DraftScan): Promise<ScanResult> {
  return http.post<ScanResult>(`/api/inspection/tasks/${taskId}/scan`, scanBody(scan));
}

/** The submit body of a run: photos named by their client ids (the server finds them uploaded). */
export function submitBody(run: Submission) {
  const answers: Record<string, { value: string | number | boolean | null; note: string; photos: string[] }> =
    {};
  for (const [key, a] of Object.entries(run.answers)) {
    answers[key] = { value: a.value, note: a.note, photos: a.photos };
  }
  return {
    clientSubmissionId: run.id,
    baseRevision: run.baseRevision,
    // a scan the server already verified is not sent again; one kept offline is verified now
    scan: run.scan && !run.scan.verified ? scanBody(run.scan) : null,
    answers,
    comment: run.comment,
    completedAt: run.submittedAt ?? undefined,
  };
}

/** Raw bytes to the evidence route, idempotent per clientId. */
async function uploadPhoto(photo: QueuedPhoto): Promise<number> {
  const qs = new URLSearchParams({
    ownerKind: 'inspection_task',
    ownerId: String(photo.taskId),
    clientId: photo.clientId,
    fileName: photo.fileName,
  });
  let res: Response;
  try {
    res = await fetch(`/api/evidence?${qs}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': photo.type || 'image/jpeg', accept: 'application/json' },
      body: photo.blob,
    });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message || 'Network error');
  }
  const payload = (await res.json().catch(() => null)) as {
    id?: number;
    error?: { code: string; message: string; details?: unknown };
  } | null;
  if (!res.ok || typeof payload?.id !== 'number') {
    throw new ApiError(
      res.status,
      payload?.error?.code ?? `http_${res.status}`,
      payload?.error?.message ?? res.statusText,
      payload?.error?.details,
    );
  }
  return payload.id;
}

/** The sync's calls; a stored result updates the task's offline copy. */
export function syncApi(cache: ReadCache, onStored: (task: TaskDetail) => void): SyncApi {
  return {
    uploadPhoto,
    async submit(run) {
      const task = await http.post<TaskDetail>(`/api/inspection/tasks/${run.taskId}/submit`, submitBody(run));
      await cache.put(taskCacheKey(task.id), task, new Date());
      onStored(task);
    },
  };
}
