import { describe, expect, it } from 'vitest';
import {
  copyIntoFreshAttempt,
  discard,
  draftOf,
  memoryOutboxStore,
  newDraft,
  type OutboxStore,
  type QueuedPhoto,
  type Submission,
  submitDraft,
  waiting,
} from './outbox';
import { createSyncer, type SyncApi, type SyncError, syncOutbox } from './sync';

const now = () => new Date('2026-03-02T08:30:00Z');
const task = { id: 7, revision: 3, title: '1号压力机 日检' };

function photo(submissionId: string, clientId: string): QueuedPhoto {
  return {
    clientId,
    submissionId,
    taskId: task.id,
    itemKey: 'oil',
    fileName: `${clientId}.jpg`,
    type: 'image/jpeg',
    blob: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }),
    takenAt: now().toISOString(),
    evidenceId: null,
  };
}

/** A server that stores each photo once per clientId and each run once per clientSubmissionId. */
function fakeServer() {
  const photos = new Map<string, number>();
  const runs = new Map<string, { evidence: Record<string, number> }>();
  const calls: string[] = [];
  let offline = false;
  let conflictFor: number | null = null;
  let refuse: SyncError | null = null;
  const net = (): SyncError => ({ status: 0, code: 'network', message: 'Failed to fetch' });
  const api: SyncApi = {
    async uploadPhoto(p) {
      calls.push(`photo ${p.clientId}`);
      if (offline) throw net();
      if (!photos.has(p.clientId)) photos.set(p.clientId, photos.size + 100);
      return photos.get(p.clientId)!;
    },
    async submit(run, evidence) {
      calls.push(`submit ${run.id}`);
      if (offline) throw net();
      if (refuse) throw refuse;
      if (conflictFor === run.taskId)
        throw {
          status: 409,
          code: 'sync_conflict',
          message: 'The task changed on the server',
          details: { server: { state: 'cancelled', revision: 4 } },
        } satisfies SyncError;
      if (!runs.has(run.id)) runs.set(run.id, { evidence });
    },
  };
  return {
    api,
    photos,
    runs,
    calls,
    set offline(v: boolean) {
      offline = v;
    },
    set conflictFor(v: number | null) {
      conflictFor = v;
    },
    set refuse(v: SyncError | null) {
      refuse = v;
    },
  };
}

async function submittedRun(store: OutboxStore, photoIds: string[] = []): Promise<Submission> {
  const d = newDraft(task, now());
  await store.putSubmission({
    ...d,
    answers: { oil: { value: 'fail', note: '油位低', photos: photoIds } },
  });
  for (const id of photoIds) await store.putPhoto(photo(d.id, id));
  return submitDraft(store, d.id, now());
}

