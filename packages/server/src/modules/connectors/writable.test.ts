import { TagSourceSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { sourceWritable } from './writable.js';

const modbus = (area: string) => TagSourceSchema.parse({ kind: 'modbus', connectorId: 1, area, address: 3 });

describe('which tag sources an interlock can write to', () => {
  it('refuses Modbus input registers and discrete inputs, accepts holding registers and coils', () => {
    expect(sourceWritable(modbus('input'))).toMatchObject({ writable: false, reason: /input register/ });
    expect(sourceWritable(modbus('discrete'))).toMatchObject({ writable: false, reason: /discrete input/ });
    expect(sourceWritable(modbus('holding'))).toEqual({ writable: true });
    expect(sourceWritable(modbus('coil'))).toEqual({ writable: true });
  });

  it('needs a command topic for MQTT JSON and refuses tags written over HTTP', () => {
    expect(sourceWritable(TagSourceSchema.parse({ kind: 'mqtt', topic: 'a/b' })).writable).toBe(false);
    expect(
      sourceWritable(TagSourceSchema.parse({ kind: 'mqtt', topic: 'a/b', commandTopic: 'a/b/set' })),
    ).toEqual({
      writable: true,
    });
    expect(sourceWritable({ kind: 'http' }).writable).toBe(false);
  });
});
