import { type CreateRiskUnit, CreateRiskUnitSchema } from '@aegis/shared';
import { systemContext } from '../context.js';
import type { Services } from '../services.js';

type Measure = {
  kind: 'engineering' | 'management' | 'training' | 'ppe' | 'emergency';
  description: string;
  who?: string;
  post?: string;
  cycle?: 'hour' | 'shift' | 'day' | 'week' | 'month';
};
type Event = {
  description: string;
  consequence: string;
  lec?: [number, number, number];
  matrix?: [number, number];
  measures: Measure[];
};
type Unit = {
  node: string;
  name: string;
  kind: CreateRiskUnit['kind'];
  department: 'HSE' | 'PROD';
  responsible: string;
  override?: { level: 'major' | 'significant' | 'general'; reason: string };
  events: Event[];
};

/**
 * The demo's risk register (风险分级管控清单) for the demo plant (demo-plant.ts): the chemical tank
 * farm on top (储罐区 重大), the stamping lines 较大, pumps and hydraulics 一般, gas detection 低;
 * several measures with a check cycle, from which the inspection plans are made.
 */
const UNITS: Unit[] = [
  {
    node: 'CHEM-T1',
    name: '储罐区一 甲类可燃液体储罐',
    kind: 'facility',
    department: 'PROD',
    responsible: 'chem.lead',
    events: [
      {
        description: '储罐或管线法兰泄漏，可燃蒸气遇点火源',
        consequence: '火灾、爆炸，人员伤亡',
        lec: [3, 6, 40],
        measures: [
          {
            kind: 'engineering',
            description: '液位高高联锁切断进料阀，可燃气体检测报警器投用',
            who: 'chem.lead',
            cycle: 'shift',
          },
          {
            kind: 'management',
            description: '罐区巡检：液位、温度、呼吸阀、防火堤排水阀关闭',
            post: 'INSP',
            cycle: 'shift',
          },
          { kind: 'ppe', description: '进入罐区穿防静电工作服，禁止携带火种和非防爆手机', post: 'OPR' },
          {
            kind: 'emergency',
            description: '储罐泄漏现场处置方案，每月组织一次演练',
            who: 'safety',
            cycle: 'month',
          },
        ],
      },
      {
        description: '进料时液位计失灵导致冒罐',
        consequence: '物料外溢，火灾、环境污染',
        lec: [1, 6, 40],
        measures: [
          {
            kind: 'engineering',
            description: '雷达液位计与音叉开关双重液位监测',
            who: 'maint',
            cycle: 'week',
          },
          { kind: 'training', description: '罐区操作人员年度岗位安全培训并考核', who: 'safety' },
        ],
      },
    ],
  },
  {
    node: 'CHEM',
    name: '槽车卸料作业',
    kind: 'operation',
    department: 'PROD',
    responsible: 'chem.lead',
    events: [
      {
        description: '卸料时静电积聚放电',
        consequence: '火灾、爆炸',
        lec: [3, 3, 40],
        measures: [
          { kind: 'engineering', description: '静电接地报警仪，接地不良时禁止卸车', post: 'OPR' },
          {
            kind: 'management',
            description: '卸车前检查接地、鹤管、防火帽，执行卸车作业票',
            post: 'OPR',
            cycle: 'shift',
          },
        ],
      },
    ],
  },
  {
    node: 'CHEM-T2',
    name: '储罐区二 酸碱储罐',
    kind: 'facility',
    department: 'PROD',
    responsible: 'chem.lead',
    events: [
      {
        description: '呼吸阀堵塞导致罐体负压变形',
        consequence: '罐体损坏、物料泄漏、化学灼伤',
        lec: [3, 6, 15],
        measures: [
          { kind: 'management', description: '呼吸阀、阻火器检查清理', who: 'maint', cycle: 'week' },
          { kind: 'ppe', description: '取样时佩戴防酸面罩和耐酸手套', post: 'OPR' },
        ],
      },
    ],
  },
  {
    node: 'SCR-201',
    name: '尾气洗涤塔',
    kind: 'equipment',
    department: 'HSE',
    responsible: 'safety',
    events: [
      {
        description: '洗涤液浓度不足，尾气中有毒气体超标排放',
        consequence: '人员中毒、环保超标',
        matrix: [3, 4],
        measures: [
          { kind: 'management', description: '洗涤液 pH 值检测并记录', post: 'INSP', cycle: 'shift' },
          { kind: 'emergency', description: '配备正压式空气呼吸器两套', who: 'safety', cycle: 'month' },
        ],
      },
    ],
  },
  {
    node: 'PMP-101',
    name: '输送泵',
    kind: 'equipment',
    department: 'PROD',
    responsible: 'maint',
    events: [
      {
        description: '机械密封失效泄漏',
        consequence: '物料泄漏、火灾',
        lec: [3, 6, 7],
        measures: [
          { kind: 'management', description: '检查泵密封点、振动和轴承温度', post: 'INSP', cycle: 'day' },
          { kind: 'management', description: '检修前办理检维修作业票并能量隔离', who: 'maint' },
        ],
      },
    ],
  },
  {
    node: 'STAMP-L1',
    name: '冲压一线 压力机冲压作业',
    kind: 'operation',
    department: 'PROD',
    responsible: 'stamp.lead',
    events: [
      {
        description: '送料或清理废料时手部进入模具区',
        consequence: '机械伤害（断指）',
        lec: [3, 6, 15],
        measures: [
          {
            kind: 'engineering',
            description: '光电保护装置和双手操作按钮完好有效',
            post: 'OPR',
            cycle: 'shift',
          },
          { kind: 'training', description: '压力机岗位操作规程培训，持证上岗', who: 'stamp.lead' },
          { kind: 'ppe', description: '佩戴防割手套、安全鞋', post: 'OPR' },
        ],
      },
    ],
  },
  {
    node: 'STAMP-L2',
    name: '冲压二线 压力机冲压作业',
    kind: 'operation',
    department: 'PROD',
    responsible: 'stamp.lead',
    // computed 一般; raised by the safety officer after a near miss
    override: { level: 'significant', reason: '2025年二线发生过一次夹手未遂事件，提级管控' },
    events: [
      {
        description: '换模时滑块意外下行',
        consequence: '机械伤害',
        lec: [1, 3, 40],
        measures: [
          { kind: 'engineering', description: '换模时插入安全栓并锁定电源', post: 'OPR', cycle: 'shift' },
          { kind: 'management', description: '换模作业挂牌上锁（LOTO）', who: 'stamp.team' },
        ],
      },
    ],
  },
  {
    node: 'HYD-01',
    name: '液压站',
    kind: 'equipment',
    department: 'PROD',
    responsible: 'maint',
    events: [
      {
        description: '液压油管破裂喷油',
        consequence: '高压油伤人、火灾',
        lec: [1, 6, 15],
        measures: [
          { kind: 'management', description: '检查液压管路、接头及油温油位', who: 'maint', cycle: 'week' },
          { kind: 'emergency', description: '液压站旁配置干粉灭火器', post: 'OPR', cycle: 'month' },
        ],
      },
    ],
  },
  {
    node: 'CRN-01',
    name: '行车吊装作业',
    kind: 'operation',
    department: 'PROD',
    responsible: 'stamp.lead',
    events: [
      {
        description: '钢丝绳断裂或吊具脱钩，吊物坠落',
        consequence: '物体打击，人员伤亡',
        matrix: [3, 5],
        measures: [
          {
            kind: 'management',
            description: '吊装前检查钢丝绳、吊钩防脱装置、限位器',
            who: 'stamp.team',
            cycle: 'day',
          },
          { kind: 'training', description: '起重司机和司索工持特种作业证上岗', who: 'safety' },
        ],
      },
    ],
  },
  {
    node: 'GAS-N',
    name: '北区可燃气体检测系统',
    kind: 'facility',
    department: 'HSE',
    responsible: 'inspector',
    events: [
      {
        description: '探测器零点漂移或失效，泄漏未能报警',
        consequence: '泄漏扩大',
        matrix: [2, 4],
        measures: [
          { kind: 'management', description: '气体探测器外观与指示灯巡检', post: 'INSP', cycle: 'day' },
          { kind: 'engineering', description: '探测器标定', who: 'inspector', cycle: 'month' },
        ],
      },
    ],
  },
  {
    node: 'GAS-S',
    name: '南区检测点巡检',
    kind: 'place',
    department: 'HSE',
    responsible: 'inspector',
    events: [
      {
        description: '巡检途经管廊时滑倒、磕碰',
        consequence: '轻微伤害',
        lec: [1, 3, 3],
        measures: [{ kind: 'ppe', description: '穿防滑安全鞋，佩戴安全帽', post: 'INSP' }],
      },
    ],
  },
];

