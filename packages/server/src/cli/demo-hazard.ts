import { HAZARD_ACTION_BODIES, type HazardAction } from '@aegis/shared';
import sharp from 'sharp';
import type { RequestContext } from '../context.js';
import { systemContext } from '../context.js';
import { wallClock } from '../modules/org/index.js';
import type { Services } from '../services.js';

type Step = { as: string; action: HazardAction; body: Record<string, unknown>; afterPhoto?: boolean };
interface DemoHazard {
  node: string;
  as: string;
  title: string;
  description: string;
  place: string;
  steps: Step[];
}

const DAY = 24 * 3600_000;

/**
 * Open hidden dangers of the demo plant (demo-plant.ts) in every stage of the loop: one to triage,
 * one rectifying by a deadline, one overdue, a 重大 one awaiting the plant manager's approval, a
 * 重大 one approved and rectifying, and one closed with its whole history. Built from `now`.
 */
function demoHazards(now: Date): DemoHazard[] {
  const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const triage = (over: Record<string, unknown>) => ({
    grade: 'general',
    type: 'equipment',
    cause: '',
    treatment: 'deadline',
    deadline: iso(3 * DAY),
    departmentId: null,
    responsibleId: null,
    measures: '',
    funds: null,
    ...over,
  });
  return [
    {
      node: 'PRS-02',
      as: 'operator',
      title: '2号压力机安全光幕偶发失灵',
      description: '早班开机点检时发现手伸入光幕区域，滑块未立即停止，约三次中有一次不响应。',
      place: '压力机操作侧',
      steps: [],
    },
    {
      node: 'PMP-101',
      as: 'inspector',
      title: '输送泵机械密封渗漏',
      description: '泵体与电机连接处机械密封有滴漏，约每分钟 5 滴，地面有积液。',
      place: '泵房 P-101 东侧',
      steps: [
        {
          as: 'safety',
          action: 'triage',
          body: triage({
            cause: '机械密封磨损',
            measures: '更换机械密封，清理地面积液，设置围堰',
            funds: 1800,
          }),
        },
      ],
    },
    {
      node: 'HYD-01',
      as: 'operator',
      title: '液压站油管接头渗油',
      description: '液压站高压油管第二个接头处渗油，油箱液位一周内下降约 2 cm。',
      place: '液压站南侧管排',
      steps: [
        {
          as: 'safety',
          action: 'triage',
          // 已超期: the deadline passed yesterday
          body: triage({
            deadline: iso(-DAY),
            cause: '接头密封圈老化',
            measures: '更换密封圈并紧固接头',
            funds: 300,
          }),
        },
      ],
    },
    {
      node: 'TK-101',
      as: 'chem.lead',
      title: '1号储罐呼吸阀堵塞',
      description: '巡检发现 1号储罐呼吸阀阀盘被聚合物粘结，开启不灵活，存在超压风险。',
      place: '1号储罐罐顶',
      steps: [
        {
          as: 'safety',
          action: 'triage',
          body: triage({
            grade: 'major',
            deadline: iso(7 * DAY),
            cause: '物料聚合物在阀盘沉积，检修周期过长',
            measures: '倒罐后停用，更换呼吸阀并加装阻火器；检修期间加强液位与压力监控',
            funds: 45000,
          }),
        },
      ],
    },
    {
      node: 'SCR-201',
      as: 'safety',
      title: '尾气洗涤塔循环泵无备用',
      description: '洗涤塔循环泵单台运行，故障时尾气直排，不满足设计要求。',
      place: '洗涤塔平台',
      steps: [
        {
          as: 'safety',
          action: 'triage',
          body: triage({
            grade: 'major',
            type: 'management',
            deadline: iso(14 * DAY),
            cause: '设计变更后未增设备用泵',
            measures: '增设备用循环泵并接入联锁自启',
            funds: 86000,
          }),
        },
        { as: 'manager', action: 'approve', body: { note: '同意方案，资金从安全费用列支' } },
      ],
    },
    {
      node: 'CRN-01',
      as: 'operator',
      title: '行车主钩钢丝绳断丝',
      description: '班前检查发现主钩钢丝绳一个捻距内断丝 3 根。',
      place: '冲压二线行车',
      steps: [
        {
          as: 'safety',
          action: 'triage',
          body: triage({
            deadline: iso(DAY),
            cause: '钢丝绳达到使用寿命',
            measures: '更换钢丝绳，停用期间挂牌禁用',
          }),
        },
        {
          as: 'maint',
          action: 'rectify',
          body: { description: '已更换主钩钢丝绳并做静载试验，合格', photoIds: [] },
          afterPhoto: true,
        },
        { as: 'safety', action: 'verify', body: { note: '复查合格，恢复使用' } },
      ],
    },
  ];
}

