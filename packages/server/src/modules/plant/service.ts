import {
  ALLOWED_PARENT,
  type CreatePlantNodeSchema,
  type PlantNode,
  type PlantTreeNode,
  type UpdatePlantNodeSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Bus } from '../../bus.js';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, conflict, invalid } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import * as repo from './repo.js';

export type PlantService = ReturnType<typeof createPlantService>;

export function buildTree(nodes: PlantNode[]): PlantTreeNode[] {
  const byId = new Map<number, PlantTreeNode>(nodes.map((n) => [n.id, { ...n, children: [] }]));
  const roots: PlantTreeNode[] = [];
  for (const n of byId.values()) {
    const parent = n.parentId === null ? undefined : byId.get(n.parentId);
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const sort = (list: PlantTreeNode[]) => {
    list.sort((a, b) => a.code.localeCompare(b.code));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function createPlantService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  bus?: Bus;
}) {
  const { db, audit, guard, clock, bus } = deps;

  function checkParent(level: PlantNode['level'], parent: PlantNode | null) {
    const allowed = ALLOWED_PARENT[level];
    if (parent === null && allowed.length > 0) {
      throw invalid(`A ${level} must be placed under a ${allowed.join(' or ')}`, [
        { path: 'parentId', message: 'required' },
      ]);
    }
    if (parent && !allowed.includes(parent.level)) {
      throw invalid(
        allowed.length === 0
          ? `An ${level} is the root of the plant model and has no parent`
          : `A ${level} can only be placed under a ${allowed.join(' or ')}, not under a ${parent.level}`,
        [{ path: 'parentId', message: `parent is a ${parent.level}` }],
      );
    }
  }

  return {
    async tree(ctx: RequestContext) {
      const nodes = await repo.listInScope(db, guard.scope(ctx, 'plant.read'));
      return buildTree(nodes);
    },

    async list(ctx: RequestContext) {
      return repo.listInScope(db, guard.scope(ctx, 'plant.read'));
    },

    async get(ctx: RequestContext, id: number) {
      const node = await repo.get(db, id);
      return guard.readable(ctx, 'plant.read', node, 'plant node', id);
    },

    async create(ctx: RequestContext, input: z.output<typeof CreatePlantNodeSchema>) {
      return db.transaction(async (tx) => {
        const parent = input.parentId === null ? null : await repo.get(tx, input.parentId);
        if (input.parentId !== null && !parent) throw invalid(`Parent node ${input.parentId} does not exist`);
        if (parent) await guard.require(tx, ctx, 'plant.write', parent, 'plant node');
        else await guard.requireGlobal(tx, ctx, 'plant.write', 'plant_node');
        checkParent(input.level, parent);
        const node = await repo.insert(tx, { ...input, now: clock.now() });
        await audit.append(tx, ctx, {
          action: 'plant.node.create',
          targetType: 'plant_node',
          targetId: node.id,
          nodeId: node.id,
          reason: input.reason,
          after: node,
        });
        return node;
      });
    },

    async update(ctx: RequestContext, id: number, input: z.output<typeof UpdatePlantNodeSchema>) {
      const updated = await db.transaction(async (tx) => {
        const before = await repo.get(tx, id);
        await guard.require(tx, ctx, 'plant.write', before, 'plant node', id);
        let node = before!;
        if (input.parentId !== undefined && input.parentId !== node.parentId) {
          const parent = await repo.get(tx, input.parentId);
          if (!parent) throw invalid(`Parent node ${input.parentId} does not exist`);
          if (parent.path.startsWith(node.path))
            throw invalid('A node cannot be moved under itself or its own descendants');
          await guard.require(tx, ctx, 'plant.write', parent, 'plant node');
          checkParent(node.level, parent);
          node = await repo.move(tx, node, parent, clock.now());
        }
        const after = await repo.update(tx, id, {
          code: input.code ?? node.code,
          nameZh: input.nameZh ?? node.nameZh,
          nameEn: input.nameEn ?? node.nameEn,
          status: input.status ?? node.status,
          description: input.description ?? node.description,
          now: clock.now(),
        });
        await audit.append(tx, ctx, {
          action: 'plant.node.update',
          targetType: 'plant_node',
          targetId: id,
          nodeId: id,
          reason: input.reason,
          before,
          after,
        });
        return { before: before!, after: after!, moved: node.path !== before!.path };
      });
      if (updated.moved) {
        bus?.emit('plant.moved', { nodeId: id, from: updated.before.path, to: updated.after.path });
      }
      if (updated.before.status !== updated.after.status) {
        bus?.emit('plant.status', { nodeId: id, level: updated.after.level, status: updated.after.status });
      }
      return updated.after;
    },

    async remove(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        const before = await repo.get(tx, id);
        await guard.require(tx, ctx, 'plant.write', before, 'plant node', id);
        if ((await repo.countChildren(tx, id)) > 0) {
          throw conflict('This node still has child nodes; move or delete them first');
        }
        try {
          await repo.remove(tx, id);
        } catch (e) {
          if ((e as { code?: string }).code === '23503') {
            throw new AppError(
              'conflict',
              'This node is still referenced (users, teams, tags or grants); reassign them first',
            );
          }
          throw e;
        }
        await audit.append(tx, ctx, {
          action: 'plant.node.delete',
          targetType: 'plant_node',
          targetId: id,
          nodeId: id,
          reason,
          before,
        });
      });
    },

    /**
     * For other modules (a lockout puts its equipment in maintenance and gives the status back): sets
     * the status in the caller's transaction, audited, without a permission check of its own (the
     * caller checked its own); announce the change with statusChanged after the commit.
     */
    async setStatus(tx: Db, ctx: RequestContext, id: number, status: PlantNode['status'], reason: string) {
      const before = await repo.get(tx, id);
      if (!before || before.status === status) return null;
      const after = await repo.update(tx, id, { ...before, status, now: clock.now() });
      await audit.append(tx, ctx, {
        action: 'plant.node.status',
        targetType: 'plant_node',
        targetId: id,
        nodeId: id,
        reason,
        before: { status: before.status },
        after: { status },
      });
      return after;
    },

    /** After the commit of setStatus: the alarm engine suppresses (or stops suppressing) the equipment's alarms. */
    statusChanged(node: Pick<PlantNode, 'id' | 'level' | 'status'>) {
      bus?.emit('plant.status', { nodeId: node.id, level: node.level, status: node.status });
    },

    /** For other modules: a node by id without permission checks (they check their own). */
    byId: (id: number, tx: Db = db) => repo.get(tx, id),
    byCode: (code: string, level?: PlantNode['level']) => repo.getByCode(db, code, level),
  };
}
