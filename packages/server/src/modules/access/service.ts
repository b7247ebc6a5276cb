import { BUILTIN_ROLES, type CreateRoleSchema, type UpdateRoleSchema } from '@aegis/shared';
import type { z } from 'zod';
import type { Bus } from '../../bus.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, conflict, invalid } from '../../errors.js';
import type { AuditService } from '../audit/service.js';
import type { PlantService } from '../plant/index.js';
import type { UsersService } from '../users/index.js';
import { accessGuard as guard } from './guard.js';
import type { Actor } from './policy.js';
import * as repo from './repo.js';

export type AccessService = ReturnType<typeof createAccessService>;

export function createAccessService(deps: {
  db: Db;
  audit: AuditService;
  plant: PlantService;
  users: UsersService;
  bus?: Bus;
}) {
  const { db, audit, plant, users, bus } = deps;
  /** After the commit: open streams and cached scope decisions of these users follow at once. */
  const changed = (userIds: number[]) => {
    if (userIds.length) bus?.emit('access.changed', { userIds });
  };

  return {
    /** Keeps the built-in roles equal to the catalogue in code (run at start-up). */
    async syncBuiltinRoles() {
      for (const [code, r] of Object.entries(BUILTIN_ROLES)) {
        await repo.upsertBuiltinRole(db, {
          code,
          nameZh: r.zh,
          nameEn: r.en,
          permissions: [...new Set(r.permissions)],
        });
      }
    },

    /** The signed-in identity with every grant it holds, resolved to plant paths. */
    async loadActor(userId: number, extra: Partial<Actor> = {}): Promise<Actor | null> {
      const user = await users.byId(userId);
      if (!user || !user.active) return null;
      return {
        userId: user.id,
        username: user.username,
        displayName: user.display_name,
        kind: user.kind,
        grants: await repo.grantsOf(db, user.id),
        passwordChangeRequired: user.must_change_password,
        ...extra,
      };
    },

    rolesOf: (userId: number) => repo.rolesOf(db, userId),

    async listRoles(_ctx: RequestContext) {
      return repo.listRoles(db);
    },

    async createRole(ctx: RequestContext, input: z.output<typeof CreateRoleSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'role.write', 'role');
        if (await repo.getRoleByCode(tx, input.code)) throw conflict(`A role with code ${input.code} exists`);
        const role = await repo.insertRole(tx, { ...input, permissions: [...new Set(input.permissions)] });
        await audit.append(tx, ctx, {
          action: 'role.create',
          targetType: 'role',
          targetId: role.id,
          reason: input.reason,
          after: role,
        });
        return role;
      });
    },

    async updateRole(ctx: RequestContext, id: number, input: z.output<typeof UpdateRoleSchema>) {
      const { role, holders } = await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'role.write', 'role');
        const before = await repo.getRole(tx, id);
        if (!before) throw new AppError('not_found', `Role ${id} not found`);
        if (before.builtin) throw conflict('Built-in roles cannot be changed; create a custom role instead');
        const after = await repo.updateRole(tx, id, {
          nameZh: input.nameZh ?? before.nameZh,
          nameEn: input.nameEn ?? before.nameEn,
          permissions: input.permissions ? [...new Set(input.permissions)] : before.permissions,
        });
        await audit.append(tx, ctx, {
          action: 'role.update',
          targetType: 'role',
          targetId: id,
          reason: input.reason,
          before,
          after,
        });
        return { role: after!, holders: await repo.holdersOfRole(tx, id) };
      });
      changed(holders);
      return role;
    },

    async deleteRole(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'role.write', 'role');
        const before = await repo.getRole(tx, id);
        if (!before) throw new AppError('not_found', `Role ${id} not found`);
        if (before.builtin) throw conflict('Built-in roles cannot be deleted');
        if ((await repo.countAssignmentsOfRole(tx, id)) > 0)
          throw conflict('The role is still granted to users; revoke it first');
        await repo.deleteRole(tx, id);
        await audit.append(tx, ctx, {
          action: 'role.delete',
          targetType: 'role',
          targetId: id,
          reason,
          before,
        });
      });
    },

    async assignmentsOf(ctx: RequestContext, userId: number) {
      await users.get(ctx, userId); // scope check on the user
      return repo.assignmentsOf(db, userId);
    },

    /**
     * Grants a role at a node. The granter needs role.write over that node (a workshop lead with
     * role.write may grant inside the workshop only), and may not hand out permissions they lack there.
     */
    async assign(
      ctx: RequestContext,
      userId: number,
      input: { roleId: number; nodeId: number | null; reason: string },
    ) {
      const granted = await db.transaction(async (tx) => {
        // The person must be in the granter's scope too, not only the node of the grant.
        const user = await users.byId(userId, tx);
        guard.readable(ctx, 'user.read', user ? users.present(user) : null, 'user', userId);
        const role = await repo.getRole(tx, input.roleId);
        if (!role)
          throw invalid(`Role ${input.roleId} does not exist`, [{ path: 'roleId', message: 'unknown role' }]);
        let path: string | null = null;
        if (input.nodeId !== null) {
          const node = await plant.byId(input.nodeId, tx);
          if (!node)
            throw invalid(`Plant node ${input.nodeId} does not exist`, [
              { path: 'nodeId', message: 'unknown node' },
            ]);
          path = node.path;
          await guard.require(tx, ctx, 'role.write', node, 'plant node', node.id);
        } else {
          await guard.requireGlobal(tx, ctx, 'role.write', 'role_assignment');
        }
        const missing = role.permissions.filter((p) => !guard.can(ctx, p, path));
        if (missing.length) {
          throw new AppError(
            'forbidden',
            `You cannot grant permissions you do not hold there: ${missing.join(', ')}`,
            { missing },
          );
        }
        const existing = (await repo.assignmentsOf(tx, userId)).find(
          (a) => a.roleId === input.roleId && a.nodeId === input.nodeId,
        );
        if (existing) throw conflict('The user already holds this role there');
        const assignment = await repo.insertAssignment(tx, {
          userId,
          roleId: input.roleId,
          nodeId: input.nodeId,
        });
        await audit.append(tx, ctx, {
          action: 'role.grant',
          targetType: 'user',
          targetId: userId,
          nodeId: input.nodeId,
          reason: input.reason,
          after: { role: role.code, nodeId: input.nodeId },
        });
        return assignment;
      });
      changed([userId]);
      return granted;
    },

    async unassign(ctx: RequestContext, userId: number, assignmentId: number, reason: string) {
      await db.transaction(async (tx) => {
        const user = await users.byId(userId, tx);
        guard.readable(ctx, 'user.read', user ? users.present(user) : null, 'user', userId);
        const a = await repo.getAssignment(tx, assignmentId);
        if (!a || a.userId !== userId) throw new AppError('not_found', `Grant ${assignmentId} not found`);
        if (a.nodeId === null) await guard.requireGlobal(tx, ctx, 'role.write', 'role_assignment');
        else await guard.require(tx, ctx, 'role.write', { path: a.nodePath }, 'plant node', a.nodeId);
        if (a.roleCode === 'admin' && a.nodeId === null && (await repo.countAdmins(tx)) <= 1) {
          throw conflict('This is the last enterprise-wide administrator; grant admin to someone else first');
        }
        await repo.deleteAssignment(tx, assignmentId);
        await audit.append(tx, ctx, {
          action: 'role.revoke',
          targetType: 'user',
          targetId: userId,
          nodeId: a.nodeId,
          reason,
          before: { role: a.roleCode, nodeId: a.nodeId },
        });
      });
      changed([userId]);
    },

    /** For bootstrap and seeding: grant without the granter checks. */
    async grantDirect(tx: Db, userId: number, roleCode: string, nodeId: number | null) {
      const role = await repo.getRoleByCode(tx, roleCode);
      if (!role) throw new Error(`Unknown role ${roleCode}`);
      return repo.insertAssignment(tx, { userId, roleId: role.id, nodeId });
    },
    countAdmins: () => repo.countAdmins(db),
  };
}
