import {
  type CreateRiskUnitSchema,
  RISK_LEVEL_WORDS,
  type RiskMeasureListQuerySchema,
  type RiskUnitListQuerySchema,
  riskRank,
  scoreRisk,
  type UpdateRiskUnitSchema,
  unitLevel,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { conflict, invalid } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import { getDepartment, getPost } from '../org/index.js';
import type { PlantService } from '../plant/index.js';
import type { UsersService } from '../users/index.js';
import { registerRows, toRegisterCsv, toRegisterXlsx } from './export.js';
import { riskMap } from './map.js';
import * as repo from './repo.js';

type In<T extends z.ZodType> = z.output<T>;
type UnitInput = In<typeof CreateRiskUnitSchema>;

/** The API shape of a unit: its plant path stays inside. */
const present = (u: repo.StoredUnit) => {
  const { path: _p, ...rest } = u;
  return rest;
};

export function createRiskService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  plant: Pick<PlantService, 'byId' | 'list'>;
  users: Pick<UsersService, 'byId' | 'present'>;
}) {
  const { db, audit, guard, clock, plant, users } = deps;

  // Every record a unit names (node, department, people, posts) is checked against the caller's
  // scope: unknown and out-of-scope answer alike (404, the denial audited).
  async function nodeFor(tx: Db, ctx: RequestContext, nodeId: number) {
    return guard.require(tx, ctx, 'risk.manage', await plant.byId(nodeId, tx), 'plant node', nodeId);
  }
  async function personRef(tx: Db, ctx: RequestContext, id: number, field: string) {
    const row = await users.byId(id, tx);
    const person = guard.readable(ctx, 'user.read', row ? users.present(row) : null, 'user', id);
    if (!person.active || person.kind !== 'person')
      throw invalid(`${person.displayName} is not an active person and cannot be responsible`, [
        { path: field, message: 'inactive' },
      ]);
  }
  /** On an edit, references the unit already held are not checked again (like org's teams and users). */
  async function checkRefs(tx: Db, ctx: RequestContext, input: UnitInput, before?: repo.StoredUnit) {
    const held = new Set<number>();
    if (before?.responsibleUserId) held.add(before.responsibleUserId);
    for (const e of before?.events ?? [])
      for (const m of e.measures) if (m.responsibleUserId !== null) held.add(m.responsibleUserId);
    if (input.departmentId !== null && input.departmentId !== before?.departmentId)
      guard.readable(
        ctx,
        'org.read',
        await getDepartment(tx, input.departmentId),
        'department',
        input.departmentId,
      );
    const people = new Map<number, string>();
    if (input.responsibleUserId !== null) people.set(input.responsibleUserId, 'responsibleUserId');
    const posts = new Set<number>();
    for (const [i, e] of input.events.entries())
      for (const [j, m] of e.measures.entries()) {
        if (m.responsibleUserId !== null && !people.has(m.responsibleUserId))
          people.set(m.responsibleUserId, `events.${i}.measures.${j}.responsibleUserId`);
        if (m.postId !== null) posts.add(m.postId);
      }
    for (const [id, field] of people) if (!held.has(id)) await personRef(tx, ctx, id, field);
    // 岗位 posts are the enterprise-wide catalogue: they must exist
    for (const id of posts)
      if (!(await getPost(tx, id)))
        throw invalid(`Post ${id} does not exist`, [{ path: 'postId', message: 'unknown post' }]);
  }

  /** Scores the events and decides the unit's level; an override must raise it, never lower it. */
  function levels(input: UnitInput) {
    const scored = input.events.map((e) => scoreRisk(e.score));
    const { computed, level } = unitLevel(
      scored.map((s) => s.level),
      input.overrideLevel,
    );
    if (input.overrideLevel !== null && riskRank(input.overrideLevel) <= riskRank(computed))
      throw invalid(
        `A level set by hand must be higher than the computed level (${RISK_LEVEL_WORDS[computed].zh} ${RISK_LEVEL_WORDS[computed].en}); clear it instead`,
        [{ path: 'overrideLevel', message: 'not higher than computed' }],
      );
    return { scored, computed, level };
  }

  /** Writes events and measures: ids that belong to the unit are updated, others added, the rest removed. */
  async function writeChildren(
    tx: Db,
    unitId: number,
    input: UnitInput,
    scored: ReturnType<typeof scoreRisk>[],
    existing: repo.StoredUnit | null,
  ) {
    const eventIds = new Set(existing?.events.map((e) => e.id) ?? []);
    const measureIds = new Set(existing?.events.flatMap((e) => e.measures.map((m) => m.id)) ?? []);
    for (const [i, e] of input.events.entries()) {
      if (e.id !== undefined && !eventIds.has(e.id))
        throw invalid(`Risk event ${e.id} belongs to another unit`, [
          { path: `events.${i}.id`, message: 'other unit' },
        ]);
      for (const [j, m] of e.measures.entries())
        if (m.id !== undefined && !measureIds.has(m.id))
          throw invalid(`Control measure ${m.id} belongs to another unit`, [
            { path: `events.${i}.measures.${j}.id`, message: 'other unit' },
          ]);
    }
    // Removed first, so an id kept elsewhere is never deleted after being written.
    const wantedEvents = input.events.flatMap((e) => (e.id === undefined ? [] : [e.id]));
    const wantedMeasures = input.events.flatMap((e) =>
      e.measures.flatMap((m) => (m.id === undefined ? [] : [m.id])),
    );
    if (existing) {
      try {
        await repo.deleteMeasuresExcept(tx, unitId, wantedMeasures);
        await repo.deleteEventsExcept(tx, unitId, wantedEvents);
      } catch (e) {
        if ((e as { code?: string }).code === '23503')
          throw conflict(
            'A control measure removed here is still used by an inspection plan; change the plan first',
          );
        throw e;
      }
    }
    for (const [i, e] of input.events.entries()) {
      const fields = {
        position: i,
        description: e.description,
        consequence: e.consequence,
        score: e.score,
        value: scored[i]!.score,
        level: scored[i]!.level,
      };
      let eventId: number;
      if (e.id !== undefined) {
        eventId = e.id;
        await repo.updateEvent(tx, eventId, fields);
      } else eventId = await repo.insertEvent(tx, unitId, fields);
      for (const [j, m] of e.measures.entries()) {
        const mf = {
          position: j,
          kind: m.kind,
          description: m.description,
          responsibleUserId: m.responsibleUserId,
          postId: m.postId,
          cycle: m.cycle,
        };
        if (m.id !== undefined) await repo.updateMeasure(tx, m.id, eventId, mf);
        else await repo.insertMeasure(tx, unitId, eventId, mf);
      }
    }
  }

  function unitFields(input: UnitInput, l: ReturnType<typeof levels>): repo.UnitFields {
    return {
      nodeId: input.nodeId,
      name: input.name,
      kind: input.kind,
      departmentId: input.departmentId,
      responsibleUserId: input.responsibleUserId,
      method: input.method,
      computedLevel: l.computed,
      overrideLevel: input.overrideLevel,
      overrideReason: input.overrideLevel === null ? null : input.overrideReason,
      level: l.level,
    };
  }

  /** Two saves of the same name at once: the unique index answers for the one that lost. */
  async function duplicateAsConflict<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if ((e as { code?: string }).code === '23505')
        throw conflict(`A risk unit named ${name} already exists at this node`, [
          { path: 'name', message: 'duplicate' },
        ]);
      throw e;
    }
  }

  async function uniqueName(tx: Db, nodeId: number, name: string, self?: number) {
    const other = await repo.findUnitByName(tx, nodeId, name);
    if (other !== null && other !== self)
      throw conflict(`A risk unit named ${name} already exists at this node`, [
        { path: 'name', message: 'duplicate' },
      ]);
  }

  async function list(ctx: RequestContext, q: In<typeof RiskUnitListQuerySchema>) {
    let subtree: string | undefined;
    if (q.nodeId !== undefined)
      subtree = guard.readable(ctx, 'risk.read', await plant.byId(q.nodeId), 'plant node', q.nodeId).path;
    const items = await repo.listUnits(db, guard.scope(ctx, 'risk.read'), {
      subtree,
      level: q.level,
      responsibleUserId: q.responsibleUserId,
      q: q.q || undefined,
    });
    return items;
  }

  return {
    async list(ctx: RequestContext, q: In<typeof RiskUnitListQuerySchema>) {
      const items = (await list(ctx, q)).map(present);
      return { items, total: items.length };
    },

    async get(ctx: RequestContext, id: number) {
      return present(guard.readable(ctx, 'risk.read', await repo.getUnit(db, id), 'risk unit', id));
    },

    async create(ctx: RequestContext, input: UnitInput) {
      return db.transaction(async (tx) => {
        const node = await nodeFor(tx, ctx, input.nodeId);
        await checkRefs(tx, ctx, input);
        const l = levels(input);
        await uniqueName(tx, node.id, input.name);
        const id = await duplicateAsConflict(input.name, () =>
          repo.insertUnit(tx, unitFields(input, l), clock.now()),
        );
        await writeChildren(tx, id, input, l.scored, null);
        const after = present((await repo.getUnit(tx, id))!);
        await audit.append(tx, ctx, {
          action: 'risk.unit.create',
          targetType: 'risk_unit',
          targetId: id,
          targetLabel: after.name,
          nodeId: node.id,
          reason: input.overrideLevel === null ? undefined : input.overrideReason,
          after,
        });
        return after;
      });
    },

    async update(ctx: RequestContext, id: number, input: In<typeof UpdateRiskUnitSchema>) {
      return db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'risk.manage',
          await repo.getUnit(tx, id),
          'risk unit',
          id,
        );
        if (input.nodeId !== before.nodeId) await nodeFor(tx, ctx, input.nodeId);
        await checkRefs(tx, ctx, input, before);
        const l = levels(input);
        await uniqueName(tx, input.nodeId, input.name, id);
        await duplicateAsConflict(input.name, () =>
          repo.updateUnit(tx, id, unitFields(input, l), clock.now()),
        );
        await writeChildren(tx, id, input, l.scored, before);
        const after = present((await repo.getUnit(tx, id))!);
        await audit.append(tx, ctx, {
          action: 'risk.unit.update',
          targetType: 'risk_unit',
          targetId: id,
          targetLabel: after.name,
          nodeId: after.nodeId,
          reason: input.reason,
          before: present(before),
          after,
        });
        return after;
      });
    },

    async remove(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        const before = await guard.require(
          tx,
          ctx,
          'risk.manage',
          await repo.getUnit(tx, id),
          'risk unit',
          id,
        );
        try {
          await repo.deleteUnit(tx, id);
        } catch (e) {
          if ((e as { code?: string }).code === '23503')
            throw conflict(
              'A control measure of this unit is still used by an inspection plan; change the plan first',
            );
          throw e;
        }
        await audit.append(tx, ctx, {
          action: 'risk.unit.delete',
          targetType: 'risk_unit',
          targetId: id,
          targetLabel: before.name,
          nodeId: before.nodeId,
          reason,
          before: present(before),
        });
      });
    },

    /** Control measures for a picker (inspection plans), in the caller's scope. */
    async measures(ctx: RequestContext, q: In<typeof RiskMeasureListQuerySchema>) {
      let subtree: string | undefined;
      if (q.nodeId !== undefined)
        subtree = guard.readable(ctx, 'risk.read', await plant.byId(q.nodeId), 'plant node', q.nodeId).path;
      const rows = await repo.listMeasures(db, guard.scope(ctx, 'risk.read'), {
        subtree,
        withCycle: q.withCycle,
      });
      return rows.map(({ path: _p, ...m }) => m);
    },

    /** 风险四色图: the readable plant nodes with their units' counts, rolled up the tree. */
    async map(ctx: RequestContext) {
      const nodes = (await plant.list(ctx)).filter((n) => guard.can(ctx, 'risk.read', n.path));
      const counts = await repo.levelCountsByNode(db, guard.scope(ctx, 'risk.read'));
      return { nodes: riskMap(nodes, counts) };
    },

    /** The register as a spreadsheet: one row per control measure (an event without measures has one row). */
    async export(ctx: RequestContext, q: In<typeof RiskUnitListQuerySchema>, format: 'xlsx' | 'csv') {
      const rows = registerRows(await list(ctx, q));
      return format === 'csv' ? Buffer.from(toRegisterCsv(rows), 'utf8') : toRegisterXlsx(rows);
    },

    /** For the demo seed: is there a unit of this name at the node already? */
    unitIdByName: (nodeId: number, name: string) => repo.findUnitByName(db, nodeId, name),
  };
}

export type RiskService = ReturnType<typeof createRiskService>;
