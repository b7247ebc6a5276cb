import type {
  CreateDepartmentSchema,
  CreatePostSchema,
  CreateShiftSchema,
  CreateTeamSchema,
  OnDuty,
  RotateRosterSchema,
  SetRosterSchema,
  UpdateDepartmentSchema,
  UpdatePostSchema,
  UpdateShiftSchema,
  UpdateTeamSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import { type Clock, systemClock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import type { PlantService } from '../plant/index.js';
import type { UsersService } from '../users/index.js';
import * as repo from './repo.js';
import { rotationEntries } from './rotation.js';
import { addDays, currentShifts, shiftSpan } from './shift-time.js';

export type OrgService = ReturnType<typeof createOrgService>;
/** Who is on duty at a plant path and instant (org.onDutyAt), or null when no roster holds the running shift. */
export type OnDutyAt = {
  /** The roster day (YYYY-MM-DD, plant time zone): a night shift belongs to the day it starts. */
  day: string;
  shiftId: number;
  shiftName: string;
  /** The roster node that answered: the deepest one on the path with an entry for the shift. */
  nodeId: number;
  teamId: number;
  teamName: string;
  /** null when the team has no leader or the leader is inactive */
  leaderId: number | null;
  /** null when nobody is on call or that person is inactive */
  onCallUserId: number | null;
  /** the active people of the team on duty */
  memberIds: number[];
  startsAt: Date;
  endsAt: Date;
};
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
      throw conflict(
        `The ${what} is still in use (people, teams, sub-units or roster entries); reassign them first`,
      );
    throw e;
  }
}

