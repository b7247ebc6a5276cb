import type { AlarmPriority, AlarmView, Connector, PlantNode } from '@aegis/shared';
import type { RequestContext } from '../../context.js';
import { canAnywhere } from '../access/policy.js';
import type { DemoControl } from '../demo/index.js';

const PRIORITIES: AlarmPriority[] = ['critical', 'high', 'medium', 'low'];

type Counts = Record<AlarmPriority, number>;
const zero = (): Counts => ({ critical: 0, high: 0, medium: 0, low: 0 });

export interface OverviewDeps {
  plant: { list(ctx: RequestContext): Promise<PlantNode[]> };
  alarms: {
    list(ctx: RequestContext): Promise<AlarmView[]>;
    interlocks(
      ctx: RequestContext,
    ): Promise<
      Array<{ id: number; at: string; alarmKey: string; tagId: number; value: unknown; status: string }>
    >;
  };
  connectors: { list(ctx: RequestContext): Promise<Connector[]> };
  demo: DemoControl;
}

export type OverviewService = ReturnType<typeof createOverviewService>;

/**
 * The landing page: what needs attention in the caller's part of the plant. Each section is
 * only filled when the caller may read it (null otherwise), and only with records in scope.
 */
export function createOverviewService({ plant, alarms, connectors, demo }: OverviewDeps) {
  return {
    async get(ctx: RequestContext) {
      const actor = ctx.actor!;
      const nodes = canAnywhere(actor, 'plant.read') ? await plant.list(ctx) : [];
      const areaOf = new Map(nodes.map((n) => [n.id, n]));

      let alarmSection = null;
      let interlocks = null;
      if (canAnywhere(actor, 'alarm.read')) {
        const list = (await alarms.list(ctx)).filter((a) => a.active || a.ackedAt === null);
        const byArea = new Map<number | null, { counts: Counts; unacknowledged: number }>();
        const total = zero();
        for (const a of list) {
          const row = byArea.get(a.areaId) ?? { counts: zero(), unacknowledged: 0 };
          row.counts[a.priority]++;
          total[a.priority]++;
          if (a.ackedAt === null) row.unacknowledged++;
          byArea.set(a.areaId, row);
        }
        alarmSection = {
          total,
          unacknowledged: list.filter((a) => a.ackedAt === null).length,
          byArea: [...byArea.entries()]
            .map(([areaId, row]) => {
              const area = areaId === null ? undefined : areaOf.get(areaId);
              return {
                areaId,
                nameZh: area?.nameZh ?? null,
                nameEn: area?.nameEn ?? null,
                ...row,
              };
            })
            .sort((a, b) => PRIORITIES.reduce((d, p) => d || b.counts[p] - a.counts[p], 0)),
        };
        // An interlock is active while the alarm that tripped it is.
        const activeKeys = new Map(list.filter((a) => a.active).map((a) => [a.key, a]));
        const latest = new Map<string, Awaited<ReturnType<OverviewDeps['alarms']['interlocks']>>[number]>();
        for (const c of await alarms.interlocks(ctx)) {
          if (!activeKeys.has(c.alarmKey)) continue;
          const prev = latest.get(`${c.alarmKey}\u0000${c.tagId}`);
          if (!prev || prev.at < c.at) latest.set(`${c.alarmKey}\u0000${c.tagId}`, c);
        }
        interlocks = [...latest.values()].map((c) => {
          const alarm = activeKeys.get(c.alarmKey)!;
          return {
            id: c.id,
            at: c.at,
            alarmKey: c.alarmKey,
            tagId: c.tagId,
            value: c.value as string | number | boolean | null,
            status: c.status,
            equipmentId: alarm.equipmentId,
            priority: alarm.priority,
          };
        });
      }

      const connectorSection = canAnywhere(actor, 'tag.read')
        ? (await connectors.list(ctx)).map((c) => ({
            id: c.id,
            code: c.code,
            name: c.name,
            kind: c.kind,
            enabled: c.enabled,
            state: c.health.state,
            errors: c.health.errors,
            lastMessageAt: c.health.lastMessageAt,
          }))
        : null;

      // Simulated faults (demo only) on equipment the caller can see.
      let faults: Array<{
        equipmentId: number;
        code: string;
        nameZh: string;
        nameEn: string;
        fault: string;
        manual: boolean;
      }> = [];
      let sim = null;
      try {
        sim = demo.get();
      } catch {
        // no simulator in this process: no simulated faults
      }
      if (sim) {
        const equipment = new Map(nodes.filter((n) => n.level === 'equipment').map((n) => [n.code, n]));
        const manual = demo.manualFaults();
        faults = sim.active().flatMap((f) => {
          const node = equipment.get(f.code);
          return node
            ? [
                {
                  equipmentId: node.id,
                  code: node.code,
                  nameZh: node.nameZh,
                  nameEn: node.nameEn,
                  fault: f.fault,
                  manual: manual.get(f.code) === f.fault,
                },
              ]
            : [];
        });
      }
      return { alarms: alarmSection, interlocks, connectors: connectorSection, faults };
    },
  };
}
