import type { RiskMapNode } from '@aegis/shared';

/**
 * The risk map's layout (pure): one section per area (a node whose children are lines or
 * equipment, or a top node when no area is visible), holding itself and every node below it
 * that has units, in tree order with its depth below the area.
 */
export function mapSections(nodes: RiskMapNode[]) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const areas = nodes.filter((n) => n.plantLevel === 'area');
  const heads = areas.length > 0 ? areas : nodes.filter((n) => n.parentId === null || !byId.has(n.parentId));
  const depthOf = (n: RiskMapNode, head: RiskMapNode) =>
    n.path.slice(head.path.length).split('/').filter(Boolean).length;
  const withUnits = (n: RiskMapNode) => n.subtreeWorst !== null;
  // Ordered by the tree: a parent before its children, siblings by code.
  const order = (a: RiskMapNode, b: RiskMapNode) => {
    const pa = a.path.split('/').filter(Boolean).map(Number);
    const pb = b.path.split('/').filter(Boolean).map(Number);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      if (pa[i] === pb[i]) continue;
      const x = byId.get(pa[i]!);
      const y = byId.get(pb[i]!);
      return (x?.code ?? '').localeCompare(y?.code ?? '');
    }
    return pa.length - pb.length;
  };
  return heads
    .slice()
    .sort(order)
    .map((head) => ({
      head,
      rows: nodes
        .filter((n) => n.path.startsWith(head.path) && (n.id === head.id || withUnits(n)))
        .sort(order)
        .map((node) => ({ node, depth: depthOf(node, head) })),
    }));
}
