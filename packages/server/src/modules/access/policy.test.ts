import { describe, expect, it } from 'vitest';
import { type Actor, can, canAnywhere, scopeOf } from './policy.js';

const lead: Actor = {
  userId: 5,
  username: 'lead.a',
  displayName: 'Lead A',
  kind: 'person',
  passwordChangeRequired: false,
  grants: [
    { permission: 'plant.read', nodeId: 3, path: '/1/2/3/' },
    { permission: 'plant.write', nodeId: 3, path: '/1/2/3/' },
    { permission: 'org.read', nodeId: null, path: null },
  ],
};

describe('access policy', () => {
  it('lets a workshop lead act inside their workshop only', () => {
    expect(can(lead, 'plant.write', '/1/2/3/')).toBe(true);
    expect(can(lead, 'plant.write', '/1/2/3/10/44/')).toBe(true);
    expect(can(lead, 'plant.write', '/1/2/4/')).toBe(false);
    expect(can(lead, 'plant.write', '/1/2/')).toBe(false);
  });

  it('does not confuse node 3 with node 30 in paths', () => {
    expect(can(lead, 'plant.read', '/1/2/30/')).toBe(false);
  });

  it('requires an unscoped grant for records outside the plant tree', () => {
    expect(can(lead, 'plant.write', null)).toBe(false);
    expect(can(lead, 'org.read', null)).toBe(true);
  });

  it('gives list queries the minimal set of subtrees', () => {
    const actor: Actor = {
      ...lead,
      grants: [...lead.grants, { permission: 'plant.read', nodeId: 9, path: '/1/2/3/9/' }],
    };
    expect(scopeOf(actor, 'plant.read')).toEqual({ all: false, paths: ['/1/2/3/'] });
    expect(scopeOf(actor, 'org.read')).toEqual({ all: true });
    expect(scopeOf(actor, 'alarm.ack')).toEqual({ all: false, paths: [] });
    expect(canAnywhere(actor, 'alarm.ack')).toBe(false);
  });
});
