import type { OutboxStore, QueuedPhoto, Submission } from './outbox';
import { waiting } from './outbox';

/**
 * Sends the outbox to the server: for each submitted run, its photos first (the evidence route is
 * idempotent per clientId), then the run itself (idempotent per clientSubmissionId). Whatever
 * happens in between — the network drops, the page reloads, the user taps "sync" twice — sending
 * again stores nothing twice.
 *
 * Outcomes per run: accepted → removed from the phone; 409 sync_conflict → kept as a conflict for
 * the inspector to resolve (never overwritten); another refusal → kept as failed with the server's
 * message; no network or a server error → kept pending, tried again on the next sync.
 */

/** An error of a sync call, as the API client throws it (status 0: no network). */
export interface SyncError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export interface SyncApi {
  /** Stores the photo (or finds it stored under its clientId) and returns the evidence id. */
  uploadPhoto(photo: QueuedPhoto): Promise<number>;
  /** Submits the run with the evidence ids of its photos, by client id. */
  submit(run: Submission, evidence: Record<string, number>): Promise<void>;
}

export interface SyncReport {
  synced: string[];
  conflicts: string[];
  failed: string[];
  /** still pending: no network or the server was unwell */
  deferred: string[];
}

function asSyncError(e: unknown): SyncError {
  if (e && typeof e === 'object' && 'status' in e && 'code' in e) {
    const x = e as SyncError;
    return { status: Number(x.status), code: String(x.code), message: String(x.message), details: x.details };
  }
  return { status: 0, code: 'network', message: e instanceof Error ? e.message : String(e) };
}

/** Whether trying the same request later may succeed (no network, timeouts, the server's own errors). */
export function isTransient(e: SyncError): boolean {
  return e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500;
}

export async function syncOutbox(store: OutboxStore, api: SyncApi, now: () => Date): Promise<SyncReport> {
  const report: SyncReport = { synced: [], conflicts: [], failed: [], deferred: [] };
  for (const run of await waiting(store)) {
    if (run.status !== 'pending') continue;
    const outcome = await syncRun(store, api, run, now);
    report[outcome].push(run.id);
    // without network the rest would fail the same way: try them all on the next sync
    if (outcome === 'deferred') {
      for (const rest of await waiting(store)) {
        if (rest.status === 'pending' && !report.deferred.includes(rest.id)) report.deferred.push(rest.id);
      }
      break;
    }
  }
  return report;
}

async function syncRun(
  store: OutboxStore,
  api: SyncApi,
  run: Submission,
  now: () => Date,
): Promise<keyof SyncReport> {
  const attempt: Submission = { ...run, attempts: run.attempts + 1, updatedAt: now().toISOString() };
  await store.putSubmission(attempt);
  const evidence: Record<string, number> = {};
  try {
    for (const photo of await store.photos(run.id)) {
      let id = photo.evidenceId;
      if (id === null) {
        id = await api.uploadPhoto(photo);
        await store.putPhoto({ ...photo, evidenceId: id });
      }
      evidence[photo.clientId] = id;
    }
    await api.submit(attempt, evidence);
  } catch (raw) {
    const e = asSyncError(raw);
    if (isTransient(e)) return 'deferred';
    const at = now().toISOString();
    if (e.status === 409 && e.code === 'sync_conflict') {
      await store.putSubmission({
        ...attempt,
        status: 'conflict',
        conflict: { code: e.code, message: e.message, details: e.details ?? null, at },
        updatedAt: at,
      });
      return 'conflicts';
    }
    await store.putSubmission({
      ...attempt,
      status: 'failed',
      error: { code: e.code, message: e.message },
      updatedAt: at,
    });
    return 'failed';
  }
  await store.deleteSubmission(run.id);
  return 'synced';
}

/**
 * One sync at a time: a call while one runs waits for it and then runs once more (the outbox may
 * have grown meanwhile); any number of calls meanwhile share that one extra run.
 */
export function createSyncer(run: () => Promise<SyncReport>, onDone: (r: SyncReport) => void = () => {}) {
  let current: Promise<SyncReport> | null = null;
  let again: Promise<SyncReport> | null = null;
  const start = (): Promise<SyncReport> => {
    const p = run()
      .then((r) => {
        onDone(r);
        return r;
      })
      .finally(() => {
        current = null;
      });
    current = p;
    return p;
  };
  return function sync(): Promise<SyncReport> {
    if (!current) return start();
    again ??= current
      .catch(() => undefined)
      .then(() => {
        again = null;
        return start();
      });
    return again;
  };
}
