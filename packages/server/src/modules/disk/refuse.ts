import type { IngestSink } from '../ingest/index.js';

/**
 * Makes `sink` (the ingest pipeline, shared by HTTP ingest and every connector) refuse each
 * submit with the error `why` returns while it returns one — the disk-space watch's refusal
 * when a disk is full. Nothing is queued or stored then: HTTP answers with the error (507), MQTT
 * leaves the messages unacknowledged so that the broker redelivers them, polling connectors
 * count an error. Wraps `submit` in place, so every holder of the sink is covered.
 */
export function refuseWhen<S extends IngestSink>(sink: S, why: () => Error | null): S {
  const submit = sink.submit.bind(sink);
  sink.submit = (points, opts) => {
    const refused = why();
    return refused ? Promise.reject(refused) : submit(points, opts);
  };
  return sink;
}
