/** The demo plant seeded by `aegis start --demo`: equipment codes match the simulator's. */
const eq = (code: string, nameZh: string, nameEn: string) => ({ code, nameZh, nameEn });
const range = (n: number, f: (i: number) => ReturnType<typeof eq>) =>
  Array.from({ length: n }, (_, i) => f(i + 1));
const pad = (i: number) => String(i).padStart(2, '0');

export const DEMO_PLANT = {
  enterprise: { code: 'AEGIS', nameZh: '安擎制造集团', nameEn: 'Aegis Manufacturing Group' },
  site: { code: 'SZ01', nameZh: '苏州工厂', nameEn: 'Suzhou Plant' },
  workshops: [
    {
      code: 'STAMP',
      nameZh: '冲压车间',
      nameEn: 'Stamping workshop',
      teams: [
        { code: 'STAMP-A', name: '冲压甲班' },
        { code: 'STAMP-B', name: '冲压乙班' },
      ],
      lines: [
        {
          code: 'STAMP-L1',
          nameZh: '冲压一线',
          nameEn: 'Stamping line 1',
          equipment: range(3, (i) => eq(`PRS-${pad(i)}`, `${i}号压力机`, `Press ${i}`)),
        },
        {
          code: 'STAMP-L2',
          nameZh: '冲压二线',
          nameEn: 'Stamping line 2',
          equipment: [
            ...range(3, (i) => eq(`PRS-${pad(i + 3)}`, `${i + 3}号压力机`, `Press ${i + 3}`)),
            eq('HYD-01', '液压站', 'Hydraulic power unit'),
            eq('CRN-01', '行车', 'Overhead crane'),
          ],
        },
      ],
    },
    {
      code: 'CHEM',
      nameZh: '化工罐区',
      nameEn: 'Chemical tank farm',
      teams: [{ code: 'CHEM-A', name: '罐区运行班' }],
      lines: [
        {
          code: 'CHEM-T1',
          nameZh: '储罐区一',
          nameEn: 'Tank area 1',
          equipment: [
            ...range(3, (i) => eq(`TK-10${i}`, `${i}号储罐`, `Tank ${100 + i}`)),
            eq('PMP-101', '输送泵', 'Transfer pump'),
          ],
        },
        {
          code: 'CHEM-T2',
          nameZh: '储罐区二',
          nameEn: 'Tank area 2',
          equipment: [
            ...range(3, (i) => eq(`TK-20${i}`, `${i + 3}号储罐`, `Tank ${200 + i}`)),
            eq('SCR-201', '尾气洗涤塔', 'Off-gas scrubber'),
          ],
        },
      ],
    },
    {
      code: 'GAS',
      nameZh: '气体检测',
      nameEn: 'Gas detection',
      teams: [{ code: 'GAS-A', name: '安全巡检班' }],
      lines: [
        {
          code: 'GAS-N',
          nameZh: '北区检测点',
          nameEn: 'North detection zone',
          equipment: range(5, (i) => eq(`GD-20${i}`, `${i}号气体探测器`, `Gas detector ${200 + i}`)),
        },
        {
          code: 'GAS-S',
          nameZh: '南区检测点',
          nameEn: 'South detection zone',
          equipment: range(5, (i) =>
            eq(`GD-2${pad(i + 5)}`, `${i + 5}号气体探测器`, `Gas detector ${205 + i}`),
          ),
        },
      ],
    },
  ],
  posts: [
    { code: 'OPR', name: '操作工' },
    { code: 'INSP', name: '点检员' },
    { code: 'MAINT', name: '维修工' },
    { code: 'TL', name: '班组长' },
    { code: 'WL', name: '车间主任' },
    { code: 'HSE', name: '安环专员' },
    { code: 'MGR', name: '厂长' },
  ],
  shifts: [
    { code: 'DAY', name: '白班', startTime: '08:00', endTime: '16:00' },
    { code: 'SWING', name: '中班', startTime: '16:00', endTime: '00:00' },
    { code: 'NIGHT', name: '夜班', startTime: '00:00', endTime: '08:00' },
  ],
  /** One user for every built-in role; scope: where the role holds. */
  users: [
    {
      username: 'manager',
      name: '王厂长',
      role: 'plant_manager',
      scope: 'global',
      workshop: null,
      team: null,
      post: 'MGR',
      employeeNo: 'E0001',
      phone: '13800000001',
    },
    {
      username: 'safety',
      name: '李安环',
      role: 'safety_officer',
      scope: 'global',
      workshop: null,
      team: null,
      post: 'HSE',
      employeeNo: 'E0002',
      phone: '13800000002',
    },
    {
      username: 'stamp.lead',
      name: '张主任',
      role: 'workshop_lead',
      scope: 'workshop',
      workshop: 'STAMP',
      team: null,
      post: 'WL',
      employeeNo: 'E0101',
      phone: '13800000101',
    },
    {
      username: 'chem.lead',
      name: '赵主任',
      role: 'workshop_lead',
      scope: 'workshop',
      workshop: 'CHEM',
      team: null,
      post: 'WL',
      employeeNo: 'E0201',
      phone: '13800000201',
    },
    {
      username: 'stamp.team',
      name: '陈班长',
      role: 'team_lead',
      scope: 'workshop',
      workshop: 'STAMP',
      team: 'STAMP-A',
      post: 'TL',
      employeeNo: 'E0102',
      phone: '13800000102',
    },
    {
      username: 'operator',
      name: '刘操作',
      role: 'operator',
      scope: 'workshop',
      workshop: 'STAMP',
      team: 'STAMP-A',
      post: 'OPR',
      employeeNo: 'E0103',
      phone: '13800000103',
    },
    {
      username: 'inspector',
      name: '周点检',
      role: 'inspector',
      scope: 'site',
      workshop: 'GAS',
      team: 'GAS-A',
      post: 'INSP',
      employeeNo: 'E0301',
      phone: '13800000301',
    },
    {
      username: 'maint',
      name: '吴维修',
      role: 'maintenance',
      scope: 'site',
      workshop: null,
      team: null,
      post: 'MAINT',
      employeeNo: 'E0401',
      phone: '13800000401',
    },
    {
      username: 'auditor',
      name: '郑审计',
      role: 'auditor',
      scope: 'global',
      workshop: null,
      team: null,
      post: 'HSE',
      employeeNo: 'E0501',
      phone: '13800000501',
    },
    {
      username: 'erp',
      name: 'ERP 接口',
      role: 'integration',
      scope: 'global',
      workshop: null,
      team: null,
      post: 'OPR',
      employeeNo: null,
      phone: null,
    },
  ] as Array<{
    username: string;
    name: string;
    role: string;
    scope: 'global' | 'site' | 'workshop';
    workshop: string | null;
    team: string | null;
    post: string;
    employeeNo: string | null;
    phone: string | null;
  }>,
};
