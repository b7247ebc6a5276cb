import { describe, expect, it } from 'vitest';
import type { Grant } from '../access/index.js';
import { tokenGrants, tokenRequestProblems } from './token-policy.js';

const lead: Grant[] = [
  { permission: 'tag.read', nodeId: 3, path: '/1/2/3/' },
  { permission: 'tag.manage', nodeId: 3, path: '/1/2/3/' },
];
const admin: Grant[] = [{ permission: '*', nodeId: null, path: null }];
const line = { id: 4, path: '/1/2/3/4/' };
const otherWorkshop = { id: 9, path: '/1/2/9/' };

describe('token policy', () => {
  it("cuts the owner's grants down to the token's permissions and nodes", () => {
    expect(tokenGrants(lead, { fullAccess: false, permissions: ['tag.read'], nodes: [line] })).toEqual([
      { permission: 'tag.read', nodeId: 4, path: '/1/2/3/4/' },
    ]);
    expect(tokenGrants(lead, { fullAccess: false, permissions: ['tag.read'], nodes: null })).toEqual([
      { permission: 'tag.read', nodeId: 3, path: '/1/2/3/' },
    ]);
    expect(
      tokenGrants(lead, { fullAccess: false, permissions: ['tag.read'], nodes: [otherWorkshop] }),
    ).toEqual([]);
    expect(tokenGrants(admin, { fullAccess: false, permissions: ['alarm.read'], nodes: null })).toEqual([
      { permission: 'alarm.read', nodeId: null, path: null },
    ]);
  });

  it('gives nothing the owner no longer holds, and the owner everything with full access', () => {
    expect(tokenGrants([], { fullAccess: false, permissions: ['tag.read'], nodes: null })).toEqual([]);
    expect(tokenGrants(lead, { fullAccess: true, permissions: [], nodes: null })).toEqual(lead);
  });

  it('refuses a request beyond the owner or the issuer, and full access without a reason', () => {
    const ask = (permissions: string[], nodes: (typeof line)[] | null, issuer = admin) =>
      tokenRequestProblems(
        { fullAccess: false, permissions: permissions as never, reason: undefined },
        nodes,
        { grants: lead },
        { grants: issuer },
      );
    expect(ask(['tag.read'], [line])).toEqual([]);
    expect(ask(['tag.read'], [otherWorkshop])[0]?.message).toMatch(/owner does not hold tag.read at node 9/);
    expect(ask(['alarm.ack'], null)[0]?.message).toMatch(/owner does not hold alarm.ack anywhere/);
    expect(ask(['tag.manage'], [line], lead.slice(0, 1))[0]?.message).toMatch(/you do not hold tag.manage/);
    const full = (reason?: string, issuer = admin) =>
      tokenRequestProblems(
        { fullAccess: true, permissions: undefined, reason },
        null,
        { grants: admin },
        { grants: issuer },
      );
    expect(full()[0]?.path).toBe('reason');
    expect(full('vendor migration')).toEqual([]);
    expect(full('vendor migration', lead)[0]?.message).toMatch(/you do not hold yourself/);
  });
});
