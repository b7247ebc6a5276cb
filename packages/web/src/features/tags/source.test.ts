import { CreateTagSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import type { TagRow } from './api';
import { bodyFromValues, DEFAULT_CONNECTION, sourceFromValues, valuesFromTag } from './source';

describe('the tag editor source binding', () => {
  it('binds MQTT to the default connection when "default" is chosen, with the whole payload by default', () => {
    expect(
      sourceFromValues({ kind: 'mqtt', connectorId: DEFAULT_CONNECTION, topic: ' plant/a ', path: ' ' }),
    ).toEqual({
      kind: 'mqtt',
      connectorId: null,
      topic: 'plant/a',
      path: '$',
      timestampPath: undefined,
      commandTopic: undefined,
    });
  });

  it('fills Modbus defaults and keeps the chosen connector', () => {
    expect(sourceFromValues({ kind: 'modbus', connectorId: 4, address: 12, dataType: 'float32' })).toEqual({
      kind: 'modbus',
      connectorId: 4,
      unitId: 1,
      area: 'holding',
      address: 12,
      dataType: 'float32',
      scale: 1,
      offset: 0,
      wordOrder: 'big',
    });
    expect(sourceFromValues(undefined)).toEqual({ kind: 'http' });
  });

  it('turns a Sparkplug node metric (no device) into device null', () => {
    expect(
      sourceFromValues({ kind: 'sparkplug', group: 'G', edgeNode: 'N', device: ' ', metric: 'M' }),
    ).toMatchObject({ device: null, connectorId: null });
  });

  it('round-trips a tag through the form into a body the server schema accepts', () => {
    const tag = {
      id: 1,
      equipmentId: 3,
      code: 'LEVEL',
      nameZh: '液位',
      nameEn: 'Level',
      unit: '%',
      type: 'state',
      engLow: null,
      engHigh: null,
      states: { '0': '停止', '1': '运行' },
      source: { kind: 'sparkplug', connectorId: null, group: 'G', edgeNode: 'N', device: 'D', metric: 'M' },
      storageDeadband: 0,
      storageHeartbeatMs: 30_000,
    } as unknown as TagRow;
    const values = valuesFromTag(tag);
    expect(values.source?.connectorId).toBe(DEFAULT_CONNECTION);
    expect(values.heartbeatS).toBe(30);
    const body = bodyFromValues(values);
    expect(body).toMatchObject({
      states: { '0': '停止', '1': '运行' },
      source: tag.source,
      storageHeartbeatMs: 30_000,
    });
    expect(CreateTagSchema.safeParse({ ...body, reason: 'round trip' }).success).toBe(true);
  });

  it('round-trips swinging-door compression, and leaves it off for a type other than number', () => {
    const tag = {
      id: 2,
      equipmentId: 3,
      code: 'TEMP',
      nameZh: '温度',
      nameEn: 'Temperature',
      unit: '°C',
      type: 'number',
      engLow: 0,
      engHigh: 200,
      states: null,
      source: { kind: 'http' },
      storageDeadband: 0,
      storageHeartbeatMs: 600_000,
      storageCompression: 'swinging_door',
      storageDeviation: 0.1,
    } as unknown as TagRow;
    const values = valuesFromTag(tag);
    const body = bodyFromValues(values);
    expect(body).toMatchObject({ storageCompression: 'swinging_door', storageDeviation: 0.1 });
    expect(CreateTagSchema.safeParse({ ...body, reason: 'round trip' }).success).toBe(true);
    expect(bodyFromValues({ ...values, type: 'string' }).storageCompression).toBe('none');
    // Without a deviation the server schema names the missing field.
    const missing = CreateTagSchema.safeParse({ ...body, storageDeviation: null, reason: 'round trip' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['storageDeviation']);
  });
});
