import {
  CreateTagSchema as CreateTagInput,
  type CreateTagSchema,
  compressionProblem,
  type TagImportSchema,
  type TagListQuerySchema,
  type TagSource,
  type UpdateTagSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { conflict, invalid } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import { deleteTagAlarms } from '../alarms/index.js';
import type { AuditService } from '../audit/service.js';
import { getPlantNode, getPlantNodesByCode } from '../plant/index.js';
import { removeTag as removeTagValues } from '../timeseries/index.js';
import type { Directory } from './directory.js';
import type { StoredTag, TagFields } from './repo.js';
import * as repo from './repo.js';
import { parseCsv, parseXlsx, recordsOf, rowToInput, tagToRow, toCsv, toXlsx } from './tabular.js';

export type TagService = ReturnType<typeof createTagService>;

type CreateTagOutput = z.output<typeof CreateTagSchema>;
/** A new tag as the service takes it: compression may be left out (none) by callers in code. */
export type NewTag = Omit<CreateTagOutput, 'storageCompression' | 'storageDeviation'> &
  Partial<Pick<CreateTagOutput, 'storageCompression' | 'storageDeviation'>>;

const fieldsOf = (t: StoredTag): TagFields => ({
  equipmentId: t.equipmentId,
  code: t.code,
  nameZh: t.nameZh,
  nameEn: t.nameEn,
  unit: t.unit,
  type: t.type,
  engLow: t.engLow,
  engHigh: t.engHigh,
  states: t.states,
  source: t.source,
  storageDeadband: t.storageDeadband,
  storageHeartbeatMs: t.storageHeartbeatMs,
  storageCompression: t.storageCompression,
  storageDeviation: t.storageDeviation,
  path: t.path,
});

/** JSON with object keys sorted: jsonb returns keys in its own order. */
const canonical = (v: unknown): string =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : JSON.stringify(v);

const sameSource = (a: TagSource | null, b: TagSource) => a !== null && canonical(a) === canonical(b);

const sameFields = (a: TagFields, b: TagFields) =>
  canonical({ ...a, path: '' }) === canonical({ ...b, path: '' });

export function createTagService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  directory: Directory;
}) {
  const { db, audit, guard, clock, directory } = deps;

  /** The equipment a tag may hang on: it must exist, be equipment, and be in the actor's tag.manage scope. */
  async function equipmentFor(tx: Db, ctx: RequestContext, equipmentId: number) {
    const node = await getPlantNode(tx, equipmentId);
    if (node && node.level !== 'equipment') {
      throw invalid(`Tags belong to equipment; node ${equipmentId} is a ${node.level}`, [
        { path: 'equipmentId', message: 'not equipment' },
      ]);
    }
    return guard.require(tx, ctx, 'tag.manage', node, 'equipment', equipmentId);
  }

  /**
   * A device source (MQTT topic, Sparkplug metric, OPC UA node, Modbus register) is wiring of the
   * enterprise-wide connectors: binding one needs connector.manage everywhere, so a workshop lead
   * cannot point a tag of their workshop at another workshop's device and read its values. They
   * keep editing everything else of their tags, and may bind `http` (POST /api/ingest) tags.
   */
  async function requireBinding(tx: Db, ctx: RequestContext, source: TagSource, before: StoredTag | null) {
    if (source.kind === 'http' || sameSource(before?.source ?? null, source)) return;
    await guard.requireGlobal(tx, ctx, 'connector.manage', 'connector');
    const taken = await repo.boundTo(tx, source, before?.id ?? null);
    if (taken) sourceTaken(ctx, taken);
  }

  /** 409 naming the tag that has the source when the caller may see it; a neutral message otherwise. */
  function sourceTaken(ctx: RequestContext, taken: StoredTag | null): never {
    const details = [{ path: 'source', message: 'taken' }];
    if (taken && guard.can(ctx, 'tag.read', taken.path)) {
      throw conflict(
        `This source is already bound to tag ${taken.equipmentCode}.${taken.code} (id ${taken.id})`,
        details,
      );
    }
    throw conflict('This source is already bound to another tag', details);
  }

  function uniqueViolation(e: unknown, code: string): never {
    const err = e as { code?: string; constraint?: string; message?: string };
    if (
      err.code === '23505' &&
      (err.constraint === 'tag_source_unique' || /tag_source_unique/.test(err.message ?? ''))
    ) {
      // Lost a race with another binding of the same source: the winner is visible after its commit.
      throw conflict('This source is already bound to another tag', [{ path: 'source', message: 'taken' }]);
    }
    if ((e as { code?: string }).code === '23505') {
      throw conflict(`The equipment already has a tag with code ${code}`, [
        { path: 'code', message: 'taken' },
      ]);
    }
    throw e;
  }

  async function insertAudited(tx: Db, ctx: RequestContext, fields: TagFields, reason: string) {
    const id = await repo.insert(tx, fields, clock.now()).catch((e) => uniqueViolation(e, fields.code));
    const after = (await repo.get(tx, id))!;
    await audit.append(tx, ctx, {
      action: 'tag.create',
      targetType: 'tag',
      targetId: id,
      nodeId: fields.equipmentId,
      reason,
      after: repo.view(after),
    });
    return after;
  }

  async function updateAudited(
    tx: Db,
    ctx: RequestContext,
    before: StoredTag,
    fields: TagFields,
    reason: string,
  ) {
    await repo.update(tx, before.id, fields, clock.now()).catch((e) => uniqueViolation(e, fields.code));
    const after = (await repo.get(tx, before.id))!;
    await audit.append(tx, ctx, {
      action: 'tag.update',
      targetType: 'tag',
      targetId: before.id,
      nodeId: fields.equipmentId,
      reason,
      before: repo.view(before),
      after: repo.view(after),
    });
    return after;
  }

  return {
    directory,

    async list(ctx: RequestContext, q: z.output<typeof TagListQuerySchema>) {
      let nodePath: string | undefined;
      if (q.nodeId !== undefined) {
        const node = guard.readable(
          ctx,
          'tag.read',
          await getPlantNode(db, q.nodeId),
          'plant node',
          q.nodeId,
        );
        nodePath = node.path;
      }
      const res = await repo.list(db, guard.scope(ctx, 'tag.read'), { ...q, nodePath });
      return { items: res.items.map(repo.view), total: res.total };
    },

    async get(ctx: RequestContext, id: number) {
      return repo.view(guard.readable(ctx, 'tag.read', await repo.get(db, id), 'tag', id));
    },

    /** A tag for another module's access check (alarms, trends, live): null when it does not exist. */
    stored: (id: number) => repo.get(db, id),

    async create(ctx: RequestContext, input: NewTag) {
      const { reason, storageCompression = 'none', storageDeviation = null, ...rest } = input;
      const fields = { ...rest, storageCompression, storageDeviation };
      const compression = compressionProblem(fields);
      if (compression) throw invalid(compression.message, [compression]);
      const created = await db.transaction(async (tx) => {
        const equipment = await equipmentFor(tx, ctx, input.equipmentId);
        await requireBinding(tx, ctx, input.source, null);
        return insertAudited(tx, ctx, { ...fields, path: equipment.path }, reason);
      });
      await directory.reload();
      return repo.view(created);
    },

    async update(ctx: RequestContext, id: number, input: z.output<typeof UpdateTagSchema>) {
      const updated = await db.transaction(async (tx) => {
        const before = await guard.require(tx, ctx, 'tag.manage', await repo.get(tx, id), 'tag', id);
        const { reason, ...changes } = input;
        const fields: TagFields = { ...fieldsOf(before), ...changes };
        if (fields.engLow !== null && fields.engHigh !== null && fields.engLow >= fields.engHigh) {
          throw invalid('The engineering range low must be below high', [
            { path: 'engHigh', message: 'not above low' },
          ]);
        }
        // Checked on the merged fields: turning compression on, or the type away from number.
        const compression = compressionProblem(fields);
        if (compression) throw invalid(compression.message, [compression]);
        if (changes.equipmentId !== undefined && changes.equipmentId !== before.equipmentId) {
          fields.path = (await equipmentFor(tx, ctx, changes.equipmentId)).path;
        }
        if (changes.source !== undefined) await requireBinding(tx, ctx, changes.source, before);
        return updateAudited(tx, ctx, before, fields, reason);
      });
      await directory.reload();
      return repo.view(updated);
    },

    async remove(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        const before = await guard.require(tx, ctx, 'tag.manage', await repo.get(tx, id), 'tag', id);
        // The alarms module owns its rules: it refuses while a rule watches, commands or compares against the tag.
        await deleteTagAlarms(tx, id);
        await repo.remove(tx, id);
        // The time series module owns the tag's values: it drops the current value with the tag.
        await removeTagValues(tx, id);
        await audit.append(tx, ctx, {
          action: 'tag.delete',
          targetType: 'tag',
          targetId: id,
          nodeId: before.equipmentId,
          reason,
          before: repo.view(before),
        });
      });
      await directory.reload();
    },

    async export(ctx: RequestContext, format: 'csv' | 'xlsx', nodeId?: number) {
      const nodePath =
        nodeId === undefined
          ? undefined
          : guard.readable(ctx, 'tag.read', await getPlantNode(db, nodeId), 'plant node', nodeId).path;
      const { items } = await repo.list(db, guard.scope(ctx, 'tag.read'), {
        nodePath,
        limit: 1_000_000,
        offset: 0,
      });
      const rows = items.map(tagToRow);
      await audit.record(ctx, {
        action: 'tag.export',
        targetType: 'tag',
        after: { format, nodeId: nodeId ?? null, rows: rows.length },
      });
      return format === 'csv' ? Buffer.from(toCsv(rows), 'utf8') : await toXlsx(rows);
    },

    /**
     * Creates or updates tags from a spreadsheet, matched by equipment code + tag code. Every row
     * is checked first; if any row is wrong nothing is changed and every problem is reported.
     */
    async import(ctx: RequestContext, input: z.output<typeof TagImportSchema>) {
      const content = Buffer.from(input.content, 'base64');
      let table: string[][];
      try {
        table = input.format === 'csv' ? parseCsv(content.toString('utf8')) : await parseXlsx(content);
      } catch (e) {
        throw invalid(`The ${input.format.toUpperCase()} file cannot be read: ${(e as Error).message}`, [
          { path: 'content', message: 'unreadable' },
        ]);
      }
      const { rows, unknown } = recordsOf(table);
      if (unknown.length) {
        throw invalid(`Unknown columns: ${unknown.join(', ')}`, [
          { path: 'content', message: 'unknown columns' },
        ]);
      }
      if (!rows.length)
        throw invalid('The file has no data rows under its header', [{ path: 'content', message: 'empty' }]);

      const errors: Array<{ row: number; field?: string; message: string }> = [];
      let created = 0;
      let updated = 0;
      let unchanged = 0;
      const result = await db
        .transaction(async (tx) => {
          const seen = new Set<string>();
          for (const [i, row] of rows.entries()) {
            const rowNo = i + 2; // spreadsheet row number: header is row 1
            const parsed = rowToInput(row);
            if (!parsed.ok) {
              for (const p of parsed.problems) errors.push({ row: rowNo, ...p });
              continue;
            }
            const key = `${parsed.equipment}.${String(parsed.input.code)}`;
            if (seen.has(key)) {
              errors.push({
                row: rowNo,
                field: 'code',
                message: `${key} appears more than once in the file`,
              });
              continue;
            }
            seen.add(key);
            const equipment = (await getPlantNodesByCode(tx, parsed.equipment, 'equipment'))[0];
            if (!equipment || !guard.can(ctx, 'tag.manage', equipment.path)) {
              errors.push({
                row: rowNo,
                field: 'equipment',
                message: `Equipment ${parsed.equipment} not found, or outside your scope`,
              });
              continue;
            }
            const checked = CreateTagInput.safeParse({
              ...parsed.input,
              equipmentId: equipment.id,
              reason: input.reason,
            });
            if (!checked.success) {
              for (const issue of checked.error.issues) {
                errors.push({ row: rowNo, field: issue.path.join('.'), message: issue.message });
              }
              continue;
            }
            if (errors.length) continue; // keep checking rows, but stop writing
            const { reason: _reason, ...fields } = checked.data;
            const next: TagFields = { ...fields, path: equipment.path };
            const existing = await repo.getByCode(tx, equipment.id, fields.code);
            if (!sameSource(existing?.source ?? null, next.source)) {
              if (next.source.kind !== 'http' && !guard.can(ctx, 'connector.manage', null)) {
                errors.push({
                  row: rowNo,
                  field: 'source.kind',
                  message:
                    'Binding a device source needs connector.manage everywhere (connectors are enterprise-wide)',
                });
                continue;
              }
              const taken = await repo.boundTo(tx, next.source, existing?.id ?? null);
              if (taken) {
                errors.push({
                  row: rowNo,
                  field: 'source',
                  message: guard.can(ctx, 'tag.read', taken.path)
                    ? `This source is already bound to tag ${taken.equipmentCode}.${taken.code}`
                    : 'This source is already bound to another tag',
                });
                continue;
              }
            }
            const why = `import: ${input.reason}`;
            if (!existing) {
              await insertAudited(tx, ctx, next, why);
              created++;
            } else if (sameFields(fieldsOf(existing), next)) {
              unchanged++;
            } else {
              await updateAudited(tx, ctx, existing, next, why);
              updated++;
            }
          }
          if (errors.length || input.dryRun) throw new RollBack();
          return { dryRun: false, rows: rows.length, created, updated, unchanged, errors };
        })
        .catch((e) => {
          if (e instanceof RollBack) {
            return { dryRun: input.dryRun, rows: rows.length, created, updated, unchanged, errors };
          }
          throw e;
        });
      if (!result.dryRun && !result.errors.length) await directory.reload();
      if (result.errors.length) {
        // Nothing was written: report the counts as zero so nobody reads them as done.
        return { ...result, created: 0, updated: 0, unchanged: 0 };
      }
      return result;
    },
  };
}

class RollBack extends Error {}
