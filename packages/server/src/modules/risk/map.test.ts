import { describe, expect, it } from 'vitest';
import { riskMap } from './map.js';

const node = (id: number, parentId: number | null, path: string) => ({
  id,
  parentId,
  level: 'area',
  code: `N${id}`,
  nameZh: `节点${id}`,
  nameEn: `Node ${id}`,
  path,
});

describe('the 4-colour risk map (pure)', () => {
  it('rolls the worst level up to every ancestor on the map and counts each node by level', () => {
    const nodes = [node(1, null, '/1/'), node(2, 1, '/1/2/'), node(3, 2, '/1/2/3/'), node(4, 1, '/1/4/')];
    const map = riskMap(nodes, [
      { nodeId: 3, level: 'major', count: 1 },
      { nodeId: 3, level: 'low', count: 2 },
      { nodeId: 4, level: 'general', count: 1 },
    ]);
    const at = (id: number) => map.find((n) => n.id === id)!;
    expect(at(3).counts).toEqual({ major: 1, significant: 0, general: 0, low: 2 });
    expect(at(3).worst).toBe('major');
    expect(at(2).worst).toBeNull();
    expect(at(2).subtreeWorst).toBe('major');
    expect(at(1).subtreeCounts).toEqual({ major: 1, significant: 0, general: 1, low: 2 });
    expect(at(4).subtreeWorst).toBe('general');
  });
  it('leaves out units at nodes the caller may not read', () => {
    const map = riskMap([node(2, 1, '/1/2/')], [{ nodeId: 9, level: 'major', count: 1 }]);
    expect(map[0]!.subtreeWorst).toBeNull();
  });
});
