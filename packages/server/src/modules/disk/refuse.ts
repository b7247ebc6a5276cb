import type { IngestSink } from '../ingest/index.js';

/** A write that failed because a disk is full: PostgreSQL's disk_full, or a file write's ENOSPC (PGlite). */
export const isDiskFull = (e: unknown) => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '53100' || code === 'ENOSPC';
};

/**
 * Makes `sink` (the ingest pipeline, shared by HTTP ingest and every connector) refuse each
 * submit with the error `why` returns while it returns one — the disk-space watch's refusal
 * when a disk is full. Nothing is queued or stored then: HTTP answers with the error (507), MQTT
 * leaves the messages unacknowledged so that the broker redelivers them, polling connectors
 * count an error. A batch the database itself refused for a full disk calls `onDiskFull` (the
 * watch measures at once instead of at its next round). Wraps `submit` in place, so every
 * holder of the sink is covered.
 */
export function refuseWhen(
  sink: IngestSink,
  why: () => Error | null,
  onDiskFull: () => void = () => {},
): void {
  const submit = sink.submit.bind(sink);
  sink.submit = (points, opts) => {
    const refused = why();
    if (refused) return Promise.reject(refused);
    return submit(points, opts).catch((e: unknown) => {
      if (isDiskFull(e)) onDiskFull();
      throw e;
    });
  };
}