export function createOrgService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  plant: PlantService;
  users: Pick<UsersService, 'byId' | 'present'>;
  /** For "who is on duty now"; the system clock when absent. */
  clock?: Clock;
  /** The plant's time zone, in which shift times are read (config.timezone). */
  timezone?: string;
}) {
  const { db, audit, guard, plant, users } = deps;
  const clock = deps.clock ?? systemClock;
  const timezone = deps.timezone ?? 'Asia/Shanghai';

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

  // 排班 roster references: the workshop, its shifts, teams and on-call people, each in scope.
  async function rosterNode(tx: Db, ctx: RequestContext, nodeId: number, write: boolean) {
    const node = await plant.byId(nodeId, tx);
    if (!write) return guard.readable(ctx, 'org.read', node, 'plant node', nodeId);
    return guard.require(tx, ctx, 'org.write', node, 'plant node', nodeId);
  }
  async function rosterShift(tx: Db, id: number) {
    const s = await repo.getShift(tx, id);
    if (!s) throw invalid(`Shift ${id} does not exist`, [{ path: 'shiftId', message: 'unknown shift' }]);
    return s;
  }
  /** A team on a workshop's roster works there: at the node, below it, or in the workshop above it. */
  async function rosterTeam(tx: Db, ctx: RequestContext, id: number, node: { path: string }) {
    const team = guard.readable(ctx, 'org.read', await repo.getTeam(tx, id), 'team', id);
    if (!team.path.startsWith(node.path) && !node.path.startsWith(team.path))
      throw invalid(`Team ${team.name} works in another workshop`, [
        { path: 'teamId', message: 'other workshop' },
      ]);
    return team;
  }
  async function onCallRef(tx: Db, ctx: RequestContext, id: number) {
    const person = await leaderRef(tx, ctx, id);
    if (!person.active || person.kind !== 'person')
      throw invalid(`${person.displayName} is not an active person and cannot be on call`, [
        { path: 'onCallUserId', message: 'inactive' },
      ]);
    return person;
  }

  /**
   * Who is on duty at `at` for a plant path: the shifts running then (in the plant's time zone),
   * and among the roster nodes on the path the deepest one with an entry for one of them. No
   * access check: for the system (notifications) and for routes that checked the node.
   */
  async function onDutyAt(path: string, at: Date, tx: Db = db): Promise<OnDutyAt | null> {
    const shifts = await repo.listShifts(tx);
    const running = currentShifts(shifts, at, timezone);
    const slots = await repo.rosterOnPath(
      tx,
      path,
      running.map((r) => ({ day: r.day, shiftId: r.shift.id })),
    );
    // rosterOnPath puts the deepest node first; within it, the most recently started shift
    const order = (s: { day: string; shiftId: number }) =>
      running.findIndex((r) => r.day === s.day && r.shift.id === s.shiftId);
    const best = slots.filter((s) => s.nodeId === slots[0]?.nodeId).sort((a, b) => order(a) - order(b))[0];
    if (!best) return null;
    const shift = running[order(best)]!.shift;
    const members = await repo.activeTeamMembers(tx, best.teamId);
    return {
      day: best.day,
      shiftId: best.shiftId,
      shiftName: shift.name,
      nodeId: best.nodeId,
      teamId: best.teamId,
      teamName: best.teamName,
      leaderId: best.leaderId,
      onCallUserId: best.onCallUserId,
      memberIds: members.map((m) => m.id),
      ...shiftSpan(best.day, shift, timezone),
    };
  }

  return {
    onDutyAt,

    // 排班 shift roster
    async getRoster(ctx: RequestContext, q: { nodeId: number; from: string; to: string }) {
      await rosterNode(db, ctx, q.nodeId, false);
      return { ...q, entries: await repo.listRoster(db, q.nodeId, q.from, q.to) };
    },
    async setRoster(ctx: RequestContext, input: In<typeof SetRosterSchema>) {
      return db.transaction(async (tx) => {
        const node = await rosterNode(tx, ctx, input.nodeId, true);
        const before: unknown[] = [];
        const after: unknown[] = [];
        let set = 0;
        let cleared = 0;
        for (const e of input.entries) {
          await rosterShift(tx, e.shiftId);
          const old = await repo.getRosterSlot(tx, node.id, e.day, e.shiftId);
          if (old) before.push(old);
          if (e.teamId === null) {
            if (old) cleared++;
            await repo.deleteRosterSlot(tx, node.id, e.day, e.shiftId);
            continue;
          }
          await rosterTeam(tx, ctx, e.teamId, node);
          if (e.onCallUserId !== null) await onCallRef(tx, ctx, e.onCallUserId);
          await repo.upsertRosterSlot(tx, { nodeId: node.id, ...e, teamId: e.teamId });
          after.push(await repo.getRosterSlot(tx, node.id, e.day, e.shiftId));
          set++;
        }
        await audit.append(tx, ctx, {
          action: 'org.roster.set',
          targetType: 'plant_node',
          targetId: node.id,
          nodeId: node.id,
          reason: input.reason,
          before,
          after,
        });
        return { set, cleared };
      });
    },
    async rotateRoster(ctx: RequestContext, input: In<typeof RotateRosterSchema>) {
      return db.transaction(async (tx) => {
        const node = await rosterNode(tx, ctx, input.nodeId, true);
        for (const id of input.shiftIds) await rosterShift(tx, id);
        const teamIds =
          input.pattern === 'rotate'
            ? input.teamIds
            : [...new Set(input.cycle.flat().filter((id): id is number => id !== null))];
        const leaders = new Map<number, number | null>();
        for (const id of teamIds) {
          const team = await rosterTeam(tx, ctx, id, node);
          let onCall: number | null = null;
          if (input.onCall === 'leader' && team.leaderId !== null) {
            // an inactive leader is simply not on call; one outside the caller's scope is refused
            const leader = await leaderRef(tx, ctx, team.leaderId);
            onCall = leader.active ? leader.id : null;
          }
          leaders.set(id, onCall);
        }
        const to = addDays(input.from, input.days - 1);
        const removed = await repo.clearRosterRange(tx, node.id, input.from, to);
        const slots = rotationEntries(input).map((e) => ({
          ...e,
          onCallUserId: leaders.get(e.teamId) ?? null,
        }));
        await repo.insertRosterSlots(tx, node.id, slots);
        const { reason, nodeId: _n, ...plan } = input;
        await audit.append(tx, ctx, {
          action: 'org.roster.rotate',
          targetType: 'plant_node',
          targetId: node.id,
          nodeId: node.id,
          reason,
          before: { from: input.from, to, entries: removed },
          after: { ...plan, to, entries: slots.length },
        });
        return { nodeId: node.id, from: input.from, to, written: slots.length };
      });
    },
    /** "Who is on duty" for a node the caller may read; phone numbers only for those who may read people there. */
    async onDuty(
      ctx: RequestContext,
      q: { nodeId: number; at?: string },
    ): Promise<{ at: string; onDuty: OnDuty | null }> {
      const node = await rosterNode(db, ctx, q.nodeId, false);
      const at = q.at ? new Date(q.at) : clock.now();
      const found = await onDutyAt(node.path, at);
      if (!found) return { at: at.toISOString(), onDuty: null };
      const withPhone = guard.can(ctx, 'user.read', node.path);
      const ids = [found.leaderId, found.onCallUserId].filter((id): id is number => id !== null);
      const people = new Map((await repo.peopleByIds(db, ids)).map((p) => [p.id, p]));
      const members = await repo.activeTeamMembers(db, found.teamId);
      const person = (p: { id: number; display_name: string; phone: string | null } | undefined) =>
        p ? { id: p.id, displayName: p.display_name, phone: withPhone ? p.phone : null } : null;
      return {
        at: at.toISOString(),
        onDuty: {
          day: found.day,
          shiftId: found.shiftId,
          shiftName: found.shiftName,
          startsAt: found.startsAt.toISOString(),
          endsAt: found.endsAt.toISOString(),
          nodeId: found.nodeId,
          teamId: found.teamId,
          teamName: found.teamName,
          leader: person(found.leaderId === null ? undefined : people.get(found.leaderId)),
          onCall: person(found.onCallUserId === null ? undefined : people.get(found.onCallUserId)),
          members: members.map((m) => person(m)!),
        },
      };
    },

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
        await removeOrExplain(() => repo.deleteShift(tx, id), 'shift');
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