/** A JPEG of a random scene with the capture time a camera writes (plant-local wall clock). */
async function photoOf(seed: number, at: Date, timezone: string) {
  let s = seed * 7919;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const c = () => `rgb(${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)})`;
  let shapes = '';
  for (let i = 0; i < 10; i++)
    shapes += `<rect x="${rnd() * 500}" y="${rnd() * 300}" width="${40 + rnd() * 240}" height="${40 + rnd() * 180}" fill="${c()}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="100%" height="100%" fill="${c()}"/>${shapes}</svg>`;
  const w = wallClock(at, timezone);
  const hh = String(Math.floor(w.minute / 60)).padStart(2, '0');
  const mm = String(w.minute % 60).padStart(2, '0');
  return sharp(Buffer.from(svg))
    .jpeg({ quality: 85 })
    .withExif({
      IFD0: { Make: 'Aegis demo' },
      IFD2: {
        DateTimeOriginal: `${w.day.replace(/-/g, ':')} ${hh}:${mm}:${String(w.second).padStart(2, '0')}`,
      },
    })
    .toBuffer();
}

/**
 * Seeds the demo hazards. Needs seedDemo (plant, users) first; run after seedDemoRisk and
 * seedDemoInspection. Idempotent: does nothing when the demo hazards are there.
 */
export async function seedDemoHazards(services: Services): Promise<void> {
  const sys = systemContext('demo-seed');
  const now = services.clock.now();
  const list = demoHazards(now);
  const existing = await services.hazard.list(sys, { q: list[0]!.title, limit: 1, offset: 0 });
  if (existing.total > 0) return;
  const ctxs = new Map<string, RequestContext>();
  const as = async (username: string) => {
    const cached = ctxs.get(username);
    if (cached) return cached;
    const u = await services.users.byUsername(username);
    const actor = u ? await services.access.loadActor(u.id) : null;
    if (!actor) return null;
    const ctx: RequestContext = { actor, requestId: null, ip: null };
    ctxs.set(username, ctx);
    return ctx;
  };
  const idOf = async (username: string) => (await services.users.byUsername(username))?.id ?? null;
  let seed = 1;
  const photo = async (ctx: RequestContext, hazardId: number) =>
    (
      await services.evidence.upload(ctx, {
        ownerKind: 'hazard',
        ownerId: hazardId,
        bytes: await photoOf(seed++, services.clock.now(), services.config.timezone),
        fileName: `demo-${seed}.jpg`,
      })
    ).photo.id;

  for (const d of list) {
    const node = (await services.plant.byCode(d.node, 'equipment'))[0];
    const reporter = await as(d.as);
    if (!node || !reporter) continue; // not the demo plant
    const h = await services.hazard.create(reporter, {
      nodeId: node.id,
      title: d.title,
      description: d.description,
      place: d.place,
      source: 'adhoc',
      photoIds: [],
    });
    await photo(reporter, h.id);
    for (const step of d.steps) {
      const ctx = await as(step.as);
      if (!ctx) break;
      let body: Record<string, unknown> = { ...step.body };
      if (step.action === 'triage' && body.treatment === 'deadline') body.responsibleId = await idOf('maint');
      if (step.afterPhoto) body.photoIds = [await photo(ctx, h.id)];
      body = HAZARD_ACTION_BODIES[step.action].parse(body) as Record<string, unknown>;
      await services.hazard.act(ctx, h.id, step.action, body as never, { allowPastDeadline: true });
    }
  }
}
