import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { memoryOutboxStore, type OutboxStore, type QueuedPhoto, type Submission } from './outbox';

/**
 * The phone's IndexedDB: the outbox (runs and photo bytes) and a copy of what the pages last read
 * from the server (my tasks, task details), so they open offline. One database per signed-in user,
 * so a shared phone never shows one inspector's queue to another.
 */
interface FieldworkDb extends DBSchema {
  submissions: { key: string; value: Submission };
  photos: { key: string; value: QueuedPhoto; indexes: { bySubmission: string } };
  cache: { key: string; value: { key: string; savedAt: string; value: unknown } };
}

const dbs = new Map<string, Promise<IDBPDatabase<FieldworkDb>>>();

function open(userId: number): Promise<IDBPDatabase<FieldworkDb>> {
  const name = `aegis-fieldwork-${userId}`;
  let db = dbs.get(name);
  if (!db) {
    db = openDB<FieldworkDb>(name, 1, {
      upgrade(d) {
        d.createObjectStore('submissions', { keyPath: 'id' });
        d.createObjectStore('photos', { keyPath: 'clientId' }).createIndex('bySubmission', 'submissionId');
        d.createObjectStore('cache', { keyPath: 'key' });
      },
    });
    dbs.set(name, db);
  }
  return db;
}

export function idbAvailable(): boolean {
  return typeof indexedDB !== 'undefined';
}

export function idbOutboxStore(userId: number): OutboxStore {
  if (!idbAvailable()) return memoryOutboxStore();
  return {
    submissions: async () => (await open(userId)).getAll('submissions'),
    submission: async (id) => (await open(userId)).get('submissions', id),
    putSubmission: async (s) => {
      await (await open(userId)).put('submissions', s);
    },
    deleteSubmission: async (id) => {
      const db = await open(userId);
      const tx = db.transaction(['submissions', 'photos'], 'readwrite');
      const photos = await tx.objectStore('photos').index('bySubmission').getAllKeys(id);
      await Promise.all([
        tx.objectStore('submissions').delete(id),
        ...photos.map((k) => tx.objectStore('photos').delete(k)),
      ]);
      await tx.done;
    },
    photos: async (submissionId) =>
      (await open(userId)).getAllFromIndex('photos', 'bySubmission', submissionId),
    putPhoto: async (p) => {
      await (await open(userId)).put('photos', p);
    },
    deletePhoto: async (clientId) => {
      await (await open(userId)).delete('photos', clientId);
    },
  };
}

/** What a page last read from the server, for the next time it opens offline. */
export interface ReadCache {
  get<T>(key: string): Promise<{ value: T; savedAt: string } | undefined>;
  put(key: string, value: unknown, at: Date): Promise<void>;
}

export function idbReadCache(userId: number): ReadCache {
  if (!idbAvailable()) {
    const m = new Map<string, { value: unknown; savedAt: string }>();
    return {
      get: async <T>(key: string) => m.get(key) as { value: T; savedAt: string } | undefined,
      put: async (key, value, at) => {
        m.set(key, { value, savedAt: at.toISOString() });
      },
    };
  }
  return {
    get: async <T>(key: string) => {
      const row = await (await open(userId)).get('cache', key);
      return row ? { value: row.value as T, savedAt: row.savedAt } : undefined;
    },
    put: async (key, value, at) => {
      await (await open(userId)).put('cache', { key, value, savedAt: at.toISOString() });
    },
  };
}
