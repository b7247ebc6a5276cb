import { randomUUID } from 'node:crypto';
import {
  CreateCheckpointSchema,
  CreatePlanSchema,
  CreateRouteSchema,
  CreateTemplateSchema,
  RiskMeasureListQuerySchema,
  type TemplateItemInput,
} from '@aegis/shared';
import sharp from 'sharp';
import { type RequestContext, systemContext } from '../context.js';
import type { Services } from '../services.js';

/**
 * The demo's inspections (点检/巡检) for the chemical tank farm of the demo plant: two templates
 * (储罐区日常点检, 泵房巡检 with readings bound to the pump's live tags), checkpoints with
 * coordinates, two routes, plans (every shift, daily), and today's tasks: some done (one with an
 * out-of-limit reading → a hidden danger), some due, some overdue, one missed (未检). A second
 * run adds nothing (the templates' codes are the marker).
 */

// the tank farm, near Suzhou
const ORIGIN = { lat: 31.2989, lng: 120.5853 };
const at = (dx: number, dy: number) => ({ lat: ORIGIN.lat + dy * 0.00009, lng: ORIGIN.lng + dx * 0.000105 });

const TANK_ITEMS: TemplateItemInput[] = [
  { key: 'shell', label: '罐体外观无渗漏、无变形', kind: 'pass_fail' },
  {
    key: 'vent',
    label: '呼吸阀',
    kind: 'choice',
    options: ['正常', '堵塞', '损坏'],
    abnormal: ['堵塞', '损坏'],
  },
  { key: 'dike', label: '防火堤完好、排水阀关闭', kind: 'pass_fail' },
  {
    key: 'level',
    label: '现场液位计读数',
    kind: 'numeric',
    unit: '%',
    low: 15,
    high: 85,
    lowLow: 10,
    highHigh: 90,
  },
  { key: 'grounding', label: '静电接地完好', kind: 'pass_fail' },
  { key: 'note', label: '其他情况', kind: 'text', required: false },
  { key: 'sign', label: '点检人签名', kind: 'signature' },
];

function pumpItems(tag: (ref: string) => number | null): TemplateItemInput[] {
  return [
    {
      key: 'disch_press',
      label: '出口压力',
      kind: 'numeric',
      unit: 'MPa',
      low: 0.3,
      high: 1.0,
      highHigh: 1.2,
      tagId: tag('PMP-101.DISCH_PRESS'),
      tolerance: 0.05,
    },
    {
      key: 'bearing_temp',
      label: '轴承温度',
      kind: 'numeric',
      unit: '°C',
      low: null,
      high: 80,
      highHigh: 90,
      tagId: tag('PMP-101.BEARING_TEMP'),
      tolerance: 3,
    },
    { key: 'seal', label: '机械密封无泄漏', kind: 'pass_fail' },
    {
      key: 'noise',
      label: '运转声音',
      kind: 'choice',
      options: ['正常', '轻微异响', '明显异响'],
      abnormal: ['明显异响'],
    },
    { key: 'photo', label: '泵组现场照片', kind: 'photo', required: false },
    { key: 'sign', label: '点检人签名', kind: 'signature' },
  ];
}

/** A plain JPEG standing in for a photo taken on the phone (the evidence checks flag it: no EXIF time). */
const demoPhoto = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 110, b: 130 } } })
    .jpeg({ quality: 80 })
    .toBuffer();

