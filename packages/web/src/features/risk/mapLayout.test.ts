import type { RiskMapNode } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { mapSections } from './mapLayout';

const counts = { major: 0, significant: 0, general: 0, low: 0 };
const n = (
  id: number,
  parentId: number | null,
  path: string,
  plantLevel: string,
  code: string,
  worst: RiskMapNode['subtreeWorst'],
): RiskMapNode => ({
  id,
  parentId,
  plantLevel,
  code,
  nameZh: code,
  nameEn: code,
  path,
  counts,
  subtreeCounts: counts,
  worst: null,
  subtreeWorst: worst,
});

describe('the risk map layout', () => {
  it('makes one section per area with the nodes below it that have units, parents first', () => {
    const nodes = [
      n(1, null, '/1/', 'site', 'S', 'major'),
      n(2, 1, '/1/2/', 'area', 'CHEM', 'major'),
      n(3, 2, '/1/2/3/', 'line', 'T1', 'major'),
      n(4, 3, '/1/2/3/4/', 'equipment', 'TK-101', null),
      n(5, 1, '/1/5/', 'area', 'ALPHA', null),
      n(6, 2, '/1/2/6/', 'line', 'A0', 'low'),
    ];
    const s = mapSections(nodes);
    expect(s.map((x) => x.head.code)).toEqual(['ALPHA', 'CHEM']);
    expect(s[1]!.rows.map((r) => [r.node.code, r.depth])).toEqual([
      ['CHEM', 0],
      ['A0', 1],
      ['T1', 1],
    ]);
    expect(s[0]!.rows.map((r) => r.node.code)).toEqual(['ALPHA']);
  });
  it('uses the top visible nodes when no area is visible', () => {
    const s = mapSections([n(3, 2, '/1/2/3/', 'line', 'T1', 'general')]);
    expect(s.map((x) => x.head.code)).toEqual(['T1']);
  });
});
