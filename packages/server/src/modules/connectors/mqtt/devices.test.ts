import { describe, expect, it } from 'vitest';
import { memoryDirectory } from '../modbus/testing.js';
import { type DeviceAccess, devicePolicy } from './devices.js';
import { jsonTag, sparkplugTag } from './testing.js';

const press = jsonTag({ topic: 'site/A/+/press', path: 'force', commandTopic: 'site/A/press1/cmd' });
const other = jsonTag({ topic: 'site/B/press', path: 'force', commandTopic: 'site/B/press/cmd' });
const gas = sparkplugTag({ group: 'plant', edgeNode: 'gd-edge', device: 'GD-201', metric: 'H2S' });
const policy = devicePolicy(memoryDirectory([press, other, gas]));

/** A device allowed the tags of workshop A (press, gas), not workshop B's. */
const deviceA: DeviceAccess = {
  username: 'gw-a',
  userId: 1,
  tokenId: 1,
  may: (id) => id === press.id || id === gas.id,
};

describe('embedded broker topic rules for devices', () => {
  it('lets a device publish only to the topics of the tags in its scope', () => {
    expect(policy.publish(deviceA, 'site/A/press1/press').ok).toBe(true);
    expect(policy.publish(deviceA, 'site/B/press')).toMatchObject({ ok: false });
    expect(policy.publish(deviceA, 'site/A/unknown')).toMatchObject({ ok: false });
  });

  it('keeps command topics to Aegis, even when a value filter matches them', () => {
    expect(policy.publish(deviceA, 'site/A/press1/cmd')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/command topic/),
    });
    expect(policy.publish(deviceA, 'spBv1.0/plant/NCMD/gd-edge').ok).toBe(false);
    expect(policy.publish(deviceA, 'spBv1.0/plant/DCMD/gd-edge/GD-201').ok).toBe(false);
    expect(policy.publish(deviceA, 'spBv1.0/STATE/aegis').ok).toBe(false);
  });

  it('lets an edge node publish its births, data and deaths when it has tags in scope', () => {
    for (const type of ['NBIRTH', 'NDATA', 'NDEATH'])
      expect(policy.publish(deviceA, `spBv1.0/plant/${type}/gd-edge`).ok).toBe(true);
    expect(policy.publish(deviceA, 'spBv1.0/plant/DDATA/gd-edge/GD-201').ok).toBe(true);
    expect(policy.publish(deviceA, 'spBv1.0/plant/NDATA/other-edge').ok).toBe(false);
    const deviceB: DeviceAccess = { username: 'gw-b', userId: 2, tokenId: 2, may: (id) => id === other.id };
    expect(policy.publish(deviceB, 'spBv1.0/plant/NDATA/gd-edge').ok).toBe(false);
  });

  it('lets a device subscribe to its own command topics only', () => {
    expect(policy.subscribe(deviceA, 'site/A/press1/cmd').ok).toBe(true);
    expect(policy.subscribe(deviceA, 'spBv1.0/plant/NCMD/gd-edge').ok).toBe(true);
    expect(policy.subscribe(deviceA, 'spBv1.0/plant/DCMD/gd-edge/+').ok).toBe(true);
    expect(policy.subscribe(deviceA, 'site/B/press/cmd').ok).toBe(false);
    expect(policy.subscribe(deviceA, 'site/A/#').ok).toBe(false);
    expect(policy.subscribe(deviceA, 'spBv1.0/plant/DCMD/+/+').ok).toBe(false);
    expect(policy.subscribe(deviceA, 'spBv1.0/plant/DCMD/gd-edge/#').ok).toBe(false);
    expect(policy.subscribe(deviceA, '#').ok).toBe(false);
  });
});
