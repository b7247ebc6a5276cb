import type { CreatePlantNode, PlantNode, PlantTreeNode, UpdatePlantNode } from '@aegis/shared';
import { queryOptions } from '@tanstack/react-query';
import { http, useApiMutation } from '../../app/api';

// Provides: ['plant', …]. Every write invalidates all of ['plant'] (tree, flat list, nodes).
export const plantKeys = {
  all: ['plant'] as const,
  tree: ['plant', 'tree'] as const,
  nodes: ['plant', 'nodes'] as const,
  node: (id: number) => ['plant', 'node', id] as const,
};

export const plantTreeQuery = queryOptions({
  queryKey: plantKeys.tree,
  queryFn: () => http.get<PlantTreeNode[]>('/api/plant/tree'),
});

export const plantNodesQuery = queryOptions({
  queryKey: plantKeys.nodes,
  queryFn: () => http.get<PlantNode[]>('/api/plant/nodes'),
});

export const plantNodeQuery = (id: number) =>
  queryOptions({
    queryKey: plantKeys.node(id),
    queryFn: () => http.get<PlantNode>(`/api/plant/nodes/${id}`),
  });

export function useCreateNode() {
  return useApiMutation(
    (body: CreatePlantNode) => http.post<PlantNode>('/api/plant/nodes', body),
    [plantKeys.all],
  );
}

export function useUpdateNode() {
  return useApiMutation(
    ({ id, ...body }: UpdatePlantNode & { id: number }) =>
      http.patch<PlantNode>(`/api/plant/nodes/${id}`, body),
    [plantKeys.all],
  );
}

export function useDeleteNode() {
  return useApiMutation(
    ({ id, reason }: { id: number; reason: string }) => http.del(`/api/plant/nodes/${id}`, { reason }),
    [plantKeys.all],
  );
}
