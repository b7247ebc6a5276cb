import type { Quality, TagSource } from '@aegis/shared';

/**
 * The contract between connectors (MQTT, Sparkplug B, OPC UA, Modbus, HTTP) and the ingest
 * pipeline (validation → storage → current values → alarm rules → live push).
 */

export type PointValue = number | boolean | string | null;

/** A value for a known tag, as a connector hands it over. */
export interface Point {
  tagId: number;
  /** Source timestamp, epoch ms (the arrival time when `arrival` is set). */
  ts: number;
  value: PointValue;
  quality: Quality;
  /**
   * The value came without a source time and `ts` is its arrival time. The pipeline may move
   * such a stamp forward by microseconds so that two values of one tag arriving in the same
   * millisecond are both stored.
   */
  arrival?: boolean;
  /**
   * The MQTT message the point came in (shared by the points of one message). Recorded with the
   * values, so that a redelivery of a message already stored is recognised even when its points
   * have arrival stamps (which a redelivery cannot reproduce).
   */
  receipt?: MessageReceipt;
}

/** Which message of which device connection a point came in (embedded broker, QoS 1 or 2). */
export interface MessageReceipt {
  /** The device's MQTT client id. */
  clientId: string;
  /** The MQTT packet identifier (1…65535), reused by the device once the message is acknowledged. */
  packetId: number;
  /** A hash of topic and payload: a redelivery carries the same message. */
  hash: string;
  /** One network connection of the device: MQTT redelivers only on a new connection. */
  connection: string;
}

/**
 * A point as the pipeline hands it to its listeners (alarm engine, live push): only points that
 * were stored now (never a replay of a stored one), or fresh values skipped by the storage
 * deadband. `ts` is the time stored (source time, or the arrival stamp); `evalTs` is the
 * evaluation time, min(ts, arrival time): a device clock ahead, or one spoofed future stamp,
 * therefore cannot hold back the values after it. `late` is set when the evaluation time is
 * older than one already handed over for the tag: such a value is stored and counted as
 * "late, not evaluated" of its source, and rule engines should not evaluate it.
 */
export interface StoredPoint extends Point {
  evalTs: number;
  late: boolean;
}

export interface StoredListenerOptions {
  /**
   * submit() resolves only after this listener's promise settled (the alarm engine: then the
   * device's acknowledgement also means "alarm state committed"). Listeners are called batch
   * by batch in the order the batches were formed; a failing listener is logged and counted
   * (stats.listenerErrors), it never fails the batch.
   */
  blocking?: boolean;
  /** Also hand over late points (flagged `late: true`); by default only points in order. */
  late?: boolean;
}

export type StoredListener = (points: StoredPoint[]) => void | Promise<void>;

export interface SubmitResult {
  /** Points accepted (stored, or skipped by the storage deadband, which still counts as handled). */
  accepted: number;
  /** Points refused before storage, with why (unknown tag, wrong type, absurd time…). Counted and logged, never thrown. */
  rejected: Array<{ index: number; reason: string }>;
  /** Points already stored with the same tag and timestamp, or of a message already stored (replays). */
  duplicates: number;
  /** Points stored as late history ("late, not evaluated"): older than a value already handed over. */
  late?: number;
}

export interface SubmitOptions {
  /** Who sends (connector code, `http`): counted per source in the stats and the readiness probe. */
  source?: string;
}

/**
 * The pipeline's entrance. The promise resolves only after the points are durably stored, so
 * an MQTT QoS 1 message is acknowledged to the broker only then. One bad point never fails the
 * batch: it is listed in `rejected`; the promise rejects only when storage itself failed.
 */
export interface IngestSink {
  submit(points: Point[], opts?: SubmitOptions): Promise<SubmitResult>;
}

/** A tag as connectors need it: how to find it from a source address, and how to decode it. */
export interface BoundTag {
  id: number;
  code: string;
  equipmentCode: string;
  type: 'number' | 'boolean' | 'state' | 'string';
  source: TagSource;
}

/** Connectors look their tags up here; it changes when tags are edited (subscribe to refresh). */
export interface TagDirectory {
  /** Every tag bound to the given source kind (and connector, for OPC UA and Modbus). */
  bound(kind: TagSource['kind'], connectorId?: number | null): BoundTag[];
  /** Called whenever tags change, so connectors can re-subscribe. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** A connector's health, shown in the UI. */
export interface ConnectorHealth {
  state: 'connecting' | 'connected' | 'disconnected' | 'error' | 'stopped';
  since: string;
  lastMessageAt: string | null;
  messages: number;
  points: number;
  /** Malformed payloads, unknown topics or addresses, decode failures. */
  errors: number;
  lastError: string | null;
  reconnects: number;
}
