import type { TagSource } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { BoundTag, TagDirectory } from '../ingest/types.js';
import type { StoredTag } from './repo.js';
import * as repo from './repo.js';

export type Directory = ReturnType<typeof createTagDirectory>;

/**
 * Every tag in memory, for the hot path: the ingest pipeline looks up a tag per point and the
 * connectors find their bindings here. Reloaded after each committed tag change.
 */
export function createTagDirectory(db: Db) {
  let byId = new Map<number, StoredTag>();
  let byRef = new Map<string, StoredTag>();
  let bound: BoundTag[] = [];
  const listeners = new Set<() => void>();

  async function reload() {
    const tags = await repo.all(db);
    byId = new Map(tags.map((t) => [t.id, t]));
    byRef = new Map(tags.map((t) => [`${t.equipmentCode}.${t.code}`, t]));
    bound = tags.map((t) => ({
      id: t.id,
      code: t.code,
      equipmentCode: t.equipmentCode,
      type: t.type,
      source: t.source,
    }));
    for (const l of listeners) {
      try {
        l();
      } catch {
        // A connector failing to re-subscribe reports it in its own health; reload goes on.
      }
    }
  }

  const directory: TagDirectory & {
    reload: typeof reload;
    get(id: number): StoredTag | undefined;
    /** `EQUIPMENT.TAG` → tag. */
    byRef(ref: string): StoredTag | undefined;
    size(): number;
    all(): StoredTag[];
  } = {
    reload,
    get: (id) => byId.get(id),
    byRef: (ref) => byRef.get(ref),
    size: () => byId.size,
    all: () => [...byId.values()],
    bound(kind: TagSource['kind'], connectorId?: number | null) {
      return bound.filter(
        (t) =>
          t.source.kind === kind &&
          (connectorId === undefined ||
            ('connectorId' in t.source ? t.source.connectorId : null) === connectorId),
      );
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return directory;
}
