import {
  PERMIT_MEASURE_DEFAULTS,
  type PermitAction,
  type PermitDraft,
  PermitDraftSchema,
  type PermitType,
} from '@aegis/shared';
import { type RequestContext, systemContext } from '../context.js';
import type { Services } from '../services.js';
import { DEMO_PASSWORD } from './demo.js';

const MIN = 60_000;
const REASON = 'demo work permits seeded by aegis start --demo';
const sign = { signature: { password: DEMO_PASSWORD } };

/**
 * The demo's work permits (作业票), each signed step by the demo person who would sign it: a 一级
 * hot-work permit at work in the north gas zone bound to the GD-201 gas tags, a confined-space
 * entry in the south zone waiting for its gas analysis, a 二级 lifting job waiting for the safety
 * department, a completed height permit, a cancelled excavation, a suspended height job, and a
 * road closure whose window ends two minutes after seeding (the scheduler expires it then). Plus the
 * notification policy for permit.* events (the people on the permit, in-app and e-mail).
 * Idempotent: does nothing when the demo permits are there. Needs seedDemo and seedDemoRealtime.
 */
export async function seedDemoPermits(s: Services): Promise<void> {
  const sys = systemContext('demo-seed');
  const first = await s.permit.list(sys, { q: '北区GD-201', limit: 1, offset: 0 });
  if (first.total > 0) return;
  const node = async (code: string) => (await s.plant.byCode(code))[0] ?? null;
  const user = async (name: string) => s.users.byUsername(name);
  const ctxs = new Map<string, RequestContext>();
  const as = async (username: string) => {
    const cached = ctxs.get(username);
    if (cached) return cached;
    const u = await user(username);
    const actor = u ? await s.access.loadActor(u.id) : null;
    if (!actor) throw new Error(`demo user ${username} missing`);
    const ctx: RequestContext = { actor, requestId: null, ip: null };
    ctxs.set(username, ctx);
    return ctx;
  };
  const gasArea = await node('GAS');
  const ids: Record<string, number> = {};
  for (const n of [
    'maint',
    'stamp.team',
    'stamp.lead',
    'chem.lead',
    'inspector',
    'safety',
    'manager',
    'operator',
  ]) {
    const u = await user(n);
    if (!u) return; // not the demo plant
    ids[n] = u.id;
  }
  if (!gasArea) return;
  // 气体检测区 has no workshop of its own: the tank farm's lead answers for it, the stamping team
  // lead watches there too (role assignments like an administrator would make them)
  await s.db.transaction(async (tx) => {
    const has = await tx.query(
      `SELECT 1 FROM role_assignment a JOIN role r ON r.id = a.role_id WHERE a.user_id = $1 AND r.code = 'workshop_lead' AND a.node_id = $2`,
      [ids['chem.lead']!, gasArea.id],
    );
    if (has.length) return;
    await s.access.grantDirect(tx, ids['chem.lead']!, 'workshop_lead', gasArea.id);
    await s.access.grantDirect(tx, ids['stamp.team']!, 'team_lead', gasArea.id);
    await s.audit.append(tx, sys, {
      action: 'access.grant',
      targetType: 'user',
      targetId: ids['chem.lead']!,
      reason: REASON,
      after: { grants: ['chem.lead workshop_lead @GAS', 'stamp.team team_lead @GAS'] },
    });
  });
  ctxs.clear();

  // from the clock at each use: signing every step takes a while on a busy demo start
  const at = (min: number) => new Date(s.clock.now().getTime() + min * MIN).toISOString();
  const tag = (ref: string, gas: string) => {
    const t = s.directory.byRef(ref);
    return t ? [{ tagId: t.id, gas }] : [];
  };
  const measures = (type: PermitType, n: number) =>
    PERMIT_MEASURE_DEFAULTS[type]
      .slice(0, n)
      .map((m, i) => ({ code: m.code, text: m.zh, applies: i % 4 !== 3 }));

  async function apply(username: string, body: PermitDraft) {
    return s.permit.create(await as(username), PermitDraftSchema.parse(body));
  }
  async function step(
    username: string,
    id: number,
    action: PermitAction,
    body: Record<string, unknown> = sign,
  ) {
    return s.permit.act(await as(username), id, action, body);
  }
  async function analyse(
    username: string,
    id: number,
    readings: { gas: string; value: number; unit: string }[],
  ) {
    return s.permit.recordAnalysis(await as(username), id, {
      ...sign,
      takenAt: at(-2),
      samplePoint: '作业点周围 1 m',
      readings: readings as never,
    });
  }
  /** Approves every level with the demo person holding its role at the place. */
  async function approveAll(id: number) {
    const who = {
      unit: '',
      safety_department: 'safety',
      plant_leadership: 'manager',
      chief_engineer: 'manager',
    };
    for (;;) {
      const d = await s.permit.get(sys, id);
      const pending = d.approvals.find((a) => a.state === 'pending');
      if (!pending) return d;
      const name =
        pending.level === 'unit'
          ? d.path.startsWith((await node('STAMP'))?.path ?? '-')
            ? 'stamp.lead'
            : 'chem.lead'
          : who[pending.level];
      await step(name, id, 'approve', { ...sign, opinion: '同意，按措施执行' });
    }
  }
  async function prepare(id: number, people: { pic: string; watcher: string; briefer: string }) {
    await step(people.briefer, id, 'brief');
    await step(people.pic, id, 'brief_receive');
    await step(people.watcher, id, 'watch');
    await step(people.pic, id, 'confirm_measures');
  }
  const cleanAir = [
    { gas: 'CH4', value: 0, unit: '%LEL' },
    { gas: 'O2', value: 20.9, unit: '%vol' },
    { gas: 'H2S', value: 0, unit: 'ppm' },
  ];

  // 1. 一级动火 at work in the north gas zone, bound to GD-201's live gas values
  const gd201 = await node('GD-201');
  if (gd201) {
    const hot = await apply('maint', {
      type: 'hot_work',
      grade: 'first',
      title: '北区GD-201 探测器支架补焊',
      locationId: gd201.id,
      equipmentIds: [gd201.id],
      validFrom: at(-30),
      validTo: at(6 * 60),
      applicantUnit: '设备维修班',
      personInChargeId: ids.maint!,
      workers: [
        { name: '王焊工', userId: null, certificateNo: 'T1101-2023-0456' },
        { name: '李辅工', userId: null, certificateNo: 'T1101-2022-0871' },
      ],
      analystId: ids.inspector!,
      watcherId: ids['stamp.team']!,
      brieferId: ids.maint!,
      acceptorId: ids['stamp.team']!,
      riskIdentification: ['动火点周边可燃气体积聚', '火花飞溅引燃', '触电', '高温烫伤'],
      measures: measures('hot_work', 10),
      linkedPermitIds: [],
      windLevel: 2,
      gasTags: [...tag('GD-201.CH4_LEL', 'CH4'), ...tag('GD-201.H2S', 'H2S'), ...tag('GD-201.O2', 'O2')],
      fields: { type: 'hot_work', method: '电焊', fireWatchEquipment: '干粉灭火器 2 具，灭火毯 1 块' },
    });
    await step('maint', hot.id, 'submit', { ...sign, acceptConflicts: true });
    await analyse('inspector', hot.id, cleanAir);
    await prepare(hot.id, { pic: 'maint', watcher: 'stamp.team', briefer: 'maint' });
    await approveAll(hot.id);
    await step('safety', hot.id, 'activate');
  }

  // 2. 受限空间 entry in the south zone, waiting for its gas analysis (continuous monitoring: GD-206)
  const gd206 = await node('GD-206');
  const boundSouth = [
    ...tag('GD-206.O2', 'O2'),
    ...tag('GD-206.H2S', 'H2S'),
    ...tag('GD-206.CH4_LEL', 'CH4'),
  ];
  if (gd206 && boundSouth.length) {
    const cs = await apply('maint', {
      type: 'confined_space',
      title: '南区 6 号探测点阀门井清淤检修',
      locationId: gd206.id,
      equipmentIds: [gd206.id],
      validFrom: at(0),
      validTo: at(8 * 60),
      applicantUnit: '设备维修班',
      personInChargeId: ids.maint!,
      workers: [{ name: '张检修', userId: null, certificateNo: '' }],
      analystId: ids.inspector!,
      watcherId: ids['stamp.team']!,
      brieferId: ids.maint!,
      acceptorId: ids['stamp.team']!,
      riskIdentification: ['缺氧窒息', '硫化氢中毒', '淤泥中可燃气体'],
      measures: measures('confined_space', 10),
      linkedPermitIds: [],
      windLevel: 1,
      gasTags: boundSouth,
      fields: {
        type: 'confined_space',
        spaceName: '6 号阀门井',
        medium: '雨水、淤泥',
        oxygenEnriched: false,
        ventilation: '轴流风机强制通风',
      },
    });
    await step('maint', cs.id, 'submit', { ...sign, acceptConflicts: true });
  }

  // 3. 二级吊装 (50 t) at the overhead crane, approved by the unit, waiting for the safety department
  const crane = await node('CRN-01');
  if (crane) {
    const lift = await apply('maint', {
      type: 'lifting',
      title: '2 号液压站电机吊装更换',
      locationId: crane.id,
      equipmentIds: [crane.id],
      validFrom: at(60),
      validTo: at(60 + 3 * 60),
      applicantUnit: '设备维修班',
      personInChargeId: ids.maint!,
      workers: [{ name: '孙司索', userId: null, certificateNo: 'Q2-2021-3321' }],
      analystId: null,
      watcherId: ids['stamp.team']!,
      brieferId: ids.maint!,
      acceptorId: ids['stamp.team']!,
      riskIdentification: ['吊物坠落', '起重机倾覆', '挤压伤害'],
      measures: measures('lifting', 8),
      linkedPermitIds: [],
      windLevel: 3,
      gasTags: [],
      fields: { type: 'lifting', loadT: 50, craneType: '桥式起重机 80 t', liftingPlanRef: 'DZFA-2026-012' },
    });
    await step('maint', lift.id, 'submit');
    await step('stamp.lead', lift.id, 'approve', { ...sign, opinion: '同意' });
  }

  // 4. 高处作业 completed, 5. 高处作业 suspended by its watcher, 6. 动土 cancelled
  const press = await node('PRS-04');
  const press5 = await node('PRS-05');
  const height = (title: string, location: number, from: number, heightM: number): PermitDraft => ({
    type: 'height',
    title,
    locationId: location,
    equipmentIds: [location],
    validFrom: at(from),
    validTo: at(from + 10 * 60),
    applicantUnit: '设备维修班',
    personInChargeId: ids.maint!,
    workers: [{ name: '赵高工', userId: null, certificateNo: 'G-2020-7788' }],
    analystId: null,
    watcherId: ids['stamp.team']!,
    brieferId: ids.maint!,
    acceptorId: ids['stamp.team']!,
    riskIdentification: ['高处坠落', '物体打击'],
    measures: measures('height', 8),
    linkedPermitIds: [],
    windLevel: 2,
    gasTags: [],
    fields: { type: 'height', heightM, fallProtection: '全身式安全带，挂点在上方钢梁' },
  });
  if (press) {
    const done = await apply('maint', height('4 号压力机顶部润滑管路更换', press.id, -8 * 60, 6));
    await step('maint', done.id, 'submit');
    await prepare(done.id, { pic: 'maint', watcher: 'stamp.team', briefer: 'maint' });
    await approveAll(done.id);
    await step('stamp.lead', done.id, 'activate');
    await step('stamp.team', done.id, 'complete', { ...sign, remark: '作业完毕，现场已清理' });

    const dig = await apply('maint', {
      ...height('车间东侧电缆沟开挖', press.id, 24 * 60, 2),
      type: 'excavation',
      measures: measures('excavation', 6),
      fields: { type: 'excavation', areaM2: 12, depthM: 1.2, undergroundFacilities: '动力电缆一根，已标识' },
      workers: [{ name: '钱挖工', userId: null, certificateNo: '' }],
    });
    await step('maint', dig.id, 'submit');
    await step('maint', dig.id, 'cancel', { reason: '施工方案调整，改期另行申请' });
  }
  if (press5) {
    const paused = await apply('maint', height('5 号压力机顶部防护罩检修', press5.id, -60, 3));
    await step('maint', paused.id, 'submit');
    await prepare(paused.id, { pic: 'maint', watcher: 'stamp.team', briefer: 'maint' });
    await approveAll(paused.id);
    await step('stamp.lead', paused.id, 'activate');
    await step('stamp.team', paused.id, 'stop', { ...sign, reason: '风力增大至五级，暂停高处作业' });
  }

  // 7. 断路 whose window ends a minute after seeding: the scheduler's expiry timer ends it
  const l2 = await node('STAMP-L2');
  if (l2) {
    const road = await apply('maint', {
      ...height('冲压二线东侧通道临时断路', l2.id, -60, 2),
      type: 'road_closure',
      // a minute after this point: the signed steps before it take a while on a slow machine
      validTo: new Date(s.clock.now().getTime() + MIN).toISOString(),
      measures: measures('road_closure', 6),
      fields: {
        type: 'road_closure',
        road: '冲压二线东侧消防通道',
        reason: '设备进场',
        detour: '经北门绕行',
      },
      workers: [{ name: '周安全', userId: null, certificateNo: '' }],
    });
    await step('maint', road.id, 'submit');
  }

  // notifications for permit.* events: the people on the permit, in-app and e-mail
  const channels = await s.notify.listChannels(sys);
  const channelIds = channels.filter((c) => c.code === 'app' || c.code === 'demo-mail').map((c) => c.id);
  if (channelIds.length)
    await s.notify.createPolicy(sys, {
      code: 'permit-flow',
      name: '作业票审批、签字、暂停与到期 Work permits',
      enabled: true,
      match: {
        kinds: [
          'permit.approval_needed',
          'permit.signature_needed',
          'permit.activated',
          'permit.suspended',
          'permit.resumed',
          'permit.expiring',
          'permit.expired',
          'permit.closed',
        ],
        priorities: [],
        nodeId: null,
        window: null,
      },
      levels: [{ delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds }],
      repeat: { count: 0, intervalMinutes: 30 },
      stopOn: ['ack', 'clear', 'shelve'],
      groupSeconds: 0,
      template: null,
      reason: REASON,
    });
}
