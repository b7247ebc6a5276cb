/**
 * The phone's outbox: what an inspector did (answers, scans, photos) waits here until the server
 * has it — offline for hours, or just until the next request. Every record carries an id made on
 * the phone (crypto.randomUUID), and the server is idempotent per id, so sending twice stores once.
 *
 * Storage is an interface (IndexedDB in the browser: idbStore.ts; a Map in tests), the sync order
 * and the outcome rules live in sync.ts.
 */

/** One checklist answer as the inspector entered it; photos by their client ids. */
export interface DraftAnswer {
  /** pass/fail: 'pass' | 'fail'; numeric: the number; choice: the option; text/signature: the text */
  value: string | number | boolean | null;
  note: string;
  photos: string[];
}

/** Where and when the checkpoint's QR code was scanned (the server verifies the token). */
export interface DraftScan {
  token: string;
  scannedAt: string;
  /** the server already accepted it (scanned online) */
  verified: boolean;
  lat: number | null;
  lng: number | null;
  accuracyM: number | null;
}

export type SubmissionStatus = 'draft' | 'pending' | 'conflict' | 'failed';

/** What the server answered when the task had changed meanwhile (409 sync_conflict). */
export interface Conflict {
  code: string;
  message: string;
  details: unknown;
  at: string;
}

/** A task run: a draft while being filled in, pending once submitted, until the server took it. */
export interface Submission {
  /** the clientSubmissionId: made once, kept through every retry */
  id: string;
  taskId: number;
  /** the task's revision the inspector started from; the server refuses a stale one */
  baseRevision: number;
  /** what the list shows while offline */
  title: string;
  status: SubmissionStatus;
  scan: DraftScan | null;
  answers: Record<string, DraftAnswer>;
  comment: string;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  attempts: number;
  conflict: Conflict | null;
  /** a refusal other than a conflict (validation, permission): shown, the user decides */
  error: { code: string; message: string } | null;
}

/** A photo taken on the phone, kept as bytes until uploaded to the evidence route. */
export interface QueuedPhoto {
  /** the evidence route's clientId (idempotent per id) */
  clientId: string;
  submissionId: string;
  taskId: number;
  itemKey: string;
  fileName: string;
  type: string;
  blob: Blob;
  takenAt: string;
  /** set once the server stored it */
  evidenceId: number | null;
}

export interface OutboxStore {
  submissions(): Promise<Submission[]>;
  submission(id: string): Promise<Submission | undefined>;
  putSubmission(s: Submission): Promise<void>;
  deleteSubmission(id: string): Promise<void>;
  photos(submissionId: string): Promise<QueuedPhoto[]>;
  putPhoto(p: QueuedPhoto): Promise<void>;
  deletePhoto(clientId: string): Promise<void>;
}

/** An outbox in memory: the unit tests', and the fallback where IndexedDB is unavailable. */
export function memoryOutboxStore(): OutboxStore {
  const subs = new Map<string, Submission>();
  const photos = new Map<string, QueuedPhoto>();
  const copy = <T>(v: T): T => ({ ...v });
  return {
    submissions: async () => [...subs.values()].map(copy),
    submission: async (id) => {
      const s = subs.get(id);
      return s && copy(s);
    },
    putSubmission: async (s) => {
      subs.set(s.id, copy(s));
    },
    deleteSubmission: async (id) => {
      subs.delete(id);
      for (const [k, p] of photos) if (p.submissionId === id) photos.delete(k);
    },
    photos: async (submissionId) =>
      [...photos.values()].filter((p) => p.submissionId === submissionId).map(copy),
    putPhoto: async (p) => {
      photos.set(p.clientId, copy(p));
    },
    deletePhoto: async (clientId) => {
      photos.delete(clientId);
    },
  };
}

export function newId(): string {
  return crypto.randomUUID();
}

export function newDraft(
  task: { id: number; revision: number; title: string },
  now: Date,
  id: string = newId(),
): Submission {
  const at = now.toISOString();
  return {
    id,
    taskId: task.id,
    baseRevision: task.revision,
    title: task.title,
    status: 'draft',
    scan: null,
    answers: {},
    comment: '',
    createdAt: at,
    updatedAt: at,
    submittedAt: null,
    attempts: 0,
    conflict: null,
    error: null,
  };
}

/** The draft of a task the inspector is filling in (the newest one), if any. */
export async function draftOf(store: OutboxStore, taskId: number): Promise<Submission | undefined> {
  const all = await store.submissions();
  return all
    .filter((s) => s.taskId === taskId && s.status === 'draft')
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
}

/** Submitted runs waiting for the server (pending) or for the inspector (conflict, failed). */
export async function waiting(store: OutboxStore): Promise<Submission[]> {
  const all = await store.submissions();
  return all.filter((s) => s.status !== 'draft').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Hands a draft to the sync: from now on only the server's answer changes it. */
export async function submitDraft(store: OutboxStore, id: string, now: Date): Promise<Submission> {
  const s = await store.submission(id);
  if (!s) throw new Error(`no draft ${id}`);
  if (s.status !== 'draft') return s;
  const next: Submission = {
    ...s,
    status: 'pending',
    submittedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await store.putSubmission(next);
  return next;
}

/** The inspector gives up a conflicting or refused run: it and its photos are removed from the phone. */
export async function discard(store: OutboxStore, id: string): Promise<void> {
  await store.deleteSubmission(id);
}

/**
 * "Copy my answers into a fresh attempt": a new draft (new clientSubmissionId) on the task's
 * current revision with the old answers and photos; the old run is removed. Nothing is sent until
 * the inspector submits again, so the server's version is never overwritten silently.
 */
export async function copyIntoFreshAttempt(
  store: OutboxStore,
  id: string,
  task: { id: number; revision: number; title: string },
  now: Date,
  freshId: string = newId(),
): Promise<Submission> {
  const old = await store.submission(id);
  if (!old) throw new Error(`no run ${id}`);
  const fresh: Submission = {
    ...newDraft(task, now, freshId),
    answers: old.answers,
    comment: old.comment,
    // a scan the server took for the old attempt stands; one kept offline is verified again on submit
    scan: old.scan,
  };
  await store.putSubmission(fresh);
  for (const p of await store.photos(id)) await store.putPhoto({ ...p, submissionId: fresh.id });
  await store.deleteSubmission(id);
  return fresh;
}
