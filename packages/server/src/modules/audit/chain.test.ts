import { describe, expect, it } from 'vitest';
import { type ChainedFields, canonicalJson, chainHash, checkLink, GENESIS_HASH } from './chain.js';

const entry = (seq: number, over: Partial<ChainedFields> = {}): ChainedFields => ({
  seq,
  at: '2026-01-05T08:00:00.000Z',
  actorId: 1,
  actorName: 'admin',
  action: 'plant.node.update',
  targetType: 'plant_node',
  targetId: '7',
  nodeId: 7,
  outcome: 'success',
  reason: 'renamed after audit',
  before: { nameZh: '旧', limits: [1, 2] },
  after: { nameZh: '新', limits: [1, 3] },
  requestId: 'r1',
  ip: '127.0.0.1',
  ...over,
});

describe('audit hash chain', () => {
  it('hashes objects independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
    expect(chainHash('x', entry(1, { after: { a: 1, b: 2 } }))).toBe(
      chainHash('x', entry(1, { after: { b: 2, a: 1 } })),
    );
  });

  it('changes the hash when any field or the previous hash changes', () => {
    const h = chainHash(GENESIS_HASH, entry(1));
    expect(chainHash(GENESIS_HASH, entry(1, { reason: 'other' }))).not.toBe(h);
    expect(chainHash(GENESIS_HASH, entry(1, { after: { nameZh: '新', limits: [1, 4] } }))).not.toBe(h);
    expect(chainHash('other', entry(1))).not.toBe(h);
  });

  it('links a valid chain and names an altered, missing or reordered entry', () => {
    const stored = [1, 2, 3].reduce<Array<ChainedFields & { prevHash: string; hash: string }>>((acc, seq) => {
      const prevHash = acc.at(-1)?.hash ?? GENESIS_HASH;
      const e = entry(seq, { targetId: String(seq) });
      return [...acc, { ...e, prevHash, hash: chainHash(prevHash, e) }];
    }, []);
    const walk = (rows: typeof stored) => {
      const state = { expectedSeq: 1, prevHash: GENESIS_HASH, checked: 0 };
      for (const row of rows) {
        const problem = checkLink(state, row);
        if (problem) return problem;
        state.expectedSeq++;
        state.prevHash = row.hash;
      }
      return null;
    };
    expect(walk(stored)).toBeNull();
    expect(walk([stored[0]!, { ...stored[1]!, reason: 'forged' }, stored[2]!])).toMatch(
      /entry 2 was altered/,
    );
    expect(walk([stored[0]!, stored[2]!])).toMatch(/entries 2..2 are missing/);
    expect(walk([stored[1]!, stored[0]!])).toMatch(/missing|order|link/);
  });
});
