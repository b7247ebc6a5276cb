import { type PermitDetail, PermitDetailSchema, type Signature } from '@aegis/shared';

/** Test data for the permit PDF and archive tests: a permit's detail as GET /api/permits/:id answers it. */

let sigId = 0;
function sig(
  meaning: Signature['meaning'],
  signerId: number,
  name: string,
  username: string,
  at: string,
): Signature {
  sigId += 1;
  return {
    id: sigId,
    recordKind: 'permit',
    recordId: 7,
    meaning,
    signerId,
    printedName: name,
    username,
    signedAt: at,
    contentHash: `${sigId.toString(16).padStart(2, '0')}${'ab12cd34'.repeat(8)}`.slice(0, 64),
    authMethod: 'password',
    hasImage: false,
    status: 'valid',
  };
}

export const P = (id: number, name: string) => ({ id, name });

/** A completed 一级 hot-work permit with every step signed (as GET /api/permits/:id answers it). */
export function hotWorkPermit(): PermitDetail {
  sigId = 0;
  const signatures: Signature[] = [
    sig('apply', 11, '张建国', 'stamp.lead', '2026-03-02T00:05:00Z'),
    sig('analyze', 12, '李分析', 'inspector', '2026-03-02T00:32:00Z'),
    sig('confirm', 13, '王负责', 'chem.lead', '2026-03-02T00:40:00Z'),
    sig('brief', 14, '赵交底', 'safety2', '2026-03-02T00:45:00Z'),
    sig('brief_receive', 13, '王负责', 'chem.lead', '2026-03-02T00:47:00Z'),
    sig('watch', 15, '钱监护', 'operator', '2026-03-02T00:50:00Z'),
    sig('approve', 16, '孙车间', 'manager', '2026-03-02T00:55:00Z'),
    sig('approve', 17, '周安全', 'safety', '2026-03-02T01:00:00Z'),
    sig('check', 18, '吴班长', 'shift.lead', '2026-03-02T01:05:00Z'),
    sig('accept', 19, '郑验收', 'maint', '2026-03-02T06:00:00Z'),
  ];
  signatures[5]!.hasImage = true;
  signatures[7]!.status = 'changed_after_signing';
  const detail: PermitDetail = {
    id: 7,
    code: 'ZY-DH-20260302-001',
    type: 'hot_work',
    state: 'completed',
    requestedGrade: 'first',
    effectiveGrade: 'first',
    raiseReasons: [],
    title: 'GAS-N 燃气管线法兰焊接修复',
    nodeId: 5,
    path: '/1/2/5',
    location: '示范工厂 / 化工车间 / GAS-N 燃气区',
    area: { id: 5, name: 'GAS-N 燃气区', path: '/1/2/5' },
    validFrom: '2026-03-02T01:00:00Z',
    validTo: '2026-03-02T08:00:00Z',
    applicantUnit: '化工车间维修班',
    applicant: P(11, '张建国'),
    personInCharge: P(13, '王负责'),
    watcher: P(15, '钱监护'),
    suspension: null,
    submittedAt: '2026-03-02T00:05:00Z',
    workStartedAt: '2026-03-02T01:05:00Z',
    endedAt: '2026-03-02T06:00:00Z',
    createdAt: '2026-03-01T23:50:00Z',
    equipment: [{ id: 31, name: '燃气调压撬 GD-201' }],
    briefer: P(14, '赵交底'),
    acceptor: P(19, '郑验收'),
    analyst: P(12, '李分析'),
    workers: [
      { name: '陈焊工', userId: null, certificateNo: 'T320102198801011234' },
      { name: '林助手', userId: 21, certificateNo: 'T320102199002025678' },
    ],
    riskIdentification: ['管线残留天然气遇明火爆燃', '焊渣飞溅引燃周边可燃物', '高处坠落'],
    measures: [
      {
        code: 'HW01',
        text: '动火设备内部构件清洗干净，蒸汽吹扫或水洗、置换合格，达到动火条件',
        applies: true,
        confirmedBy: P(13, '王负责'),
        confirmedAt: '2026-03-02T00:40:00Z',
      },
      {
        code: 'HW04',
        text: '罐区内动火点同一防火堤内和防火间距内的储罐未同时进行脱水和取样作业',
        applies: false,
        confirmedBy: null,
        confirmedAt: null,
      },
      {
        code: 'HW08',
        text: '现场配备灭火器（2）台，灭火毯（1）块',
        applies: true,
        confirmedBy: P(13, '王负责'),
        confirmedAt: '2026-03-02T00:40:00Z',
      },
    ],
    windLevel: 2,
    fields: { type: 'hot_work', method: '电焊', fireWatchEquipment: '干粉灭火器 2 台' },
    gasTags: [
      {
        tagId: 201,
        gas: 'CH4',
        tagCode: 'GD-201',
        tagName: '燃气区可燃气体探测器',
        unit: '%LEL',
        value: 1,
        at: '2026-03-02T05:59:00Z',
        verdict: 'pass',
        reason: null,
      },
    ],
    analyses: [
      {
        id: 1,
        source: 'manual',
        takenAt: '2026-03-02T00:30:00Z',
        recordedAt: '2026-03-02T00:32:00Z',
        samplePoint: '法兰下方 0.5 m',
        analyst: P(12, '李分析'),
        verdict: 'pass',
        readings: [
          {
            gas: 'CH4',
            value: 4,
            unit: '%LEL',
            percentVol: 0.2,
            limitText: '≤ 0.5 %vol',
            verdict: 'pass',
            reason: { zh: '0.2 %vol ≤ 0.5 %vol', en: '0.2 %vol ≤ 0.5 %vol' },
          },
          {
            gas: 'O2',
            value: 20.8,
            unit: '%vol',
            percentVol: null,
            limitText: '19.5–21 %vol',
            verdict: 'pass',
            reason: { zh: '氧含量正常', en: 'oxygen normal' },
          },
        ],
        signatureId: 2,
      },
      {
        id: 2,
        source: 'live',
        takenAt: '2026-03-02T03:05:00Z',
        recordedAt: '2026-03-02T03:05:00Z',
        samplePoint: 'GD-201 燃气区可燃气体探测器',
        analyst: null,
        verdict: 'fail',
        readings: [
          {
            gas: 'H2S',
            value: 12,
            unit: 'mg/m3',
            percentVol: null,
            limitText: '≤ 10 mg/m3',
            verdict: 'fail',
            reason: { zh: '硫化氢 12 mg/m3 超过 10 mg/m3', en: 'H2S 12 mg/m3 above 10' },
          },
        ],
        signatureId: null,
      },
    ],
    approvals: [
      {
        order: 1,
        level: 'unit',
        addedFor: null,
        state: 'approved',
        approver: P(16, '孙车间'),
        at: '2026-03-02T00:55:00Z',
        opinion: '同意动火',
        eligible: [],
      },
      {
        order: 2,
        level: 'safety_department',
        addedFor: null,
        state: 'approved',
        approver: P(17, '周安全'),
        at: '2026-03-02T01:00:00Z',
        opinion: '',
        eligible: [],
      },
    ],
    conflicts: [],
    signatures,
    history: [
      {
        id: 1,
        action: 'submit',
        fromState: 'draft',
        toState: 'awaiting_analysis',
        actor: P(11, '张建国'),
        at: '2026-03-02T00:05:00Z',
        reason: null,
        data: {},
      },
      {
        id: 2,
        action: 'expire',
        fromState: 'active',
        toState: 'completed',
        actor: { id: null, name: 'system' },
        at: '2026-03-02T06:00:00Z',
        reason: '完工',
        data: {},
      },
    ],
    links: {
      supersedes: null,
      supersededBy: null,
      linked: [{ id: 9, code: 'ZY-SX-20260302-002', type: 'confined_space', state: 'completed' }],
    },
    rule: {
      type: 'hot_work',
      grade: 'first',
      maxValidityHours: 8,
      hardMaxValidityHours: null,
      needsGasAnalysis: true,
      analysisMaxAgeMin: 30,
      retestAfterInterruptionMin: 30,
      continuousMonitoring: false,
      liveRecordEveryMin: 120,
      approvals: ['unit', 'safety_department'],
      retentionDays: 365,
      source: 'GB 30871-2022 5.2',
    },
    cancelReason: null,
    actions: [],
    timers: [],
  };
  // the fixture is what the route's response schema lets through
  return PermitDetailSchema.parse(detail);
}
