import type { CreateUserSchema, UpdateUserSchema, UserListQuerySchema } from '@aegis/shared';
import type { z } from 'zod';
import type { Bus } from '../../bus.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, invalid } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import { getDepartment, getPost, getTeam } from '../org/index.js';
import type { PlantService } from '../plant/index.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import * as repo from './repo.js';

export type UsersService = ReturnType<typeof createUsersService>;

/** What the audit trail keeps of a user: never the password hash. */
const auditView = (u: ReturnType<typeof repo.present>) => {
  const { path: _p, ...rest } = u;
  return rest;
};

export function createUsersService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  plant: PlantService;
  config: Pick<Config, 'passwordMinLength' | 'passwordMinClasses'>;
  bus?: Bus;
}) {
  const { db, audit, guard, clock, plant, config, bus } = deps;
  const policy = { minLength: config.passwordMinLength, minClasses: config.passwordMinClasses };

  function enforcePolicy(password: string, username: string) {
    const problems = checkPasswordPolicy(password, policy, username);
    if (problems.length) {
      throw new AppError('password_policy', `The password must ${problems.join(', and ')}`, { problems });
    }
  }

  async function homePath(tx: Db, homeNodeId: number | null) {
    if (homeNodeId === null) return null;
    const node = await plant.byId(homeNodeId, tx);
    if (!node)
      throw invalid(`Plant node ${homeNodeId} does not exist`, [
        { path: 'homeNodeId', message: 'unknown node' },
      ]);
    return node.path;
  }

  const present = (row: repo.UserRow) => repo.present(row, clock.now());

  /**
   * The organisation records a user is placed in must be in the caller's scope too (a lead may
   * not put a person into another workshop's team): unknown and hidden answer alike (404).
   * Posts are the enterprise-wide catalogue every org.read holder may read: they must exist.
   */
  async function checkPlacement(
    tx: Db,
    ctx: RequestContext,
    next: { postId: number | null; teamId: number | null; departmentId: number | null },
    before?: { postId: number | null; teamId: number | null; departmentId: number | null },
  ) {
    if (next.teamId !== null && next.teamId !== before?.teamId)
      guard.readable(ctx, 'org.read', await getTeam(tx, next.teamId), 'team', next.teamId);
    if (next.departmentId !== null && next.departmentId !== before?.departmentId)
      guard.readable(
        ctx,
        'org.read',
        await getDepartment(tx, next.departmentId),
        'department',
        next.departmentId,
      );
    if (next.postId !== null && next.postId !== before?.postId && !(await getPost(tx, next.postId)))
      throw invalid(`Post ${next.postId} does not exist`, [{ path: 'postId', message: 'unknown post' }]);
  }

  return {
    policy,
    enforcePolicy,

    async list(ctx: RequestContext, q: z.output<typeof UserListQuerySchema>) {
      const { rows, total } = await repo.list(db, guard.scope(ctx, 'user.read'), q);
      return { items: rows.map(present), total };
    },

    async get(ctx: RequestContext, id: number) {
      const row = await repo.get(db, id);
      return guard.readable(ctx, 'user.read', row ? present(row) : null, 'user', id);
    },

    async create(
      ctx: RequestContext,
      input: z.output<typeof CreateUserSchema>,
      opts: { mustChange?: boolean } = {},
    ) {
      enforcePolicy(input.password, input.username);
      const passwordHash = await hashPassword(input.password);
      return db.transaction(async (tx) => {
        const path = await homePath(tx, input.homeNodeId);
        if (path === null) await guard.requireGlobal(tx, ctx, 'user.write', 'user');
        else await guard.require(tx, ctx, 'user.write', { path }, 'plant node', input.homeNodeId!);
        await checkPlacement(tx, ctx, input);
        if (await repo.getByUsername(tx, input.username)) {
          throw new AppError('conflict', `The username ${input.username} is taken`, [
            { path: 'username', message: 'taken' },
          ]);
        }
        const row = await repo.insert(tx, {
          ...input,
          passwordHash,
          mustChange: opts.mustChange ?? input.kind === 'person',
          now: clock.now(),
        });
        const user = present(row);
        await audit.append(tx, ctx, {
          action: 'user.create',
          targetType: 'user',
          targetId: user.id,
          nodeId: user.homeNodeId,
          after: auditView(user),
        });
        return user;
      });
    },

    async update(ctx: RequestContext, id: number, input: z.output<typeof UpdateUserSchema>) {
      const { before, after } = await db.transaction(async (tx) => {
        const row = await repo.get(tx, id);
        const before = await guard.require(tx, ctx, 'user.write', row ? present(row) : null, 'user', id);
        const homeNodeId = input.homeNodeId === undefined ? before.homeNodeId : input.homeNodeId;
        if (homeNodeId !== before.homeNodeId) {
          const path = await homePath(tx, homeNodeId);
          if (path === null) await guard.requireGlobal(tx, ctx, 'user.write', 'user');
          else await guard.require(tx, ctx, 'user.write', { path }, 'plant node', homeNodeId!);
        }
        if (input.active === false && ctx.actor?.userId === id)
          throw invalid('You cannot deactivate your own account');
        const placement = {
          postId: input.postId === undefined ? before.postId : input.postId,
          teamId: input.teamId === undefined ? before.teamId : input.teamId,
          departmentId: input.departmentId === undefined ? before.departmentId : input.departmentId,
        };
        await checkPlacement(tx, ctx, placement, before);
        const updated = await repo.update(tx, id, {
          employeeNo: input.employeeNo === undefined ? before.employeeNo : input.employeeNo,
          displayName: input.displayName ?? before.displayName,
          phone: input.phone === undefined ? before.phone : input.phone,
          email: input.email === undefined ? before.email : input.email,
          ...placement,
          homeNodeId,
          locale: input.locale ?? before.locale,
          active: input.active ?? before.active,
          now: clock.now(),
        });
        const after = present(updated!);
        await audit.append(tx, ctx, {
          action: 'user.update',
          targetType: 'user',
          targetId: id,
          nodeId: after.homeNodeId,
          before: auditView(before),
          after: auditView(after),
        });
        return { before, after };
      });
      // A deactivated account's open streams close at once (its sessions no longer authenticate).
      if (before.active && !after.active) bus?.emit('access.changed', { userIds: [id] });
      return after;
    },

    /** An administrator sets a new password; the user must change it at next sign-in. Also unlocks. */
    async resetPassword(
      ctx: RequestContext,
      id: number,
      password: string,
      opts: { mustChange?: boolean } = {},
    ) {
      const row = await repo.get(db, id);
      if (row) enforcePolicy(password, row.username);
      const hash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const current = await repo.get(tx, id);
        await guard.require(tx, ctx, 'user.write', current ? present(current) : null, 'user', id);
        await repo.setPassword(tx, id, hash, opts.mustChange ?? true, clock.now());
        await audit.append(tx, ctx, {
          action: 'user.password.reset',
          targetType: 'user',
          targetId: id,
          nodeId: current!.home_node_id,
        });
      });
    },

    count: () => repo.count(db),
    byId: (id: number, tx: Db = db) => repo.get(tx, id),
    byUsername: (username: string, tx: Db = db) => repo.getByUsername(tx, username),
    recordFailedLogin: repo.recordFailedLogin,
    recordLogin: repo.recordLogin,
    setPassword: repo.setPassword,
    present,
  };
}