describe('the outbox on the phone', () => {
  it('keeps a draft apart from submitted runs and counts only submitted ones as waiting', async () => {
    const store = memoryOutboxStore();
    const d = newDraft(task, now());
    await store.putSubmission(d);
    expect((await draftOf(store, task.id))?.id).toBe(d.id);
    expect(await waiting(store)).toEqual([]);
    await submitDraft(store, d.id, now());
    expect((await waiting(store)).map((s) => s.status)).toEqual(['pending']);
    expect(await draftOf(store, task.id)).toBeUndefined();
  });

  it('sends photos first, then the run, and removes both once the server has them', async () => {
    const store = memoryOutboxStore();
    const server = fakeServer();
    const run = await submittedRun(store, ['p1', 'p2']);
    const report = await syncOutbox(store, server.api, now);
    expect(report.synced).toEqual([run.id]);
    expect(server.calls).toEqual(['photo p1', 'photo p2', `submit ${run.id}`]);
    expect(server.runs.get(run.id)?.evidence).toEqual({ p1: 100, p2: 101 });
    expect(await waiting(store)).toEqual([]);
    expect(await store.photos(run.id)).toEqual([]);
  });

  it('keeps everything pending without network and sends it on reconnect', async () => {
    const store = memoryOutboxStore();
    const server = fakeServer();
    server.offline = true;
    const a = await submittedRun(store, ['p1']);
    const b = await submittedRun(store);
    const off = await syncOutbox(store, server.api, now);
    expect(off.deferred.sort()).toEqual([a.id, b.id].sort());
    expect((await waiting(store)).map((s) => s.status)).toEqual(['pending', 'pending']);
    server.offline = false;
    const on = await syncOutbox(store, server.api, now);
    expect(on.synced.sort()).toEqual([a.id, b.id].sort());
    expect(server.runs.size).toBe(2);
  });

  it('stores a run once when it is sent twice (the answer was lost after the server stored it)', async () => {
    const store = memoryOutboxStore();
    const server = fakeServer();
    const run = await submittedRun(store, ['p1']);
    // the first sync reached the server, but the phone never heard back
    const lost: SyncApi = {
      uploadPhoto: server.api.uploadPhoto,
      async submit(r, ev) {
        await server.api.submit(r, ev);
        throw { status: 0, code: 'network', message: 'connection reset' } satisfies SyncError;
      },
    };
    expect((await syncOutbox(store, lost, now)).deferred).toEqual([run.id]);
    // the photo's evidence id was kept: not uploaded again
    expect((await store.photos(run.id))[0]?.evidenceId).toBe(100);
    expect((await syncOutbox(store, server.api, now)).synced).toEqual([run.id]);
    expect(server.runs.size).toBe(1);
    expect(server.photos.size).toBe(1);
    expect(server.calls.filter((c) => c.startsWith('photo'))).toEqual(['photo p1']);
  });

  it('shows a server-side change as a conflict and never sends that run again on its own', async () => {
    const store = memoryOutboxStore();
    const server = fakeServer();
    server.conflictFor = task.id;
    const run = await submittedRun(store);
    expect((await syncOutbox(store, server.api, now)).conflicts).toEqual([run.id]);
    const [kept] = await waiting(store);
    expect(kept?.status).toBe('conflict');
    expect(kept?.conflict?.details).toEqual({ server: { state: 'cancelled', revision: 4 } });
    expect(kept?.answers.oil?.value).toBe('fail');
    server.calls.length = 0;
    await syncOutbox(store, server.api, now);
    expect(server.calls).toEqual([]);
  });

  it('keeps a refused run with the server’s message, apart from conflicts', async () => {
    const store = memoryOutboxStore();
    const server = fakeServer();
    server.refuse = { status: 422, code: 'validation_failed', message: '缺少必填项' };
    await submittedRun(store);
    expect((await syncOutbox(store, server.api, now)).failed).toHaveLength(1);
    expect((await waiting(store))[0]?.error).toEqual({ code: 'validation_failed', message: '缺少必填项' });
  });

  it('lets the inspector discard a conflicting run, or copy its answers and photos into a fresh attempt', async () => {
    const store = memoryOutboxStore();
    const server = fakeServer();
    server.conflictFor = task.id;
    const first = await submittedRun(store, ['p1']);
    const second = await submittedRun(store);
    await syncOutbox(store, server.api, now);
    await discard(store, second.id);
    const fresh = await copyIntoFreshAttempt(store, first.id, { ...task, revision: 4 }, now(), 'fresh-1');
    expect(fresh).toMatchObject({ id: 'fresh-1', status: 'draft', baseRevision: 4, conflict: null });
    expect(fresh.answers).toEqual(first.answers);
    expect((await store.photos('fresh-1')).map((p) => [p.clientId, p.evidenceId])).toEqual([['p1', 100]]);
    expect(await store.submission(first.id)).toBeUndefined();
    expect(await waiting(store)).toEqual([]);
    // nothing is sent until the inspector submits the fresh attempt
    server.conflictFor = null;
    expect((await syncOutbox(store, server.api, now)).synced).toEqual([]);
    await submitDraft(store, 'fresh-1', now());
    expect((await syncOutbox(store, server.api, now)).synced).toEqual(['fresh-1']);
    expect([...server.runs.keys()]).toEqual(['fresh-1']);
  });
});

describe('one sync at a time', () => {
  it('runs a sync asked for while one runs once more afterwards, never two at once', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const release: (() => void)[] = [];
    const sync = createSyncer(async () => {
      running++;
      runs++;
      most = Math.max(most, running);
      await new Promise<void>((r) => release.push(r));
      running--;
      return { synced: [], conflicts: [], failed: [], deferred: [] };
    });
    const a = sync();
    const b = sync();
    const c = sync();
    expect(b).toBe(c);
    release.shift()!();
    await a;
    await new Promise((r) => setTimeout(r, 0));
    release.shift()!();
    await b;
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });
});
