import type {
  CreateDepartmentSchema,
  CreatePostSchema,
  CreateShiftSchema,
  CreateTeamSchema,
  UpdateDepartmentSchema,
  UpdatePostSchema,
  UpdateShiftSchema,
  UpdateTeamSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import type { PlantService } from '../plant/index.js';
import type { UsersService } from '../users/index.js';
import * as repo from './repo.js';

export type OrgService = ReturnType<typeof createOrgService>;
type In<T extends z.ZodType> = z.output<T>;

const strip = <T extends { path?: unknown }>(r: T) => {
  const { path: _p, ...rest } = r;
  return rest;
};

/** A delete refused by a foreign key means people or teams still belong to the record. */
async function removeOrExplain(fn: () => Promise<void>, what: string) {
  try {
    await fn();
  } catch (e) {
    if ((e as { code?: string }).code === '23503')
      throw conflict(`The ${what} is still in use (people, teams or sub-units); reassign them first`);
    throw e;
  }
}

export function createOrgService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  plant: PlantService;
  users: Pick<UsersService, 'byId' | 'present'>;
}) {
  const { db, audit, guard, plant, users } = deps;

  // A record named in a request (a parent, a department, a leader) must be in the caller's
  // scope too: unknown and out-of-scope answer alike (404, the denial audited).
  async function departmentRef(tx: Db, ctx: RequestContext, id: number) {
    return guard.readable(ctx, 'org.read', await repo.getDepartment(tx, id), 'department', id);
  }
  async function leaderRef(tx: Db, ctx: RequestContext, id: number) {
    const row = await users.byId(id, tx);
    return guard.readable(ctx, 'user.read', row ? users.present(row) : null, 'user', id);
  }
  /** A department may not end up under itself: walk the new parent's ancestors. */
  async function refuseCycle(tx: Db, id: number, parentId: number | null) {
    const seen = new Set<number>();
    for (let at = parentId; at !== null && !seen.has(at); ) {
      if (at === id)
        throw invalid('A department cannot be placed under itself or its own sub-departments', [
          { path: 'parentId', message: 'cycle' },
        ]);
      seen.add(at);
      at = (await repo.getDepartment(tx, at))?.parentId ?? null;
    }
  }

  /** The plant path a scoped org record hangs from; null for an enterprise-wide record. */
  async function pathOf(tx: Db, nodeId: number | null, field = 'nodeId') {
    if (nodeId === null) return null;
    const node = await plant.byId(nodeId, tx);
    if (!node)
      throw invalid(`Plant node ${nodeId} does not exist`, [{ path: field, message: 'unknown node' }]);
    return node.path;
  }
  async function requireAt(tx: Db, ctx: RequestContext, path: string | null, what: string) {
    if (path === null) await guard.requireGlobal(tx, ctx, 'org.write', what);
    else await guard.require(tx, ctx, 'org.write', { path }, what);
  }

  return {
    // Departments
    listDepartments: async (ctx: RequestContext) =>
      (await repo.listDepartments(db, guard.scope(ctx, 'org.read'))).map(strip),
    async createDepartment(ctx: RequestContext, input: In<typeof CreateDepartmentSchema>) {
      return db.transaction(async (tx) => {
        await requireAt(tx, ctx, await pathOf(tx, input.nodeId), 'department');
        if (input.parentId !== null) await departmentRef(tx, ctx, input.parentId);
        const d = await repo.insertDepartment(tx, input);
        await audit.append(tx, ctx, {
          action: 'org.department.create',
          targetType: 'department',
          targetId: d.id,
          nodeId: d.nodeId,
          after: strip(d),
        });
        return strip(d);
      });
    },
    async updateDepartment(ctx: RequestContext, id: number, input: In<typeof UpdateDepartmentSchema>) {
      return db.transaction(async (tx) => {
        const before = await repo.getDepartment(tx, id);
        if (!before) throw notFound('Department', id);
        await requireAt(tx, ctx, before.path, 'department');
        const next = {
          code: before.code,
          name: before.name,
          nodeId: before.nodeId,
          parentId: before.parentId,
          ...input,
        };
        if (next.nodeId !== before.nodeId)
          await requireAt(tx, ctx, await pathOf(tx, next.nodeId), 'department');
        if (next.parentId !== before.parentId && next.parentId !== null) {
          await departmentRef(tx, ctx, next.parentId);
          await refuseCycle(tx, id, next.parentId);
        }
        const after = await repo.updateDepartment(tx, id, next);
        await audit.append(tx, ctx, {
          action: 'org.department.update',
          targetType: 'department',
          targetId: id,
          nodeId: next.nodeId,
          before: strip(before),
          after: strip(after!),
        });
        return strip(after!);
      });
    },
    async deleteDepartment(ctx: RequestContext, id: number) {
      await db.transaction(async (tx) => {
        const before = await repo.getDepartment(tx, id);
        if (!before) throw notFound('Department', id);
        await requireAt(tx, ctx, before.path, 'department');
        await removeOrExplain(() => repo.deleteDepartment(tx, id), 'department');
        await audit.append(tx, ctx, {
          action: 'org.department.delete',
          targetType: 'department',
          targetId: id,
          nodeId: before.nodeId,
          before: strip(before),
        });
      });
    },

    // Teams (班组)
    listTeams: async (ctx: RequestContext) =>
      (await repo.listTeams(db, guard.scope(ctx, 'org.read'))).map(strip),
    async createTeam(ctx: RequestContext, input: In<typeof CreateTeamSchema>) {
      return db.transaction(async (tx) => {
        await requireAt(tx, ctx, await pathOf(tx, input.nodeId), 'team');
        if (input.departmentId !== null) await departmentRef(tx, ctx, input.departmentId);
        if (input.leaderId !== null) await leaderRef(tx, ctx, input.leaderId);
        const t = await repo.insertTeam(tx, input);
        await audit.append(tx, ctx, {
          action: 'org.team.create',
          targetType: 'team',
          targetId: t.id,
          nodeId: t.nodeId,
          after: strip(t),
        });
        return strip(t);
      });
    },
    async updateTeam(ctx: RequestContext, id: number, input: In<typeof UpdateTeamSchema>) {
      return db.transaction(async (tx) => {
        const before = await repo.getTeam(tx, id);
        await guard.require(tx, ctx, 'org.write', before, 'team', id);
        const next = {
          code: before!.code,
          name: before!.name,
          departmentId: before!.departmentId,
          nodeId: before!.nodeId,
          leaderId: before!.leaderId,
          ...input,
        };
        if (next.nodeId !== before!.nodeId) await requireAt(tx, ctx, await pathOf(tx, next.nodeId), 'team');
        if (next.departmentId !== before!.departmentId && next.departmentId !== null)
          await departmentRef(tx, ctx, next.departmentId);
        if (next.leaderId !== before!.leaderId && next.leaderId !== null)
          await leaderRef(tx, ctx, next.leaderId);
        const after = await repo.updateTeam(tx, id, next);
        await audit.append(tx, ctx, {
          action: 'org.team.update',
          targetType: 'team',
          targetId: id,
          nodeId: next.nodeId,
          before: strip(before!),
          after: strip(after!),
        });
        return strip(after!);
      });
    },
    async deleteTeam(ctx: RequestContext, id: number) {
      await db.transaction(async (tx) => {
        const before = await repo.getTeam(tx, id);
        await guard.require(tx, ctx, 'org.write', before, 'team', id);
        await removeOrExplain(() => repo.deleteTeam(tx, id), 'team');
        await audit.append(tx, ctx, {
          action: 'org.team.delete',
          targetType: 'team',
          targetId: id,
          nodeId: before!.nodeId,
          before: strip(before!),
        });
      });
    },

    // Posts (岗位): an enterprise-wide catalogue. Anyone holding org.read somewhere may read it
    // (a workshop's user and team forms pick from it; it holds no workshop data); only an
    // enterprise-wide org.write changes it.
    listPosts: () => repo.listPosts(db),
    async createPost(ctx: RequestContext, input: In<typeof CreatePostSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'org.write', 'post');
        const p = await repo.insertPost(tx, input);
        await audit.append(tx, ctx, {
          action: 'org.post.create',
          targetType: 'post',
          targetId: p.id,
          after: p,
        });
        return p;
      });
    },
    async updatePost(ctx: RequestContext, id: number, input: In<typeof UpdatePostSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'org.write', 'post');
        const before = await repo.getPost(tx, id);
        if (!before) throw notFound('Post', id);
        const after = await repo.updatePost(tx, id, { ...before, ...input });
        await audit.append(tx, ctx, {
          action: 'org.post.update',
          targetType: 'post',
          targetId: id,
          before,
          after,
        });
        return after!;
      });
    },
    async deletePost(ctx: RequestContext, id: number) {
      await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'org.write', 'post');
        const before = await repo.getPost(tx, id);
        if (!before) throw notFound('Post', id);
        await removeOrExplain(() => repo.deletePost(tx, id), 'post');
        await audit.append(tx, ctx, { action: 'org.post.delete', targetType: 'post', targetId: id, before });
      });
    },

    // Shifts: an enterprise-wide catalogue, read and written like posts (a night shift may cross
    // midnight: end before start)
    listShifts: () => repo.listShifts(db),
    async createShift(ctx: RequestContext, input: In<typeof CreateShiftSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'org.write', 'shift');
        const s = await repo.insertShift(tx, input);
        await audit.append(tx, ctx, {
          action: 'org.shift.create',
          targetType: 'shift',
          targetId: s.id,
          after: s,
        });
        return s;
      });
    },
    async updateShift(ctx: RequestContext, id: number, input: In<typeof UpdateShiftSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'org.write', 'shift');
        const before = await repo.getShift(tx, id);
        if (!before) throw notFound('Shift', id);
        const next = { ...before, ...input };
        if (next.startTime === next.endTime) throw invalid('A shift cannot start and end at the same time');
        const after = await repo.updateShift(tx, id, next);
        await audit.append(tx, ctx, {
          action: 'org.shift.update',
          targetType: 'shift',
          targetId: id,
          before,
          after,
        });
        return after!;
      });
    },
    async deleteShift(ctx: RequestContext, id: number) {
      await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'org.write', 'shift');
        const before = await repo.getShift(tx, id);
        if (!before) throw notFound('Shift', id);
        await repo.deleteShift(tx, id);
        await audit.append(tx, ctx, {
          action: 'org.shift.delete',
          targetType: 'shift',
          targetId: id,
          before,
        });
      });
    },
  };
}
