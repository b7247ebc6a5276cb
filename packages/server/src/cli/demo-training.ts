import type { CourseKind, HazardType, PermitType, RequirementLevel } from '@aegis/shared';
import { systemContext } from '../context.js';
import { addDays, wallClock } from '../modules/org/index.js';
import { addMonths } from '../modules/training/rules.js';
import type { Services } from '../services.js';

interface DemoCourse {
  code: string;
  nameZh: string;
  nameEn: string;
  kind: CourseKind;
  validityMonths: number | null;
  certificateRequired?: boolean;
  description: string;
  permitTypes?: PermitType[];
  hazardTypes?: HazardType[];
  sop?: string;
}

const COURSES: DemoCourse[] = [
  {
    code: 'SJ-AQ',
    nameZh: '三级安全教育',
    nameEn: 'Three-level safety induction',
    kind: 'induction',
    validityMonths: null,
    description: '厂级、车间级、班组级安全教育，新员工上岗前完成，不少于 72 学时。',
    hazardTypes: ['behavior'],
  },
  {
    code: 'TZ-DG',
    nameZh: '电工作业',
    nameEn: 'Electrical work (special operation)',
    kind: 'special_operation',
    validityMonths: 36,
    certificateRequired: true,
    description: '特种作业操作证（低压电工作业），每 3 年复审。',
    permitTypes: ['temporary_power'],
  },
  {
    code: 'TZ-HJ',
    nameZh: '焊接与热切割作业',
    nameEn: 'Welding and thermal cutting (special operation)',
    kind: 'special_operation',
    validityMonths: 36,
    certificateRequired: true,
    description: '特种作业操作证（熔化焊接与热切割作业），每 3 年复审。',
  },
  {
    code: 'TZ-GC',
    nameZh: '高处作业',
    nameEn: 'Work at height (special operation)',
    kind: 'special_operation',
    validityMonths: 36,
    certificateRequired: true,
    description: '特种作业操作证（登高架设作业）。',
    permitTypes: ['height'],
  },
  {
    code: 'TS-DH',
    nameZh: '动火作业安全',
    nameEn: 'Hot work safety',
    kind: 'hazardous_work',
    validityMonths: 12,
    description: 'GB 30871-2022 动火作业：动火分析、监护、防火措施。',
    permitTypes: ['hot_work'],
  },
  {
    code: 'TS-SX',
    nameZh: '受限空间作业',
    nameEn: 'Confined space entry',
    kind: 'hazardous_work',
    validityMonths: 12,
    description: 'GB 30871-2022 受限空间作业：隔离、置换、通风、气体检测、监护与救援。',
    permitTypes: ['confined_space'],
  },
  {
    code: 'GW-PMP',
    nameZh: '输送泵岗位操作规程',
    nameEn: 'Transfer pump operating procedure',
    kind: 'post_procedure',
    validityMonths: 12,
    description: '输送泵 PMP-101 启动、停车及异常处置操作规程。',
    sop: 'SOP-PMP-101',
  },
  {
    code: 'XJ-GF',
    nameZh: '巡回检查规范',
    nameEn: 'Inspection rounds',
    kind: 'inspection',
    validityMonths: 12,
    description: '巡检路线、扫码签到、异常上报与隐患随手拍。',
  },
  {
    code: 'YJ-YL',
    nameZh: '应急演练',
    nameEn: 'Emergency drill',
    kind: 'emergency_drill',
    validityMonths: 12,
    description: '气体泄漏、火灾应急预案的年度演练。',
  },
];

const MATRIX: Record<string, Array<[string, RequirementLevel]>> = {
  OPR: [
    ['SJ-AQ', 'required'],
    ['GW-PMP', 'required'],
    ['YJ-YL', 'required'],
    ['TS-DH', 'recommended'],
  ],
  INSP: [
    ['SJ-AQ', 'required'],
    ['XJ-GF', 'required'],
    ['YJ-YL', 'required'],
    ['TS-SX', 'recommended'],
  ],
  MAINT: [
    ['SJ-AQ', 'required'],
    ['TZ-DG', 'required'],
    ['TZ-HJ', 'required'],
    ['TS-DH', 'required'],
    ['TS-SX', 'required'],
    ['TZ-GC', 'recommended'],
  ],
  TL: [
    ['SJ-AQ', 'required'],
    ['GW-PMP', 'required'],
    ['YJ-YL', 'required'],
  ],
  WL: [
    ['SJ-AQ', 'required'],
    ['YJ-YL', 'required'],
  ],
  HSE: [
    ['SJ-AQ', 'required'],
    ['TS-DH', 'required'],
    ['TS-SX', 'required'],
    ['YJ-YL', 'required'],
  ],
};

