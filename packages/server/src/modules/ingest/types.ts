import type { Quality, TagSource } from '@aegis/shared';

/**
 * The contract between connectors (MQTT, Sparkplug B, OPC UA, Modbus, HTTP) and the ingest
 * pipeline (validation → storage → current values → alarm rules → live push).
 */

export type PointValue = number | boolean | string | null;

/** A value for a known tag, as a connector hands it over. */
export interface Point {
  tagId: number;
  /** Source timestamp, epoch ms. */
  ts: number;
  value: PointValue;
  quality: Quality;
}

export interface SubmitResult {
  /** Points accepted (stored, or skipped by the storage deadband, which still counts as handled). */
  accepted: number;
  /** Points refused before storage, with why (unknown tag, wrong type…). Counted and logged, never thrown. */
  rejected: Array<{ index: number; reason: string }>;
  /** Points already stored with the same tag and timestamp (replays after a reconnect). */
  duplicates: number;
}

/**
 * The pipeline's entrance. The promise resolves only after the points are durably stored, so
 * an MQTT QoS 1 message is acknowledged to the broker only then.
 */
export interface IngestSink {
  submit(points: Point[]): Promise<SubmitResult>;
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