const REASON = 'demo risk register seeded by aegis start --demo';

/**
 * Seeds the demo risk register. Runs after seedDemo (plant, organisation, users); a unit that
 * exists already (same node and name) is left alone, so a second start adds nothing.
 */
export async function seedDemoRisk(services: Services): Promise<void> {
  const ctx = systemContext('demo-seed');
  const nodeId = async (code: string) => (await services.plant.byCode(code))[0]?.id ?? null;
  const userId = async (username: string) => (await services.users.byUsername(username))?.id ?? null;
  const departments = await services.org.listDepartments(ctx);
  const deptId = (code: string) => departments.find((d) => d.code === code)?.id ?? null;
  const posts = await services.org.listPosts();
  const postId = (code: string | undefined) =>
    code ? (posts.find((p) => p.code === code)?.id ?? null) : null;

  for (const u of UNITS) {
    const node = await nodeId(u.node);
    if (node === null) continue; // not the demo plant
    if ((await services.risk.unitIdByName(node, u.name)) !== null) continue;
    const method = u.events[0]!.lec ? 'lec' : 'matrix';
    const events = [];
    for (const e of u.events) {
      const measures = [];
      for (const m of e.measures)
        measures.push({
          kind: m.kind,
          description: m.description,
          responsibleUserId: m.who ? await userId(m.who) : null,
          postId: postId(m.post),
          cycle: m.cycle ?? null,
        });
      events.push({
        description: e.description,
        consequence: e.consequence,
        score: e.lec
          ? { method: 'lec' as const, l: e.lec[0], e: e.lec[1], c: e.lec[2] }
          : { method: 'matrix' as const, likelihood: e.matrix![0], severity: e.matrix![1] },
        measures,
      });
    }
    const input = CreateRiskUnitSchema.parse({
      nodeId: node,
      name: u.name,
      kind: u.kind,
      method,
      departmentId: deptId(u.department),
      responsibleUserId: await userId(u.responsible),
      overrideLevel: u.override?.level ?? null,
      overrideReason: u.override ? `${u.override.reason}（${REASON}）` : null,
      events,
    });
    await services.risk.create(ctx, input);
  }
}
