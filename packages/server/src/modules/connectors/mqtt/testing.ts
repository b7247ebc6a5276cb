import type { BoundTag, IngestSink, Point, SubmitResult } from '../../ingest/types.js';

/**
 * An in-memory ingest sink for MQTT driver tests whose behaviour can be switched: store at once,
 * store after a delay, never answer (a crash before storage), or fail.
 */
export interface ControlledSink extends IngestSink {
  points: Point[];
  submits: number;
  mode: 'store' | 'hang' | 'fail';
  delayMs: number;
  of(tagId: number): Point[];
}

export function controlledSink(mode: ControlledSink['mode'] = 'store'): ControlledSink {
  const sink: ControlledSink = {
    points: [],
    submits: 0,
    mode,
    delayMs: 0,
    async submit(points): Promise<SubmitResult> {
      sink.submits++;
      if (sink.mode === 'hang') {
        // Recorded as received, never acknowledged as stored.
        sink.points.push(...points);
        return new Promise<SubmitResult>(() => {});
      }
      if (sink.mode === 'fail') throw new Error('database unavailable');
      if (sink.delayMs > 0) await new Promise((r) => setTimeout(r, sink.delayMs));
      sink.points.push(...points);
      return { accepted: points.length, rejected: [], duplicates: 0 };
    },
    of(tagId) {
      return sink.points.filter((p) => p.tagId === tagId);
    },
  };
  return sink;
}

let nextId = 1;
/** A tag bound to an MQTT JSON source. */
export function jsonTag(
  source: {
    topic: string;
    path?: string;
    timestampPath?: string;
    commandTopic?: string;
    connectorId?: number | null;
  },
  type: BoundTag['type'] = 'number',
): BoundTag {
  const id = nextId++;
  return {
    id,
    code: `T${id}`,
    equipmentCode: 'EQ',
    type,
    source: { kind: 'mqtt', connectorId: null, path: '$', ...source },
  };
}

/** A tag bound to a Sparkplug B metric. */
export function sparkplugTag(
  source: { group: string; edgeNode: string; device?: string | null; metric: string },
  type: BoundTag['type'] = 'number',
): BoundTag {
  const id = nextId++;
  return {
    id,
    code: `S${id}`,
    equipmentCode: 'EQ',
    type,
    source: { kind: 'sparkplug', connectorId: null, device: null, ...source },
  };
}
