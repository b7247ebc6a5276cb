import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useMe } from '../../app/auth';
import { fieldworkKeys, syncApi } from './api';
import { idbOutboxStore, idbReadCache, type ReadCache } from './idbStore';
import { type OutboxStore, waiting } from './outbox';
import { createSyncer, type SyncApi, type SyncReport, syncOutbox } from './sync';

/**
 * The phone's outbox for the signed-in inspector, and the one place that starts a sync: on app
 * start, on the browser's 'online' event, after each submit and from the "sync now" button.
 */
export interface Fieldwork {
  store: OutboxStore;
  cache: ReadCache;
  sync(): Promise<SyncReport>;
  /** Tells the pages the outbox changed (a draft saved, a run submitted or resolved). */
  changed(): void;
  subscribe(fn: () => void): () => void;
  snapshot(): FieldworkState;
}

export interface FieldworkState {
  /** submitted runs not yet on the server (pending, conflict, failed) */
  waiting: number;
  conflicts: number;
  failed: number;
  syncing: boolean;
  lastReport: SyncReport | null;
  lastSyncAt: string | null;
  version: number;
}

const instances = new Map<number, Fieldwork>();

export function fieldworkFor(userId: number, makeApi: (cache: ReadCache) => SyncApi): Fieldwork {
  const known = instances.get(userId);
  if (known) return known;
  const store = idbOutboxStore(userId);
  const cache = idbReadCache(userId);
  const api = makeApi(cache);
  const listeners = new Set<() => void>();
  let state: FieldworkState = {
    waiting: 0,
    conflicts: 0,
    failed: 0,
    syncing: false,
    lastReport: null,
    lastSyncAt: null,
    version: 0,
  };
  const emit = (patch: Partial<FieldworkState>) => {
    state = { ...state, ...patch, version: state.version + 1 };
    for (const l of listeners) l();
  };
  const recount = async () => {
    const w = await waiting(store);
    emit({
      waiting: w.length,
      conflicts: w.filter((s) => s.status === 'conflict').length,
      failed: w.filter((s) => s.status === 'failed').length,
    });
  };
  const run = createSyncer(
    async () => {
      emit({ syncing: true });
      try {
        return await syncOutbox(store, api, () => new Date());
      } finally {
        emit({ syncing: false });
      }
    },
    (r) => {
      emit({ lastReport: r, lastSyncAt: new Date().toISOString() });
    },
  );
  const fw: Fieldwork = {
    store,
    cache,
    sync: async () => {
      try {
        return await run();
      } finally {
        await recount();
      }
    },
    changed: () => {
      recount().catch((e: unknown) => console.info('outbox count failed', e));
    },
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    snapshot: () => state,
  };
  instances.set(userId, fw);
  // sync on start and whenever the network comes back
  const syncQuietly = () => {
    fw.sync().catch((e: unknown) => console.info('sync failed', e));
  };
  window.addEventListener('online', syncQuietly);
  syncQuietly();
  return fw;
}

export function useFieldworkState(fw: Fieldwork): FieldworkState {
  return useSyncExternalStore(fw.subscribe, fw.snapshot);
}

/** Whether the browser believes it has a network (the 'online'/'offline' events). */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** The signed-in inspector's outbox; a run the server stored refreshes the task and the list. */
export function useFieldwork(): Fieldwork {
  const { data: me } = useMe();
  const qc = useQueryClient();
  const userId = me?.id ?? 0;
  return useMemo(
    () =>
      fieldworkFor(userId, (cache) =>
        syncApi(cache, (task) => {
          void qc.invalidateQueries({ queryKey: fieldworkKeys.task(task.id) });
          void qc.invalidateQueries({ queryKey: fieldworkKeys.myTasks });
        }),
      ),
    [userId, qc],
  );
}
