import type { ConnectorKind } from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import type { BoundTag, ConnectorHealth, IngestSink, PointValue, TagDirectory } from '../ingest/types.js';

/**
 * A driver is one live connection of one kind (MQTT broker, OPC UA server, Modbus slave).
 * The registry creates one per enabled connector row (plus the default MQTT connection),
 * starts it, restarts it when its row changes and asks it for health and interlock writes.
 */
export interface ConnectorDriver {
  readonly kind: ConnectorKind;
  /** Begins connecting and returns; connection failures never throw, they show in health() and are retried with back-off. */
  start(): Promise<void>;
  /** Disconnects and stops every timer; after it resolves no more points are submitted. */
  stop(): Promise<void>;
  health(): ConnectorHealth;
  /**
   * Writes a value to the equipment behind `tag` (interlocks, setpoints). Resolves with whether
   * the equipment confirmed it within timeoutMs (write acknowledged and, where possible, read back).
   * Never throws for equipment-side failures: they come back as confirmed=false with the detail,
   * and failed=true when nothing was written at all (refused, read-only, not connected, error),
   * as opposed to written but not confirmed in time.
   */
  write(tag: BoundTag, value: Exclude<PointValue, null>, timeoutMs: number): Promise<WriteResult>;
}

/** The outcome of an interlock or setpoint write (ConnectorDriver.write). */
export interface WriteResult {
  confirmed: boolean;
  detail: string;
  /** Nothing was written: a failure, never to be reported as success. */
  failed?: boolean;
}

/** A write that did not happen. */
export const writeFailed = (detail: string): WriteResult => ({ confirmed: false, failed: true, detail });

export interface DriverDeps<C> {
  /** null for the default MQTT connection. */
  connectorId: number | null;
  code: string;
  config: C;
  tags: TagDirectory;
  sink: IngestSink;
  log: FastifyBaseLogger;
  clock: Clock;
  /**
   * The outbound-address policy, asked right before every connection attempt (DNS may have
   * changed since the connector was saved): null when allowed, else the text to show. Absent
   * in driver unit tests.
   */
  outbound?: (target: string | { host: string; port: number }) => Promise<string | null>;
  /**
   * OPC UA: whether the server's certificate (DER) may be trusted; a refusal's detail is what
   * health shows (e.g. waiting for an administrator's approval). Absent: trusted.
   */
  trustCertificate?: (der: Buffer) => Promise<{ trusted: boolean; detail: string }>;
}

/** Reconnect delays: 0.5 s doubling to 30 s, with jitter so a plant of gateways does not reconnect in step. */
export function backoffMs(attempt: number, random = Math.random) {
  const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.75 + random() * 0.5));
}

export function initialHealth(now: Date): ConnectorHealth {
  return {
    state: 'connecting',
    since: now.toISOString(),
    lastMessageAt: null,
    messages: 0,
    points: 0,
    errors: 0,
    lastError: null,
    reconnects: 0,
  };
}