/**
 * Records per person: course, and the days until expiry today (negative: expired) or `null`
 * for a course that never expires (completed long ago). A few expire within 30 days, one has
 * expired, one required course is missing (吴维修: 受限空间作业), so the matrix and the needs
 * show something on first start.
 */
const RECORDS: Record<string, Array<[string, number | null]>> = {
  operator: [
    ['SJ-AQ', null],
    ['GW-PMP', 12],
    ['YJ-YL', 140],
  ],
  inspector: [
    ['SJ-AQ', null],
    ['XJ-GF', -18],
    ['YJ-YL', 200],
  ],
  maint: [
    ['SJ-AQ', null],
    ['TZ-DG', 21],
    ['TZ-HJ', 600],
    ['TS-DH', 95],
  ],
  'stamp.team': [
    ['SJ-AQ', null],
    ['GW-PMP', 230],
    ['YJ-YL', 26],
  ],
  'stamp.lead': [
    ['SJ-AQ', null],
    ['YJ-YL', 180],
  ],
  'chem.lead': [
    ['SJ-AQ', null],
    ['YJ-YL', 170],
  ],
  safety: [
    ['SJ-AQ', null],
    ['TS-DH', 250],
    ['TS-SX', 250],
    ['YJ-YL', 300],
  ],
};

const TRAINERS: Record<string, string> = {
  'SJ-AQ': '安环部',
  'TZ-DG': '市应急管理局',
  'TZ-HJ': '市应急管理局',
  'TZ-GC': '市应急管理局',
  'TS-DH': '安环部',
  'TS-SX': '安环部',
  'GW-PMP': '化工车间',
  'XJ-GF': '设备部',
  'YJ-YL': '安环部',
};

/** Demo: courses, the matrix of the demo posts, records with some expiring and one expired. Seeded once. */
export async function seedDemoTraining(services: Services): Promise<void> {
  const sys = systemContext('demo-seed');
  const { training, org, users, sop, clock, config } = services;
  if ((await training.courses(sys)).items.length) return;
  const posts = new Map((await org.listPosts()).map((p) => [p.code, p.id]));
  if (!posts.has('OPR')) return; // not the demo plant
  const reason = '演示数据：年度培训计划';
  const sopId = (await sop.listProcedures(sys, { q: 'SOP-PMP-101' }))[0]?.id;

  const ids = new Map<string, number>();
  for (const c of COURSES) {
    const { sop: sopCode, ...rest } = c;
    const created = await training.createCourse(sys, {
      certificateRequired: false,
      permitTypes: [],
      hazardTypes: [],
      inspectionPlanIds: [],
      active: true,
      ...rest,
      sopIds: sopCode && sopId ? [sopId] : [],
      reason,
    });
    ids.set(c.code, created.id);
  }
  for (const [post, courses] of Object.entries(MATRIX)) {
    const postId = posts.get(post);
    if (!postId) continue;
    for (const [code, level] of courses)
      await training.setRequirement(sys, { postId, courseId: ids.get(code)!, level, reason });
  }

  const today = wallClock(clock.now(), config.timezone).day;
  let cert = 1;
  for (const [username, records] of Object.entries(RECORDS)) {
    const u = await users.byUsername(username);
    if (!u) continue;
    for (const [code, daysLeft] of records) {
      const course = COURSES.find((c) => c.code === code)!;
      // completed so that it expires in daysLeft days; never-expiring ones about a year ago
      const expiresOn = daysLeft === null ? null : addDays(today, daysLeft);
      const completedOn =
        expiresOn && course.validityMonths
          ? addMonths(expiresOn, -course.validityMonths)
          : addDays(today, -400);
      await training.createRecord(sys, {
        userId: Number(u.id),
        courseId: ids.get(code)!,
        status: 'completed',
        completedOn,
        expiresOn,
        plannedOn: null,
        score: 80 + ((cert * 7) % 20),
        passed: true,
        certificateNo: course.certificateRequired
          ? `T${completedOn.slice(0, 4)}${String(cert).padStart(5, '0')}`
          : '',
        trainer: TRAINERS[code] ?? '',
        note: '',
        reason,
      });
      cert++;
    }
  }
}
