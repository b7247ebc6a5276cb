import type { EmergencyPlanStep } from '@aegis/shared';
import sharp from 'sharp';
import { type RequestContext, systemContext } from '../context.js';
import { wallClock } from '../modules/org/index.js';
import type { Services } from '../services.js';

const PLAN_CODE = 'YA-GAS-01';
const REASON = 'demo emergency plan seeded by aegis start --demo';

/** 液氨/硫化氢泄漏: the steps of the demo plan, and the minute of the drill at which each was checked off and by whom. */
const STEPS: (EmergencyPlanStep & { drill: { at: number; by: string; note: string } })[] = [
  {
    title: '发现报警，立即上报',
    instructions: '确认报警探头位号与浓度，立即电话报告班长和安环部，启动本预案。',
    assignee: { type: 'shift_leader' },
    timeLimitMin: 2,
    requiresPhoto: false,
    drill: { at: 1.5, by: 'inspector', note: 'GD-203 硫化氢 HH 报警，已报告李安环' },
  },
  {
    title: '现场确认泄漏点与浓度',
    instructions: '携带便携式四合一检测仪从上风向接近，确认泄漏部位与扩散方向。',
    assignee: { type: 'role', roleCode: 'inspector' },
    timeLimitMin: 5,
    requiresPhoto: false,
    drill: { at: 6, by: 'inspector', note: '北区 3 号探头附近法兰处泄漏，上风向 15 m 处读数 12 ppm' },
  },
  {
    title: '切断气源，启动紧急切断联锁',
    instructions: '关闭上游紧急切断阀，确认联锁动作；无法远程切断时就地关闭手阀。',
    assignee: { type: 'role', roleCode: 'maintenance' },
    timeLimitMin: 5,
    requiresPhoto: false,
    drill: { at: 14, by: 'maint', note: '远程切断阀未动作，就地关闭手阀，耗时较长' },
  },
  {
    title: '疏散警戒，设置隔离区',
    instructions: '按风向疏散无关人员至集合点，拉设警戒线（半径不小于 50 m），清点人数。',
    assignee: { type: 'shift_team' },
    timeLimitMin: 10,
    requiresPhoto: false,
    drill: { at: 21, by: 'inspector', note: '疏散 12 人，集合点清点无缺' },
  },
  {
    title: '佩戴正压式空气呼吸器',
    instructions: '处置人员两人一组佩戴空呼，互检气密性与气瓶压力（≥ 25 MPa），拍照留证。',
    assignee: { type: 'role', roleCode: 'maintenance' },
    timeLimitMin: 5,
    requiresPhoto: true,
    drill: { at: 27.5, by: 'maint', note: '两人一组，气瓶压力 28 MPa' },
  },
  {
    title: '堵漏处置',
    instructions: '使用堵漏工具包对泄漏法兰进行带压堵漏，禁止使用铁质工具。',
    assignee: { type: 'role', roleCode: 'maintenance' },
    timeLimitMin: 20,
    requiresPhoto: false,
    drill: { at: 45, by: 'maint', note: '法兰夹具堵漏完成' },
  },
  {
    title: '检测确认浓度低于报警值',
    instructions: '在泄漏点及下风向多点检测，连续 10 分钟低于一级报警值方可确认。',
    assignee: { type: 'role', roleCode: 'inspector' },
    timeLimitMin: 10,
    requiresPhoto: false,
    drill: { at: 58, by: 'inspector', note: '5 个点位均 < 1 ppm' },
  },
  {
    title: '恢复生产，解除警戒',
    instructions: '安环专员确认后解除警戒，通知恢复生产，填写事件记录。',
    assignee: { type: 'role', roleCode: 'safety_officer' },
    timeLimitMin: 10,
    requiresPhoto: false,
    drill: { at: 66, by: 'safety', note: '解除警戒，恢复生产' },
  },
];

