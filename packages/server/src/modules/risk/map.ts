import type { RiskLevel, RiskLevelCounts, RiskMapNode } from '@aegis/shared';

const empty = (): RiskLevelCounts => ({ major: 0, significant: 0, general: 0, low: 0 });
const worstOf = (c: RiskLevelCounts): RiskLevel | null =>
  c.major ? 'major' : c.significant ? 'significant' : c.general ? 'general' : c.low ? 'low' : null;

/**
 * 风险四色图 (pure): each node's own counts by level, and the counts and worst level of its
 * subtree. Only the given (readable) nodes count; a unit at a node not given is left out.
 */
export function riskMap(
  nodes: ReadonlyArray<{
    id: number;
    parentId: number | null;
    level: string;
    code: string;
    nameZh: string;
    nameEn: string;
    path: string;
  }>,
  counts: ReadonlyArray<{ nodeId: number; level: RiskLevel; count: number }>,
): RiskMapNode[] {
  const byId = new Map(
    nodes.map((n) => [
      n.id,
      {
        id: n.id,
        parentId: n.parentId,
        plantLevel: n.level,
        code: n.code,
        nameZh: n.nameZh,
        nameEn: n.nameEn,
        path: n.path,
        counts: empty(),
        subtreeCounts: empty(),
        worst: null as RiskLevel | null,
        subtreeWorst: null as RiskLevel | null,
      },
    ]),
  );
  for (const c of counts) {
    const node = byId.get(c.nodeId);
    if (!node) continue;
    node.counts[c.level] += c.count;
    // the path '/1/2/5/' names every ancestor: add to each one that is on the map
    for (const id of node.path.split('/').filter(Boolean).map(Number)) {
      const up = byId.get(id);
      if (up) up.subtreeCounts[c.level] += c.count;
    }
  }
  for (const n of byId.values()) {
    n.worst = worstOf(n.counts);
    n.subtreeWorst = worstOf(n.subtreeCounts);
  }
  return [...byId.values()].sort((a, b) => a.path.localeCompare(b.path));
}