export async function seedDemoInspection(services: Services): Promise<void> {
  const { inspection, plant, users, directory, clock } = services;
  const ctx = systemContext('demo-seed');
  const existing = await inspection.templates.list(ctx, { active: 'all' });
  if (existing.some((t) => t.code === 'TANK-DAILY')) return;
  const node = async (code: string) => (await plant.byCode(code))[0] ?? null;
  const chem = await node('CHEM');
  const t1 = await node('CHEM-T1');
  const t2 = await node('CHEM-T2');
  const inspector = await users.byUsername('inspector');
  if (!chem || !t1 || !t2 || !inspector) return; // not the demo plant
  const tag = (ref: string) => directory.byRef(ref)?.id ?? null;

  const tankTpl = await inspection.templates.create(
    ctx,
    CreateTemplateSchema.parse({
      code: 'TANK-DAILY',
      name: '储罐区日常点检',
      description: '甲类可燃液体储罐：罐体、呼吸阀、防火堤、液位、接地',
      nodeId: chem.id,
      items: TANK_ITEMS,
    }),
  );
  const pumpTpl = await inspection.templates.create(
    ctx,
    CreateTemplateSchema.parse({
      code: 'PUMP-ROUND',
      name: '泵房巡检',
      description: '输送泵：出口压力与轴承温度与在线值对照',
      nodeId: chem.id,
      items: pumpItems(tag),
    }),
  );

  const cp = async (code: string, nodeCode: string, name: string, pos: { lat: number; lng: number }) => {
    const n = (await node(nodeCode)) ?? t1;
    return inspection.checkpoints.create(
      ctx,
      CreateCheckpointSchema.parse({ nodeId: n.id, code, name, ...pos, radiusM: 30 }),
    );
  };
  const cps = {
    tk101: await cp('CP-TK101', 'TK-101', '1号储罐 罐前', at(0, 0)),
    tk102: await cp('CP-TK102', 'TK-102', '2号储罐 罐前', at(40, 0)),
    tk103: await cp('CP-TK103', 'TK-103', '3号储罐 罐前', at(80, 0)),
    pump: await cp('CP-PMP101', 'PMP-101', '输送泵房', at(120, -20)),
    tk201: await cp('CP-TK201', 'TK-201', '4号储罐 罐前', at(0, 80)),
    tk202: await cp('CP-TK202', 'TK-202', '5号储罐 罐前', at(40, 80)),
    tk203: await cp('CP-TK203', 'TK-203', '6号储罐 罐前', at(80, 80)),
  };
  const r1 = await inspection.routes.create(
    ctx,
    CreateRouteSchema.parse({
      nodeId: chem.id,
      code: 'R-CHEM-T1',
      name: '储罐区一 巡检路线',
      checkpointIds: [cps.tk101.id, cps.tk102.id, cps.tk103.id, cps.pump.id],
    }),
  );
  const r2 = await inspection.routes.create(
    ctx,
    CreateRouteSchema.parse({
      nodeId: chem.id,
      code: 'R-CHEM-T2',
      name: '储罐区二 巡检路线',
      checkpointIds: [cps.tk201.id, cps.tk202.id, cps.tk203.id],
    }),
  );

  // 管控措施 with a check cycle on the tank areas (from the risk register demo, when present)
  const measuresOf = async (nodeId: number) => {
    const risk = services.risk as {
      measures?: (c: RequestContext, q: unknown) => Promise<Array<{ id: number }>>;
    };
    if (typeof risk.measures !== 'function') return [];
    try {
      const q = RiskMeasureListQuerySchema.parse({ nodeId: String(nodeId), withCycle: 'true' });
      return (await risk.measures(ctx, q)).slice(0, 3).map((m) => m.id);
    } catch {
      return [];
    }
  };
  const photosWork = typeof (services.evidence as { store?: unknown }).store === 'function';
  const patrol = await inspection.plans.create(
    ctx,
    CreatePlanSchema.parse({
      nodeId: chem.id,
      code: 'P-CHEM-T1-SHIFT',
      name: '储罐区一 每班巡检',
      templateId: tankTpl.id,
      routeId: r1.id,
      stops: [
        { checkpointId: cps.tk101.id },
        { checkpointId: cps.tk102.id },
        { checkpointId: cps.tk103.id },
        { checkpointId: cps.pump.id, templateId: pumpTpl.id },
      ],
      schedule: { kind: 'shift', shiftIds: [] },
      assignee: { kind: 'user', userId: inspector.id },
      window: { startOffsetMin: 0, dueAfterMin: 120, graceMin: 60, remindBeforeMin: 30 },
      requireScan: true,
      onMissingScan: 'refuse',
      requirePhotoOnAbnormal: photosWork,
      controlMeasureIds: await measuresOf(t1.id),
    }),
  );
  await inspection.plans.create(
    ctx,
    CreatePlanSchema.parse({
      nodeId: chem.id,
      code: 'P-CHEM-T2-DAILY',
      name: '储罐区二 日检',
      templateId: tankTpl.id,
      routeId: r2.id,
      schedule: { kind: 'daily', times: ['09:00'] },
      assignee: { kind: 'user', userId: inspector.id },
      window: { startOffsetMin: -30, dueAfterMin: 240, graceMin: 120, remindBeforeMin: 60 },
      requireScan: true,
      onMissingScan: 'flag',
      requirePhotoOnAbnormal: false,
      controlMeasureIds: await measuresOf(t2.id),
    }),
  );

  // Today's extra rounds of the patrol, placed around now: one missed, one overdue, one done
  // (with an out-of-limit pump pressure → a hidden danger), one open; the generator adds the rest.
  const now = clock.now().getTime();
  const HOUR = 3_600_000;
  const round = (h: number) => new Date(Math.floor((now - h * HOUR) / 60_000) * 60_000);
  await inspection.issue(patrol.id, round(6)); // past due + grace: missed (未检)
  await inspection.issue(patrol.id, round(2.5)); // due, within grace: overdue
  const done = await inspection.issue(patrol.id, round(1)); // done below
  await inspection.issue(patrol.id, round(0.25)); // open: due soon

  const asInspector: RequestContext = {
    actor: {
      userId: inspector.id,
      username: inspector.username,
      displayName: inspector.display_name,
      kind: 'person',
      grants: [{ permission: '*', nodeId: null, path: null }],
      passwordChangeRequired: false,
    },
    requestId: null,
    ip: null,
  };
  const tokens = new Map<number, string>();
  for (const c of Object.values(cps)) tokens.set(c.id, (await inspection.checkpoints.token(ctx, c.id)).token);
  for (const [i, taskId] of done.entries()) {
    const task = await inspection.tasks.get(ctx, taskId);
    const pump = task.templateId === pumpTpl.id;
    const cpPos = task.checkpoint;
    await inspection.tasks.scan(asInspector, taskId, {
      token: tokens.get(task.checkpointId)!,
      lat: cpPos.lat,
      lng: cpPos.lng,
      accuracyM: 8,
    });
    const photos: number[] = [];
    if (pump && photosWork) {
      const bytes = await demoPhoto();
      const stored = await services.db
        .transaction((tx) =>
          services.evidence.store(tx, asInspector, {
            ownerKind: 'inspection_task',
            ownerId: taskId,
            bytes,
            fileName: 'pump.jpg',
            clientId: randomUUID(),
          }),
        )
        .catch(() => null);
      if (stored) photos.push(stored.id);
    }
    const answers: Record<
      string,
      { value: string | number | boolean | null; note?: string; photos?: number[] }
    > = pump
      ? {
          disch_press: { value: 1.12, note: '出口压力偏高，压力表指针抖动', photos },
          bearing_temp: { value: 62.5 },
          seal: { value: 'pass' },
          noise: { value: '正常' },
          sign: { value: inspector.display_name },
        }
      : {
          shell: { value: 'pass' },
          vent: { value: '正常' },
          dike: { value: 'pass' },
          level: { value: 52 + i * 7 },
          grounding: { value: 'pass' },
          sign: { value: inspector.display_name },
        };
    await inspection.tasks.submit(asInspector, taskId, {
      clientSubmissionId: randomUUID(),
      baseRevision: task.revision,
      scan: null,
      answers: Object.fromEntries(
        Object.entries(answers).map(([k, a]) => [
          k,
          { value: a.value, note: a.note ?? '', photos: a.photos ?? [] },
        ]),
      ),
      comment: '',
    });
  }
  await inspection.generate();
}
