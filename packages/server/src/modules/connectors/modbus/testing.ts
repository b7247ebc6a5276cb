import { createServer } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { BoundTag, IngestSink, Point, TagDirectory } from '../../ingest/types.js';

/**
 * In-memory stand-ins for the ingest pipeline, for driver tests against real OPC UA and Modbus
 * peers (shared by both connector folders).
 */

export interface MemorySink extends IngestSink {
  batches: Point[][];
  /** Every point of a tag, oldest first. */
  of(tagId: number): Point[];
  last(tagId: number): Point | undefined;
  clear(): void;
}

export function memorySink(): MemorySink {
  const batches: Point[][] = [];
  return {
    batches,
    async submit(points) {
      batches.push(points.map((p) => ({ ...p })));
      return { accepted: points.length, rejected: [], duplicates: 0 };
    },
    of(tagId) {
      return batches.flat().filter((p) => p.tagId === tagId);
    },
    last(tagId) {
      return this.of(tagId).at(-1);
    },
    clear() {
      batches.length = 0;
    },
  };
}

export interface MemoryDirectory extends TagDirectory {
  /** Replaces the tag list and tells the listeners, as the tag module does after an edit. */
  set(tags: BoundTag[]): void;
}

export function memoryDirectory(initial: BoundTag[]): MemoryDirectory {
  let tags = initial;
  const listeners = new Set<() => void>();
  return {
    bound(kind, connectorId) {
      return tags.filter(
        (t) =>
          t.source.kind === kind &&
          (connectorId === undefined || ('connectorId' in t.source && t.source.connectorId === connectorId)),
      );
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      tags = next;
      for (const l of listeners) l();
    },
  };
}

const noop = () => undefined;
/** A logger that drops everything (the shape of pino's). */
export const silentLog = {
  level: 'silent',
  fatal: noop,
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  trace: noop,
  silent: noop,
  child() {
    return silentLog;
  },
} as unknown as FastifyBaseLogger;

/** A TCP port nobody listens on right now (for servers that cannot bind port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or the time is up. */
export async function eventually<T>(
  check: () => T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
