import type { RequestContext } from '../context.js';
import { systemContext } from '../context.js';
import type { Services } from '../services.js';
import { DEMO_PASSWORD } from './demo.js';

const SOP_CODE = 'SOP-PMP-101';

/**
 * The demo's operating procedure and lockout on the transfer pump PMP-101 (化工车间): the start-up
 * procedure (操作规程) with one finished run and one run held at an out-of-limits vibration reading,
 * and an active lockout (上锁挂牌) for the mechanical-seal replacement of the hazard demo: the MCC
 * switch (electrical, command tag RUN_CMD, safe value false) and the inlet valve (pressure), each
 * locked by one person and verified by another — so a start command to the pump is refused.
 * Seeded once (the procedure's code).
 */
export async function seedDemoSop(services: Services): Promise<void> {
  const sys = systemContext('demo-seed');
  const { sop, plant, directory, users, access } = services;
  if ((await sop.listProcedures(sys, { q: SOP_CODE })).length) return;
  const pump = (await plant.byCode('PMP-101', 'equipment'))[0];
  if (!pump) return; // not the demo plant
  const as = async (username: string): Promise<RequestContext | null> => {
    const u = await users.byUsername(username);
    const actor = u ? await access.loadActor(u.id) : null;
    return actor ? { actor, requestId: null, ip: null } : null;
  };
  const maint = await as('maint');
  const lead = await as('chem.lead');
  if (!maint || !lead) return;
  const tag = (code: string) => directory.byRef(`PMP-101.${code}`)?.id ?? null;

  const procedure = await sop.createProcedure(sys, {
    equipmentId: pump.id,
    code: SOP_CODE,
    name: '输送泵 PMP-101 启动操作规程',
    description: '适用于化工车间 T1 罐区输送泵的正常启动。启动前确认设备无上锁挂牌。',
    reason: '操作规程首版发布',
    steps: [
      {
        title: '确认泵体无泄漏、地脚螺栓紧固',
        instructions: '目视检查机械密封、法兰及泵体，地面无积液；检查地脚螺栓。',
        kind: 'confirm',
        requiresPrevious: true,
      },
      {
        title: '打开进口阀，关闭出口阀',
        instructions: '进口阀全开，出口阀关闭，防止带负荷启动。',
        kind: 'confirm',
        requiresPrevious: true,
      },
      {
        title: '盘车检查',
        instructions: '手动盘车 2～3 圈，转动灵活，无卡阻和异响。',
        kind: 'confirm',
        requiresPrevious: true,
      },
      {
        title: '测量轴承振动',
        instructions: '读取轴承振动值，超过 4.5 mm/s 不得启动，须先处理。',
        kind: 'reading',
        tagId: tag('VIB'),
        limits: { hi: 4.5, unit: 'mm/s' },
        requiresPrevious: true,
      },
      {
        title: '启动电机，缓慢打开出口阀',
        instructions: '中控确认后启动，待电流稳定再缓慢打开出口阀。',
        kind: 'confirm',
        requiresPrevious: true,
      },
      {
        title: '检查出口压力',
        instructions: '出口压力应在 0.3～1.0 MPa 之间。',
        kind: 'reading',
        tagId: tag('DISCH_PRESS'),
        limits: { lo: 0.3, hi: 1.0, unit: 'MPa' },
        requiresPrevious: true,
      },
    ],
  });

  // a run done step by step, the vibration read too high once and rectified
  const done = await sop.startRun(maint, procedure.id);
  for (const i of [1, 2, 3])
    await sop.completeStep(maint, done.id, i, { note: '', photoIds: [], value: undefined });
  await sop.completeStep(maint, done.id, 4, { value: 5.2, note: '', photoIds: [] });
  await sop.rectifyStep(lead, done.id, 4, { note: '重新紧固电机地脚螺栓，复测合格', value: 2.8 });
  await sop.completeStep(maint, done.id, 5, { note: '', photoIds: [] });
  await sop.completeStep(maint, done.id, 6, { value: 0.62, note: '', photoIds: [] });
  await sop.finishRun(maint, done.id);

  // a run held at the vibration reading: the start waits for the rectification
  const held = await sop.startRun(lead, procedure.id);
  for (const i of [1, 2, 3]) await sop.completeStep(lead, held.id, i, { note: '', photoIds: [] });
  await sop.completeStep(lead, held.id, 4, { value: 6.3, note: '振动偏大，通知维修', photoIds: [] });

  // the lockout for the mechanical seal: locked and verified by two people
  const runCmd = tag('RUN_CMD');
  const lockout = await sop.createLockout(maint, {
    equipmentId: pump.id,
    reason: '更换机械密封（隐患：输送泵机械密封渗漏）',
    points: [
      { name: 'MCC 开关 P-101', kind: 'electrical', commandTagId: runCmd, safeValue: runCmd ? false : null },
      { name: '进口阀 V-101', kind: 'pressure', commandTagId: null, safeValue: null },
    ],
  });
  const [mcc, valve] = lockout.points;
  const signature = { password: DEMO_PASSWORD };
  await sop.applyLock(maint, lockout.id, mcc!.id, { lockNo: 'L-017', tagNo: 'T-017', signature });
  await sop.verifyLock(lead, lockout.id, mcc!.id, { note: '按启动按钮，电机无反应', signature });
  await sop.applyLock(lead, lockout.id, valve!.id, { lockNo: 'L-018', tagNo: 'T-018', signature });
  await sop.verifyLock(maint, lockout.id, valve!.id, { note: '进口阀已关闭上锁，压力表归零', signature });
}
