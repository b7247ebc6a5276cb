import type { StorageCompression, TagSource, TagType } from '@aegis/shared';
import type { CreateTag, TagRow } from './api';

/** The tag editor's form values and their translation to and from a tag and its source binding. */
export const SOURCE_KINDS = ['mqtt', 'sparkplug', 'opcua', 'modbus', 'http'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
/** Select values cannot be null: this stands for "the built-in default MQTT connection". */
export const DEFAULT_CONNECTION = 0;

export interface SourceValues {
  kind: SourceKind;
  connectorId?: number | null;
  topic?: string;
  path?: string;
  timestampPath?: string;
  commandTopic?: string;
  group?: string;
  edgeNode?: string;
  device?: string;
  metric?: string;
  nodeId?: string;
  samplingIntervalMs?: number;
  unitId?: number;
  area?: 'holding' | 'input' | 'coil' | 'discrete';
  address?: number;
  dataType?: 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'bool';
  scale?: number;
  offset?: number;
  wordOrder?: 'big' | 'little';
}

export interface TagFormValues {
  equipmentId?: number | null;
  code?: string;
  nameZh?: string;
  nameEn?: string;
  unit?: string;
  type?: TagType;
  engLow?: number | null;
  engHigh?: number | null;
  states?: Array<{ raw?: string; label?: string }>;
  source?: SourceValues;
  storageDeadband?: number;
  heartbeatS?: number;
  storageCompression?: StorageCompression;
  storageDeviation?: number | null;
  reason?: string;
}

const blank = (s?: string) => s?.trim() || undefined;

export function sourceFromValues(s: SourceValues | undefined): TagSource {
  const conn = s?.connectorId === DEFAULT_CONNECTION || s?.connectorId === undefined ? null : s.connectorId;
  switch (s?.kind ?? 'http') {
    case 'mqtt':
      return {
        kind: 'mqtt',
        connectorId: conn,
        topic: s?.topic?.trim() ?? '',
        path: blank(s?.path) ?? '$',
        timestampPath: blank(s?.timestampPath),
        commandTopic: blank(s?.commandTopic),
      };
    case 'sparkplug':
      return {
        kind: 'sparkplug',
        connectorId: conn,
        group: s?.group?.trim() ?? '',
        edgeNode: s?.edgeNode?.trim() ?? '',
        device: blank(s?.device) ?? null,
        metric: s?.metric?.trim() ?? '',
      };
    case 'opcua':
      return {
        kind: 'opcua',
        connectorId: conn ?? 0,
        nodeId: s?.nodeId?.trim() ?? '',
        samplingIntervalMs: s?.samplingIntervalMs ?? 1000,
      };
    case 'modbus':
      return {
        kind: 'modbus',
        connectorId: conn ?? 0,
        unitId: s?.unitId ?? 1,
        area: s?.area ?? 'holding',
        address: s?.address ?? 0,
        dataType: s?.dataType ?? 'int16',
        scale: s?.scale ?? 1,
        offset: s?.offset ?? 0,
        wordOrder: s?.wordOrder ?? 'big',
      };
    default:
      return { kind: 'http' };
  }
}

export function valuesFromTag(tag: TagRow): TagFormValues {
  const src = tag.source as TagSource & Partial<SourceValues>;
  return {
    equipmentId: tag.equipmentId,
    code: tag.code,
    nameZh: tag.nameZh,
    nameEn: tag.nameEn,
    unit: tag.unit,
    type: tag.type,
    engLow: tag.engLow,
    engHigh: tag.engHigh,
    states: Object.entries(tag.states ?? {}).map(([raw, label]) => ({ raw, label })),
    source: {
      ...src,
      connectorId: 'connectorId' in src ? (src.connectorId ?? DEFAULT_CONNECTION) : undefined,
    } as SourceValues,
    storageDeadband: tag.storageDeadband,
    heartbeatS: tag.storageHeartbeatMs / 1000,
    storageCompression: tag.storageCompression,
    storageDeviation: tag.storageDeviation,
  };
}

export function bodyFromValues(v: TagFormValues): Omit<CreateTag, 'reason'> {
  const states = (v.states ?? []).filter((s) => s.raw?.trim() && s.label?.trim());
  return {
    equipmentId: v.equipmentId ?? 0,
    code: v.code?.trim() ?? '',
    nameZh: v.nameZh?.trim() ?? '',
    nameEn: v.nameEn?.trim() ?? '',
    unit: v.unit?.trim() ?? '',
    type: v.type ?? 'number',
    engLow: v.engLow ?? null,
    engHigh: v.engHigh ?? null,
    states:
      v.type === 'state' && states.length
        ? Object.fromEntries(states.map((s) => [s.raw!.trim(), s.label!.trim()]))
        : null,
    source: sourceFromValues(v.source),
    storageDeadband: v.storageDeadband ?? 0,
    storageHeartbeatMs: Math.round((v.heartbeatS ?? 60) * 1000),
    // Compression is for numbers only: another type leaves it off.
    storageCompression:
      v.type === undefined || v.type === 'number' ? (v.storageCompression ?? 'none') : 'none',
    storageDeviation: v.storageDeviation ?? null,
  };
}