/** A JPEG like a phone takes, with the capture time of now in the plant's wall clock. */
async function photoOf(at: Date, timezone: string) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="100%" height="100%" fill="rgb(40,70,110)"/><rect x="180" y="90" width="220" height="300" rx="30" fill="rgb(230,200,40)"/><circle cx="290" cy="180" r="60" fill="rgb(20,20,20)"/></svg>`;
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
 * The demo's emergency plan (液氨/硫化氢泄漏应急处置预案) at the gas-detection workshop, started by
 * critical or high alarms of the north zone's detectors; a notification policy for emergencies;
 * and one finished drill three days ago with its timings (some steps late), so the drill report
 * shows figures on the first start. Idempotent: nothing happens when the plan is there.
 */
export async function seedDemoEmergency(s: Services): Promise<void> {
  const sys = systemContext('demo-seed');
  const gas = (await s.plant.byCode('GAS', 'area'))[0];
  const north = (await s.plant.byCode('GAS-N', 'line'))[0];
  const site = (await s.plant.byCode('SZ01', 'site'))[0];
  if (!gas || !north || !site) return; // not the demo plant
  if ((await s.emergency.listPlans(sys, {})).some((p) => p.code === PLAN_CODE)) return;

  const ctxs = new Map<string, RequestContext>();
  const as = async (username: string) => {
    const cached = ctxs.get(username);
    if (cached) return cached;
    const u = await s.users.byUsername(username);
    const actor = u ? await s.access.loadActor(u.id) : null;
    if (!actor) throw new Error(`demo user ${username} missing`);
    const ctx: RequestContext = { actor, requestId: null, ip: null };
    ctxs.set(username, ctx);
    return ctx;
  };

  // 应急: everyone assigned a step and the safety officers at once, the plant manager when a step runs late
  const roles = await s.access.listRoles(sys);
  const roleId = (code: string) => roles.find((r) => r.code === code)!.id;
  const channels = await s.notify.listChannels(sys);
  const inapp = channels.find((c) => c.code === 'app');
  const mail = channels.find((c) => c.code === 'demo-mail');
  if (inapp) {
    const both = [inapp.id, ...(mail ? [mail.id] : [])];
    await s.notify.createPolicy(sys, {
      code: 'emergency',
      name: '应急预案启动与步骤超时 Emergency activation and overdue steps',
      enabled: true,
      match: {
        kinds: ['emergency.activated', 'emergency.step_assigned'],
        priorities: [],
        nodeId: site.id,
        window: null,
      },
      levels: [
        {
          delayMinutes: 0,
          recipients: [{ type: 'assignee' }, { type: 'role', roleId: roleId('safety_officer') }],
          channelIds: both,
        },
      ],
      repeat: { count: 0, intervalMinutes: 10 },
      stopOn: ['ack', 'clear', 'shelve'],
      groupSeconds: 0,
      template: null,
      reason: REASON,
    });
    await s.notify.createPolicy(sys, {
      code: 'emergency-overdue',
      name: '应急步骤超时升级 Overdue emergency steps',
      enabled: true,
      match: { kinds: ['emergency.step_overdue'], priorities: [], nodeId: site.id, window: null },
      levels: [
        {
          delayMinutes: 0,
          recipients: [{ type: 'assignee' }, { type: 'role', roleId: roleId('safety_officer') }],
          channelIds: both,
        },
        {
          delayMinutes: 5,
          recipients: [{ type: 'role', roleId: roleId('plant_manager') }],
          channelIds: both,
        },
      ],
      repeat: { count: 0, intervalMinutes: 10 },
      stopOn: ['ack', 'clear', 'shelve'],
      groupSeconds: 0,
      template: null,
      reason: REASON,
    });
  }

  const safety = await as('safety');
  const plan = await s.emergency.createPlan(safety, {
    code: PLAN_CODE,
    name: '液氨/硫化氢泄漏应急处置预案',
    nodeId: gas.id,
    scenario: 'gas_leak',
    level: 'III',
    description:
      '适用于气体检测车间北区、南区液氨或硫化氢泄漏。北区探测器紧急/高优先级报警时自动启动；每季度演练一次。',
    contacts: [
      { name: '李安环', role: '应急总指挥（安环专员）', phone: '13800000002' },
      { name: '王厂长', role: '应急领导小组组长', phone: '13800000001' },
      { name: '园区消防站', role: '外部救援', phone: '0512-119' },
      { name: '园区医院急诊', role: '医疗救护', phone: '0512-120' },
    ],
    steps: STEPS.map(({ drill: _d, ...step }) => step),
    triggers: [{ kind: 'alarm', nodeId: north.id, minPriority: 'high', tagPattern: '', ruleId: null }],
    active: true,
    reason: REASON,
  });

  // The drill of three days ago, 09:30 plant time, checked off by the people who did each step.
  const run = await s.emergency.activate(safety, plan.id, 'drill', '第一季度液氨/硫化氢泄漏应急演练');
  const done: { seq: number; doneAt: Date | null }[] = [];
  const day = wallClock(new Date(s.clock.now().getTime() - 3 * 24 * 3600_000), s.config.timezone).day;
  const startedAt = new Date(`${day}T09:30:00+08:00`);
  for (const [i, step] of STEPS.entries()) {
    const ctx = await as(step.drill.by);
    const photoIds: number[] = [];
    if (step.requiresPhoto) {
      const up = await s.evidence.upload(ctx, {
        ownerKind: 'emergency_run',
        ownerId: run.id,
        bytes: await photoOf(s.clock.now(), s.config.timezone),
        fileName: 'demo-scba.jpg',
      });
      photoIds.push(up.photo.id);
    }
    await s.emergency.checkStep(ctx, run.id, i + 1, { note: step.drill.note, photoIds });
    done.push({ seq: i + 1, doneAt: new Date(startedAt.getTime() + step.drill.at * 60_000) });
  }
  await s.emergency.close(safety, run.id, {
    summary:
      '演练总体有效，全员 21 分钟内完成疏散。问题：远程切断阀未动作（第 3 步超时 2 分钟），空呼佩戴与复测确认略超时。整改：维修部一周内检修切断阀执行机构，每月空呼佩戴训练。',
  });
  await s.emergency.backdate(run.id, startedAt, new Date(startedAt.getTime() + 70 * 60_000), done);
}
