import { z } from 'zod';
import { ReasonSchema } from './common.js';
import { SignatureSchema, SignInputSchema } from './signature.js';
import { WorkflowTransitionSchema } from './workflow.js';

/*
 * Hazardous-work permits (特殊作业安全作业票, GB 30871-2022): 动火, 受限空间, 盲板抽堵, 高处, 吊装,
 * 临时用电, 动土, 断路. A permit is applied for (draft → submit, content frozen), gas-analysed where
 * the rules need it, approved level by level, checked on site (验票) and activated; it is suspended
 * by its watcher, a work break, a high/critical alarm in its area or a live gas value out of limits,
 * resumed with a fresh analysis, and accepted at completion (验收). Every step that the standard has
 * signed is a Part-11 electronic signature (body `signature: SignInputSchema`).
 *
 * Routes (all under /api/permits; read = permit.read, request = permit.request, approve =
 * permit.approve, analyze = permit.analyze, supervise = permit.supervise, manage = permit.manage;
 * every record and every record a request names (location, equipment, users, tags, linked permits)
 * is scoped by the plant tree):
 *   GET    /                          read     query PermitListQuerySchema     → PermitPageSchema
 *   GET    /board                     read     query PermitBoardQuerySchema    → PermitBoardSchema
 *   GET    /export.xlsx               read     query PermitListQuerySchema     → XLSX (作业票台账)
 *   GET    /rules                     read                                     → PermitRulesSchema (rules, gases, holidays)
 *   PUT    /rules/:type/:grade        manage   body UpdatePermitRuleSchema     → PermitRuleSchema (global manage; audited before/after)
 *   PUT    /gases/:code               manage   body UpsertPermitGasSchema      → PermitGasSchema
 *   POST   /holidays                  manage   body CreatePermitHolidaySchema  → PermitHolidaySchema
 *   DELETE /holidays/:date            manage   body { reason }                 → { ok: true }
 *   GET    /gas-tag-candidates        read     query GasTagCandidatesQuerySchema → GasTagCandidateSchema[]
 *   POST   /preview                   request  body PermitDraftSchema          → PermitPreviewSchema (grade, max validity,
 *                                              approval levels with eligible people, conflicts — nothing stored)
 *   POST   /                          request  body PermitDraftSchema          → PermitDetailSchema (state draft)
 *   GET    /:id                       read                                     → PermitDetailSchema
 *   PUT    /:id                       request  body PermitDraftSchema          → PermitDetailSchema (draft only, by the applicant)
 *   DELETE /:id                       request|manage body { reason }           → { ok: true } (drafts by the applicant;
 *                                              terminal permits only after retentionDays with permit.manage → 409 retention_hold)
 *   POST   /:id/submit                request  ✍apply   body SubmitPermitSchema
 *   POST   /:id/analyses              analyze  ✍analyze body RecordAnalysisSchema
 *   POST   /:id/measures/confirm      request  ✍confirm body ConfirmMeasuresSchema (person in charge or watcher)
 *   POST   /:id/brief                 request  ✍brief body PermitSignOnlySchema (the named briefer)
 *   POST   /:id/brief_receive         request  ✍brief_receive body PermitSignOnlySchema (a worker with an account,
 *                                              or the person in charge on behalf of the workers)
 *   POST   /:id/watch                 supervise ✍watch  body PermitSignOnlySchema (the named watcher)
 *   POST   /:id/approve               approve  ✍approve body ApprovePermitSchema (the current level)
 *   POST   /:id/reject                approve           body PermitReasonBodySchema → cancelled
 *   POST   /:id/activate              supervise ✍check  body PermitSignOnlySchema (验票; not the applicant)
 *   POST   /:id/stop                  supervise ✍stop   body StopPermitSchema (the watcher) → suspended (watcher_stop)
 *   POST   /:id/interrupt             request  body PermitReasonBodySchema (person in charge) → suspended (interruption)
 *   POST   /:id/resume                supervise ✍resume body PermitSignOnlySchema (the watcher)
 *   POST   /:id/complete              supervise ✍accept body CompletePermitSchema (the named acceptor) → completed
 *   POST   /:id/cancel                request  body PermitReasonBodySchema (the applicant; approvers reject) → cancelled
 *   POST   /:id/revise                request           body PermitReasonBodySchema → PermitDetailSchema of the NEW draft
 *   (every action above answers PermitDetailSchema; 409 transition_refused / permit_conflict /
 *   gas_analysis_invalid, 403 separation_of_duties / reauthentication_failed, 400 validation_failed)
 *   GET    /:id/verify                read                                     → PermitVerifySchema
 *   GET    /:id/pdf                   read                                     → application/pdf (the standard's form)
 *
 * Photos: POST /api/evidence?ownerKind=permit&ownerId=<id> (raw body).
 */

export type PermitWords = { zh: string; en: string };

// ─── Types and grades ───────────────────────────────────────────────────────────────────────────

export const PERMIT_TYPES = [
  'hot_work',
  'confined_space',
  'blind_plate',
  'height',
  'lifting',
  'temporary_power',
  'excavation',
  'road_closure',
] as const;
export const PermitTypeSchema = z.enum(PERMIT_TYPES);
export type PermitType = z.infer<typeof PermitTypeSchema>;

export const PERMIT_TYPE_LABELS: Record<PermitType, PermitWords> = {
  hot_work: { zh: '动火作业', en: 'Hot work' },
  confined_space: { zh: '受限空间作业', en: 'Confined space entry' },
  blind_plate: { zh: '盲板抽堵作业', en: 'Blind plate insertion/removal' },
  height: { zh: '高处作业', en: 'Work at height' },
  lifting: { zh: '吊装作业', en: 'Lifting' },
  temporary_power: { zh: '临时用电作业', en: 'Temporary power' },
  excavation: { zh: '动土作业', en: 'Excavation' },
  road_closure: { zh: '断路作业', en: 'Road closure' },
};
/** Title printed on the form (GB 30871 appendix), e.g. 动火安全作业票. */
export const PERMIT_FORM_TITLES: Record<PermitType, string> = {
  hot_work: '动火安全作业票',
  confined_space: '受限空间安全作业票',
  blind_plate: '盲板抽堵安全作业票',
  height: '高处安全作业票',
  lifting: '吊装安全作业票',
  temporary_power: '临时用电安全作业票',
  excavation: '动土安全作业票',
  road_closure: '断路安全作业票',
};
/** Abbreviation in the permit code ZY-<abbr>-YYYYMMDD-NNN (pinyin initials). */
export const PERMIT_TYPE_ABBREVIATIONS: Record<PermitType, string> = {
  hot_work: 'DH',
  confined_space: 'SX',
  blind_plate: 'MB',
  height: 'GC',
  lifting: 'DZ',
  temporary_power: 'LD',
  excavation: 'DT',
  road_closure: 'DL',
};

// 级别: 动火 特级/一级/二级; 高处 Ⅰ–Ⅳ级 (by height); 吊装 一/二/三级 (by load); others none
export const PERMIT_GRADES = ['special', 'first', 'second', 'third', 'I', 'II', 'III', 'IV', 'none'] as const;
export const PermitGradeSchema = z.enum(PERMIT_GRADES);
export type PermitGrade = z.infer<typeof PermitGradeSchema>;
export const PERMIT_GRADE_LABELS: Record<PermitGrade, PermitWords> = {
  special: { zh: '特级', en: 'Special' },
  first: { zh: '一级', en: 'Grade 1' },
  second: { zh: '二级', en: 'Grade 2' },
  third: { zh: '三级', en: 'Grade 3' },
  I: { zh: 'Ⅰ级', en: 'Class I' },
  II: { zh: 'Ⅱ级', en: 'Class II' },
  III: { zh: 'Ⅲ级', en: 'Class III' },
  IV: { zh: 'Ⅳ级', en: 'Class IV' },
  none: { zh: '—', en: '—' },
};
/** Grades each type can have (the rules table has one row per pair). */
export const PERMIT_TYPE_GRADES: Record<PermitType, readonly PermitGrade[]> = {
  hot_work: ['special', 'first', 'second'],
  confined_space: ['none'],
  blind_plate: ['none'],
  height: ['I', 'II', 'III', 'IV'],
  lifting: ['first', 'second', 'third'],
  temporary_power: ['none'],
  excavation: ['none'],
  road_closure: ['none'],
};

/** Why the effective grade is one step above the requested one. */
export const PERMIT_RAISE_REASONS = ['holiday', 'night', 'wind'] as const;
export const PermitRaiseReasonSchema = z.enum(PERMIT_RAISE_REASONS);
export type PermitRaiseReason = z.infer<typeof PermitRaiseReasonSchema>;
export const PERMIT_RAISE_REASON_LABELS: Record<PermitRaiseReason, PermitWords> = {
  holiday: { zh: '节假日作业', en: 'On a holiday' },
  night: { zh: '夜间作业（20:00–06:00）', en: 'At night (20:00–06:00)' },
  wind: { zh: '五级风以上', en: 'Wind force 5 or more' },
};

// ─── States and actions ─────────────────────────────────────────────────────────────────────────

export const PERMIT_STATES = [
  'draft',
  'awaiting_analysis',
  'awaiting_approval',
  'active',
  'suspended',
  'completed',
  'cancelled',
  'expired',
] as const;
export const PermitStateSchema = z.enum(PERMIT_STATES);
export type PermitState = z.infer<typeof PermitStateSchema>;
export const PERMIT_TERMINAL_STATES: readonly PermitState[] = ['completed', 'cancelled', 'expired'];
export const PERMIT_STATE_LABELS: Record<PermitState, PermitWords> = {
  draft: { zh: '草稿', en: 'Draft' },
  awaiting_analysis: { zh: '待气体分析', en: 'Awaiting gas analysis' },
  awaiting_approval: { zh: '审批中', en: 'Awaiting approval' },
  active: { zh: '作业中', en: 'Active' },
  suspended: { zh: '已暂停', en: 'Suspended' },
  completed: { zh: '已验收关闭', en: 'Completed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  expired: { zh: '已过期', en: 'Expired' },
};

/** What a person can do (the detail's `actions` lists those allowed for the caller now). */
export const PERMIT_ACTIONS = [
  'edit',
  'delete',
  'submit',
  'analyze',
  'confirm_measures',
  'brief',
  'brief_receive',
  'watch',
  'approve',
  'reject',
  'activate',
  'stop',
  'interrupt',
  'resume',
  'complete',
  'cancel',
  'revise',
] as const;
export const PermitActionSchema = z.enum(PERMIT_ACTIONS);
export type PermitAction = z.infer<typeof PermitActionSchema>;
export const PERMIT_ACTION_LABELS: Record<PermitAction, PermitWords> = {
  edit: { zh: '编辑', en: 'Edit' },
  delete: { zh: '删除', en: 'Delete' },
  submit: { zh: '提交申请', en: 'Submit' },
  analyze: { zh: '录入气体分析', en: 'Record gas analysis' },
  confirm_measures: { zh: '确认安全措施', en: 'Confirm safety measures' },
  brief: { zh: '安全交底', en: 'Give the safety briefing' },
  brief_receive: { zh: '接受交底', en: 'Receive the briefing' },
  watch: { zh: '接受监护', en: 'Take up the watch' },
  approve: { zh: '审批', en: 'Approve' },
  reject: { zh: '驳回', en: 'Reject' },
  activate: { zh: '验票并开始作业', en: 'Check on site and start' },
  stop: { zh: '停止作业', en: 'Stop the work' },
  interrupt: { zh: '作业中断', en: 'Interrupt (work break)' },
  resume: { zh: '恢复作业', en: 'Resume' },
  complete: { zh: '完工验收', en: 'Accept at completion' },
  cancel: { zh: '取消', en: 'Cancel' },
  revise: { zh: '变更（重新办票）', en: 'Revise (new permit)' },
};
/** The signature meaning each signed action asks for (SignatureDialog's `meaning`). */
export const PERMIT_ACTION_MEANINGS = {
  submit: 'apply',
  analyze: 'analyze',
  confirm_measures: 'confirm',
  brief: 'brief',
  brief_receive: 'brief_receive',
  watch: 'watch',
  approve: 'approve',
  activate: 'check',
  stop: 'stop',
  resume: 'resume',
  complete: 'accept',
} as const;

export const PERMIT_SUSPEND_CAUSES = [
  'watcher_stop',
  'interruption',
  'alarm',
  'live_gas',
  'failed_retest',
] as const;
export const PermitSuspendCauseSchema = z.enum(PERMIT_SUSPEND_CAUSES);
export type PermitSuspendCause = z.infer<typeof PermitSuspendCauseSchema>;
export const PERMIT_SUSPEND_CAUSE_LABELS: Record<PermitSuspendCause, PermitWords> = {
  watcher_stop: { zh: '监护人停止作业', en: 'Stopped by the watcher' },
  interruption: { zh: '作业中断', en: 'Work break' },
  alarm: { zh: '区域报警', en: 'Alarm in the area' },
  live_gas: { zh: '在线气体超限', en: 'Live gas value out of limits' },
  failed_retest: { zh: '复测不合格', en: 'Re-test failed' },
};

// 审批层级: 作业单位 / 安全管理部门 / 厂级领导 / 总工程师
export const PERMIT_APPROVAL_LEVELS = [
  'unit',
  'safety_department',
  'plant_leadership',
  'chief_engineer',
] as const;
export const PermitApprovalLevelSchema = z.enum(PERMIT_APPROVAL_LEVELS);
export type PermitApprovalLevel = z.infer<typeof PermitApprovalLevelSchema>;
export const PERMIT_APPROVAL_LEVEL_LABELS: Record<PermitApprovalLevel, PermitWords> = {
  unit: { zh: '所在单位审批', en: 'Unit' },
  safety_department: { zh: '安全管理部门审批', en: 'Safety department' },
  plant_leadership: { zh: '厂级领导审批', en: 'Plant leadership' },
  chief_engineer: { zh: '总工程师审批', en: 'Chief engineer' },
};
/** The built-in role whose holders (with permit.approve at the permit's location) approve a level. */
export const PERMIT_APPROVAL_LEVEL_ROLES: Record<PermitApprovalLevel, string> = {
  unit: 'workshop_lead',
  safety_department: 'safety_officer',
  plant_leadership: 'plant_manager',
  chief_engineer: 'chief_engineer',
};

// ─── Gases and analyses ─────────────────────────────────────────────────────────────────────────

export const PERMIT_GAS_KINDS = ['flammable', 'oxygen', 'toxic'] as const;
export const PermitGasKindSchema = z.enum(PERMIT_GAS_KINDS);
export type PermitGasKind = z.infer<typeof PermitGasKindSchema>;
export const PERMIT_GAS_UNITS = ['%vol', '%LEL', 'ppm', 'mg/m3'] as const;
export const PermitGasUnitSchema = z.enum(PERMIT_GAS_UNITS);
export type PermitGasUnit = z.infer<typeof PermitGasUnitSchema>;
export const PERMIT_VERDICTS = ['pass', 'fail'] as const;
export const PermitVerdictSchema = z.enum(PERMIT_VERDICTS);
export type PermitVerdict = z.infer<typeof PermitVerdictSchema>;

const GasCode = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[A-Za-z0-9]+$/, 'Gas code: letters and digits, e.g. CH4, H2S, O2');

export const PermitGasSchema = z.object({
  code: z.string(),
  name: z.object({ zh: z.string(), en: z.string() }),
  kind: PermitGasKindSchema,
  /** lower explosive limit, %vol (flammable) */
  lelPercentVol: z.number().nullable(),
  /** toxic: the limit in `limitUnit` (e.g. H2S 10 mg/m³ MAC, stored with its ppm equivalent) */
  limit: z.number().nullable(),
  limitUnit: PermitGasUnitSchema.nullable(),
  /** the same limit in ppm at 20 °C, 101.3 kPa (ppm = mg/m³ × 24.04 / M) */
  limitPpm: z.number().nullable(),
  molarMass: z.number().nullable(),
  note: z.string(),
});
export type PermitGas = z.infer<typeof PermitGasSchema>;

export const PermitReadingInputSchema = z.object({
  gas: GasCode,
  value: z.number().finite().min(0).max(1e6),
  unit: PermitGasUnitSchema,
});
export type PermitReadingInput = z.infer<typeof PermitReadingInputSchema>;

export const PermitReadingSchema = PermitReadingInputSchema.extend({
  /** flammable readings converted to %vol (%LEL × LEL / 100) */
  percentVol: z.number().nullable(),
  /** the limit applied, in the unit shown in `reason` */
  limitText: z.string(),
  verdict: PermitVerdictSchema,
  reason: z.object({ zh: z.string(), en: z.string() }),
});
export type PermitReading = z.infer<typeof PermitReadingSchema>;

const PersonRefSchema = z.object({ id: z.number().int(), name: z.string() });
export type PermitPersonRef = z.infer<typeof PersonRefSchema>;

export const PermitAnalysisSchema = z.object({
  id: z.number().int(),
  /** manual: an analyst's sample; live: the 2-hourly record of the bound tags */
  source: z.enum(['manual', 'live']),
  takenAt: z.string(),
  recordedAt: z.string(),
  samplePoint: z.string(),
  analyst: PersonRefSchema.nullable(),
  verdict: PermitVerdictSchema,
  readings: z.array(PermitReadingSchema),
  signatureId: z.number().int().nullable(),
});
export type PermitAnalysis = z.infer<typeof PermitAnalysisSchema>;

// ─── Rules ──────────────────────────────────────────────────────────────────────────────────────

export const PermitRuleSchema = z.object({
  type: PermitTypeSchema,
  grade: PermitGradeSchema,
  maxValidityHours: z.number(),
  /** temporary power: the absolute ceiling even when extended */
  hardMaxValidityHours: z.number().nullable(),
  needsGasAnalysis: z.boolean(),
  analysisMaxAgeMin: z.number().int(),
  /** a work break longer than this needs a new analysis before resuming */
  retestAfterInterruptionMin: z.number().int().nullable(),
  /** live gas tags must be bound (≥ 1) and are recorded every liveRecordEveryMin */
  continuousMonitoring: z.boolean(),
  liveRecordEveryMin: z.number().int(),
  approvals: z.array(PermitApprovalLevelSchema),
  retentionDays: z.number().int(),
  source: z.string(),
});
export type PermitRule = z.infer<typeof PermitRuleSchema>;

export const UpdatePermitRuleSchema = z.object({
  maxValidityHours: z.number().positive().max(8760),
  hardMaxValidityHours: z.number().positive().max(8760).nullable().default(null),
  needsGasAnalysis: z.boolean(),
  analysisMaxAgeMin: z.number().int().min(1).max(1440),
  retestAfterInterruptionMin: z.number().int().min(1).max(1440).nullable().default(null),
  continuousMonitoring: z.boolean(),
  liveRecordEveryMin: z.number().int().min(5).max(1440),
  approvals: z
    .array(PermitApprovalLevelSchema)
    .min(1, '至少一个审批层级')
    .refine((a) => new Set(a).size === a.length, '审批层级不能重复'),
  retentionDays: z.number().int().min(30).max(36500),
  reason: ReasonSchema,
});
export type UpdatePermitRule = z.input<typeof UpdatePermitRuleSchema>;

export const UpsertPermitGasSchema = z.object({
  name: z.object({ zh: z.string().trim().min(1).max(100), en: z.string().trim().min(1).max(100) }),
  kind: PermitGasKindSchema,
  lelPercentVol: z.number().positive().max(100).nullable().default(null),
  limit: z.number().positive().nullable().default(null),
  limitUnit: PermitGasUnitSchema.nullable().default(null),
  limitPpm: z.number().positive().nullable().default(null),
  molarMass: z.number().positive().nullable().default(null),
  note: z.string().trim().max(500).default(''),
  reason: ReasonSchema,
});

export const PermitHolidaySchema = z.object({
  /** plant-local calendar date YYYY-MM-DD */
  date: z.string(),
  name: z.string(),
});
export type PermitHoliday = z.infer<typeof PermitHolidaySchema>;
export const CreatePermitHolidaySchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式 YYYY-MM-DD'),
  name: z.string().trim().min(1).max(100),
  reason: ReasonSchema,
});

export const PermitRulesSchema = z.object({
  rules: z.array(PermitRuleSchema),
  gases: z.array(PermitGasSchema),
  holidays: z.array(PermitHolidaySchema),
  /** night window, plant time */
  night: z.object({ from: z.string(), to: z.string() }),
});
export type PermitRules = z.infer<typeof PermitRulesSchema>;

// ─── Measures (安全措施) — default checklists per type, from the GB 30871 appendix forms ────────

export type PermitMeasureTemplate = { code: string; zh: string; en: string };
export const PERMIT_MEASURE_DEFAULTS: Record<PermitType, readonly PermitMeasureTemplate[]> = {
  hot_work: [
    {
      code: 'HW01',
      zh: '动火设备内部构件清洗干净，蒸汽吹扫或水洗、置换合格，达到动火条件',
      en: 'Equipment internals cleaned, steamed or washed and purged to hot-work conditions',
    },
    {
      code: 'HW02',
      zh: '与动火设备相连接的所有管线已断开，加盲板（  ）块，未采取水封或仅关闭阀门的方式代替盲板',
      en: 'All lines to the equipment disconnected and blinded (no water seal or closed valve instead of a blind)',
    },
    {
      code: 'HW03',
      zh: '动火点周围及附近的孔洞、窨井、地沟、水封设施、污水井等已清除易燃物，并已采取覆盖、铺沙等手段进行隔离',
      en: 'Openings, manholes, trenches and drains around the hot work cleared of flammables and covered',
    },
    {
      code: 'HW04',
      zh: '罐区内动火点同一防火堤内和防火间距内的储罐未同时进行脱水和取样作业',
      en: 'No draining or sampling of tanks inside the same bund or fire distance',
    },
    {
      code: 'HW05',
      zh: '在有可燃物构件和使用可燃物做防腐内衬的设备内部动火作业，已采取防火隔绝措施',
      en: 'Fire barriers where the equipment has combustible parts or linings',
    },
    {
      code: 'HW06',
      zh: '乙炔气瓶直立放置，已采取防倾倒措施并安装防回火装置；乙炔气瓶、氧气瓶与火源间的距离不应小于10m，两气瓶相互间距不应小于5m',
      en: 'Acetylene cylinder upright, secured, flashback arrestor fitted; cylinders ≥ 10 m from the fire and ≥ 5 m apart',
    },
    {
      code: 'HW07',
      zh: '现场已配备灭火器（  ）台，灭火毯（  ）块，消防蒸汽带或消防水带（  ）',
      en: 'Fire extinguishers, fire blankets and a steam or water hose on site',
    },
    {
      code: 'HW08',
      zh: '电焊机所处位置已考虑防火防爆要求，且已可靠接地',
      en: 'Welding machine placed for fire/explosion safety and reliably earthed',
    },
    {
      code: 'HW09',
      zh: '动火点周围规定距离内没有易燃易爆化学品的装卸、排放、喷漆等可能引起火灾爆炸的危险作业',
      en: 'No loading, venting or painting of flammables within the set distance',
    },
    {
      code: 'HW10',
      zh: '高处动火作业已采取防火花飞溅措施，作业人员佩戴必要的个体防护装备',
      en: 'Spark containment for hot work at height; workers wear the required PPE',
    },
    {
      code: 'HW11',
      zh: '在受限空间内动火作业已按受限空间作业要求采取措施',
      en: 'Hot work inside a confined space: confined-space measures taken',
    },
    { code: 'HW12', zh: '作业现场四周已设立警戒区', en: 'Work area cordoned off' },
  ],
  confined_space: [
    {
      code: 'CS01',
      zh: '对受限空间的内部构件清洗、置换合格，已采取隔绝措施（加盲板或拆除一段管道）',
      en: 'Space cleaned and purged; isolated by blinds or removed spool pieces',
    },
    {
      code: 'CS02',
      zh: '与受限空间连通的可能危及安全作业的管道已采用插入盲板或拆除一段管道进行隔绝',
      en: 'Connected lines that could endanger the work blinded or removed',
    },
    {
      code: 'CS03',
      zh: '与受限空间连通的可能危及安全作业的孔、洞已进行严密封堵',
      en: 'Openings that could endanger the work sealed',
    },
    {
      code: 'CS04',
      zh: '受限空间内的电动设备已停止运行，且已切断电源，已在电源开关处上锁并挂标示牌',
      en: 'Motorised equipment stopped, power cut, locked and tagged at the switch',
    },
    {
      code: 'CS05',
      zh: '受限空间出入口四周的障碍物已清除，并设置明显的安全警示标志和警示说明',
      en: 'Entrance clear, with warning signs',
    },
    {
      code: 'CS06',
      zh: '已采取自然通风或强制通风措施，严禁向受限空间内充纯氧气或富氧空气',
      en: 'Natural or forced ventilation; never pure oxygen or enriched air',
    },
    {
      code: 'CS07',
      zh: '已配备正压式空气呼吸器等应急救援器材',
      en: 'Self-contained breathing apparatus and rescue equipment ready',
    },
    {
      code: 'CS08',
      zh: '在受限空间内作业时使用的照明电压不大于36V，潮湿容器、狭小容器内作业电压不大于12V',
      en: 'Lighting ≤ 36 V (≤ 12 V in wet or narrow vessels)',
    },
    {
      code: 'CS09',
      zh: '作业人员已配戴便携式气体检测报警仪并进行连续监测',
      en: 'Workers carry portable gas detectors and monitor continuously',
    },
    {
      code: 'CS10',
      zh: '受限空间外已设专人监护，并与作业人员保持联络',
      en: 'A watcher outside keeps in contact with the workers',
    },
  ],
  blind_plate: [
    {
      code: 'BP01',
      zh: '在管道、设备上作业时，降低系统压力，作业点应为常压',
      en: 'System depressurised; the work point at atmospheric pressure',
    },
    {
      code: 'BP02',
      zh: '在有毒介质的管道、设备上作业时，作业人员穿戴适合的防护用具',
      en: 'Suitable protection for toxic media',
    },
    {
      code: 'BP03',
      zh: '易燃易爆场所，作业人员穿防静电工作服、工作鞋；距作业地点30m内无其他动火作业',
      en: 'Antistatic clothing and shoes; no hot work within 30 m',
    },
    {
      code: 'BP04',
      zh: '易燃易爆场所，使用防爆灯具和防爆工具；作业点周围已设警戒区',
      en: 'Explosion-proof lamps and tools; area cordoned off',
    },
    {
      code: 'BP05',
      zh: '在强腐蚀性介质的管道、设备上作业时，作业人员已采取防止酸碱灼伤的措施',
      en: 'Protection against acid/alkali burns for corrosive media',
    },
    {
      code: 'BP06',
      zh: '介质温度较高、可能造成烫伤的情况下，作业人员已采取防烫措施',
      en: 'Protection against burns from hot media',
    },
    {
      code: 'BP07',
      zh: '同一管道上未同时进行两处及两处以上的盲板抽堵作业',
      en: 'No second blind plate job on the same line at the same time',
    },
    {
      code: 'BP08',
      zh: '盲板已按图编号挂牌，盲板位置图已附',
      en: 'Plate numbered and tagged per the drawing; location drawing attached',
    },
  ],
  height: [
    { code: 'HT01', zh: '作业人员身体条件符合要求', en: 'Workers are fit for work at height' },
    { code: 'HT02', zh: '作业人员着装符合作业要求', en: 'Workers dressed for the job' },
    {
      code: 'HT03',
      zh: '作业人员佩戴符合标准要求的安全帽、安全带，有可能散发有毒气体的场所携带正压式空气呼吸器或面罩式防毒面具',
      en: 'Helmets and harnesses; breathing apparatus where toxic gas may escape',
    },
    { code: 'HT04', zh: '作业人员携带有工具袋及安全绳', en: 'Tool bags and lanyards carried' },
    {
      code: 'HT05',
      zh: '现场搭设的脚手架、防护网、围栏符合安全规定',
      en: 'Scaffolds, nets and guard rails meet the rules',
    },
    { code: 'HT06', zh: '垂直分层作业中间有隔离设施', en: 'Separation between vertically stacked work' },
    { code: 'HT07', zh: '梯子、绳子符合安全规定', en: 'Ladders and ropes meet the rules' },
    { code: 'HT08', zh: '轻型棚的承重梁、柱能承重负荷的要求', en: 'Beams of light roofs can bear the load' },
    {
      code: 'HT09',
      zh: '作业人员在不承重物处作业所搭设的承重板稳定牢固',
      en: 'Boards over non-load-bearing surfaces stable',
    },
    { code: 'HT10', zh: '采光、夜间作业照明符合作业要求', en: 'Lighting adequate (also at night)' },
  ],
  lifting: [
    {
      code: 'LF01',
      zh: '吊装质量大于等于100t的重物或吊装条件复杂的吊装作业，已编制吊装作业方案并经审批',
      en: 'Lifting plan written and approved (≥ 100 t or complex lifts)',
    },
    {
      code: 'LF02',
      zh: '吊装场所如有含危险物料的设备、管道时，已制定详细吊装方案，并对设备、管道采取有效防护措施',
      en: 'Protection of process equipment and lines near the lift',
    },
    { code: 'LF03', zh: '作业人员已按规定佩戴个体防护装备', en: 'Workers wear the required PPE' },
    {
      code: 'LF04',
      zh: '已对起重机械和吊具进行安全检查确认，确保处于完好状态',
      en: 'Crane and rigging inspected and in good order',
    },
    {
      code: 'LF05',
      zh: '已明确各自分工、坚守岗位，并统一规定联络信号',
      en: 'Roles assigned and signals agreed',
    },
    {
      code: 'LF06',
      zh: '将建筑物、构筑物作为锚点时，已经工程技术人员计算确认',
      en: 'Anchors on structures verified by an engineer',
    },
    {
      code: 'LF07',
      zh: '作业现场围栏、警戒线、警告牌、夜间警示灯已按要求设置',
      en: 'Barriers, warning signs and night lights in place',
    },
    {
      code: 'LF08',
      zh: '作业高度和转臂范围内无架空线路',
      en: 'No overhead lines within the working height and slewing range',
    },
    {
      code: 'LF09',
      zh: '在爆炸危险场所内的作业，机动车排气管已装阻火器',
      en: 'Spark arrestors on vehicle exhausts in explosion-hazard areas',
    },
    {
      code: 'LF10',
      zh: '室外作业遇到大雪、暴雨、大雾及六级以上大风，已停止作业',
      en: 'Work stopped in heavy snow, rain, fog or wind force 6+',
    },
  ],
  temporary_power: [
    { code: 'TP01', zh: '作业人员持有电工作业操作证', en: 'Electricians hold the operator certificate' },
    {
      code: 'TP02',
      zh: '在防爆场所使用的临时电源、元器件和线路达到相应的防爆等级要求',
      en: 'Equipment and wiring rated for the explosion zone',
    },
    {
      code: 'TP03',
      zh: '临时用电的单相和混用线路采用五线制',
      en: 'Five-wire system for single-phase and mixed circuits',
    },
    {
      code: 'TP04',
      zh: '临时用电线路在装置内不低于2.5m，道路不低于5m',
      en: 'Overhead lines ≥ 2.5 m inside units, ≥ 5 m over roads',
    },
    {
      code: 'TP05',
      zh: '临时用电线路架空进线未采用裸线，未在树或脚手架上架设',
      en: 'No bare wires; not strung on trees or scaffolds',
    },
    {
      code: 'TP06',
      zh: '暗管埋设及地下电缆线路设有“走向标志”和“安全标志”，电缆埋深大于0.7m',
      en: 'Buried cables marked and deeper than 0.7 m',
    },
    {
      code: 'TP07',
      zh: '现场临时用配电盘、箱有电压标识和危险标识，有防雨措施，盘、箱、门能牢靠关闭并能上锁',
      en: 'Boards marked, rain-protected, lockable',
    },
    {
      code: 'TP08',
      zh: '临时用电设施安装剩余电流动作保护器，移动工具、手持工具“一机一闸一保护”',
      en: 'Residual-current devices; one switch and one RCD per tool',
    },
    {
      code: 'TP09',
      zh: '用电设备、线路容量、负荷符合要求',
      en: 'Load within the capacity of equipment and lines',
    },
  ],
  excavation: [
    {
      code: 'EX01',
      zh: '作业人员作业前已了解作业的内容、地点、时间、要求，熟知作业中的危害因素和应采取的安全措施',
      en: 'Workers know the job, the hazards and the measures',
    },
    {
      code: 'EX02',
      zh: '地下电力电缆已确认保护措施已落实',
      en: 'Underground power cables identified and protected',
    },
    {
      code: 'EX03',
      zh: '地下通讯电（光）缆、局域网络电（光）缆已确认保护措施已落实',
      en: 'Communication cables identified and protected',
    },
    {
      code: 'EX04',
      zh: '地下供排水、消防管线、工艺管线已确认保护措施已落实',
      en: 'Water, fire and process lines identified and protected',
    },
    { code: 'EX05', zh: '已按作业方案图划线和立桩', en: 'Marked out and staked per the plan' },
    {
      code: 'EX06',
      zh: '作业现场围栏、警戒线、警告牌、夜间警示灯已按要求设置',
      en: 'Barriers, warning signs and night lights in place',
    },
    { code: 'EX07', zh: '已进行放坡处理和固壁支撑', en: 'Sloped or shored walls' },
    { code: 'EX08', zh: '人员出入口和撤离安全措施已落实', en: 'Access and escape routes provided' },
    {
      code: 'EX09',
      zh: '道路施工作业已报：交通、消防、调度、安全监督管理部门',
      en: 'Road works reported to traffic, fire, dispatch and safety',
    },
  ],
  road_closure: [
    {
      code: 'RC01',
      zh: '作业前，制定交通组织方案（设置绕行道路），已通知相关部门或单位',
      en: 'Traffic plan with a detour; the departments concerned informed',
    },
    {
      code: 'RC02',
      zh: '作业前，在断路的路口和相关道路上设置交通警示标志，在作业区域附近设置路栏、道路作业警示灯、导向标等交通警示设施',
      en: 'Warning signs, barriers, lights and direction signs set up',
    },
    { code: 'RC03', zh: '夜间作业设置警示红灯', en: 'Red warning lights at night' },
    {
      code: 'RC04',
      zh: '断路作业时，已制定应急救援措施，并配备相应的应急救援器材和物资',
      en: 'Emergency measures and equipment ready',
    },
    { code: 'RC05', zh: '作业人员已按规定佩戴个体防护装备', en: 'Workers wear the required PPE' },
    { code: 'RC06', zh: '消防车通道保持畅通', en: 'Fire engine access kept open' },
  ],
};

// ─── Form content ───────────────────────────────────────────────────────────────────────────────

const Text = (max: number) => z.string().trim().max(max);
const IsoInstant = z.iso.datetime({ offset: true });
const Id = z.number().int().positive();

/** Per-type form fields (a discriminated union on `type`, which must equal the permit's type). */
export const HotWorkFieldsSchema = z.object({
  type: z.literal('hot_work'),
  /** 动火方式: 电焊/气焊/切割/打磨… */
  method: Text(100).min(1, '请填写动火方式'),
  fireWatchEquipment: Text(500).default(''),
});
export const ConfinedSpaceFieldsSchema = z.object({
  type: z.literal('confined_space'),
  spaceName: Text(200).min(1, '请填写受限空间名称'),
  /** 原有介质 */
  medium: Text(200).default(''),
  /** the space is oxygen-enriched by design: O₂ 21–23.5 %vol then passes */
  oxygenEnriched: z.boolean().default(false),
  ventilation: Text(200).default(''),
});
export const BlindPlateFieldsSchema = z.object({
  type: z.literal('blind_plate'),
  pipeline: Text(200).min(1, '请填写管道名称'),
  medium: Text(200).default(''),
  temperatureC: z.number().min(-273).max(2000).nullable().default(null),
  pressureMPa: z.number().min(-0.1).max(100).nullable().default(null),
  plateMaterial: Text(100).default(''),
  plateSpec: Text(100).default(''),
  plateNumber: Text(50).min(1, '请填写盲板编号'),
  /** ONE plate and ONE action per permit */
  action: z.enum(['install', 'remove']),
  drawingRef: Text(200).default(''),
});
export const HeightFieldsSchema = z.object({
  type: z.literal('height'),
  heightM: z.number().min(2, '高处作业指距坠落基准面2m及以上').max(1000),
  fallProtection: Text(500).default(''),
});
export const LiftingFieldsSchema = z.object({
  type: z.literal('lifting'),
  loadT: z.number().positive().max(100000),
  craneType: Text(100).default(''),
  liftingPlanRef: Text(200).default(''),
});
export const TemporaryPowerFieldsSchema = z.object({
  type: z.literal('temporary_power'),
  voltage: Text(50).min(1, '请填写电压'),
  powerSource: Text(200).min(1, '请填写电源接入点'),
  loadKw: z.number().positive().max(100000).nullable().default(null),
  /** the hot-work / confined-space permit this power serves (also listed in linkedPermitIds) */
  servesPermitId: Id.nullable().default(null),
});
export const ExcavationFieldsSchema = z.object({
  type: z.literal('excavation'),
  areaM2: z.number().positive().max(1e6).nullable().default(null),
  depthM: z.number().positive().max(1000).nullable().default(null),
  undergroundFacilities: Text(1000).default(''),
});
export const RoadClosureFieldsSchema = z.object({
  type: z.literal('road_closure'),
  road: Text(200).min(1, '请填写断路地段'),
  reason: Text(500).default(''),
  detour: Text(500).default(''),
});
export const PermitFieldsSchema = z.discriminatedUnion('type', [
  HotWorkFieldsSchema,
  ConfinedSpaceFieldsSchema,
  BlindPlateFieldsSchema,
  HeightFieldsSchema,
  LiftingFieldsSchema,
  TemporaryPowerFieldsSchema,
  ExcavationFieldsSchema,
  RoadClosureFieldsSchema,
]);
export type PermitFields = z.infer<typeof PermitFieldsSchema>;

export const PermitWorkerInputSchema = z.object({
  name: Text(100).min(1, '请填写作业人姓名'),
  userId: Id.nullable().default(null),
  /** 特种作业操作证 number: required for hot work, lifting, temporary power and height workers */
  certificateNo: Text(100).default(''),
});
export type PermitWorkerInput = z.input<typeof PermitWorkerInputSchema>;

export const PermitMeasureInputSchema = z.object({
  code: z.string().trim().min(1).max(20),
  text: Text(1000).min(1),
  /** 是否涉及: true applies, false does not apply, null not answered yet (refused at submit) */
  applies: z.boolean().nullable(),
});
export type PermitMeasureInput = z.infer<typeof PermitMeasureInputSchema>;

export const PermitGasTagInputSchema = z.object({ tagId: Id, gas: GasCode });
export type PermitGasTagInput = z.infer<typeof PermitGasTagInputSchema>;

/** The application (create, edit while draft, preview). */
export const PermitDraftSchema = z
  .object({
    type: PermitTypeSchema,
    /** hot work: chosen by the applicant; height/lifting: computed from heightM/loadT (may be omitted) */
    grade: PermitGradeSchema.optional(),
    title: Text(200).min(1, '请填写作业内容'),
    locationId: Id,
    equipmentIds: z.array(Id).max(50).default([]),
    validFrom: IsoInstant,
    validTo: IsoInstant,
    applicantUnit: Text(200).min(1, '请填写申请单位'),
    personInChargeId: Id,
    workers: z.array(PermitWorkerInputSchema).min(1, '至少一名作业人').max(50),
    analystId: Id.nullable().default(null),
    watcherId: Id,
    brieferId: Id,
    acceptorId: Id,
    riskIdentification: z.array(Text(500).min(1)).max(50).default([]),
    measures: z.array(PermitMeasureInputSchema).max(60).default([]),
    linkedPermitIds: z.array(Id).max(10).default([]),
    /** wind force (Beaufort) at the site; ≥ 5 raises the grade */
    windLevel: z.number().int().min(0).max(17).default(0),
    gasTags: z.array(PermitGasTagInputSchema).max(20).default([]),
    fields: PermitFieldsSchema,
  })
  .refine((d) => d.fields.type === d.type, {
    message: 'fields.type must equal type',
    path: ['fields', 'type'],
  })
  .refine((d) => Date.parse(d.validTo) > Date.parse(d.validFrom), {
    message: '结束时间须晚于开始时间',
    path: ['validTo'],
  });
export type PermitDraft = z.input<typeof PermitDraftSchema>;
export type PermitDraftParsed = z.output<typeof PermitDraftSchema>;

// ─── Action bodies ──────────────────────────────────────────────────────────────────────────────

export const PermitSignOnlySchema = z.object({ signature: SignInputSchema });
export const PermitReasonBodySchema = z.object({ reason: ReasonSchema });
export const SubmitPermitSchema = z.object({
  signature: SignInputSchema,
  /** conflicts that need an extra approval level are accepted knowingly */
  acceptConflicts: z.boolean().default(false),
});
export const RecordAnalysisSchema = z.object({
  signature: SignInputSchema,
  takenAt: IsoInstant,
  samplePoint: Text(200).min(1, '请填写取样部位'),
  readings: z.array(PermitReadingInputSchema).min(1, '至少一项分析数据').max(20),
});
export type RecordAnalysis = z.input<typeof RecordAnalysisSchema>;
export const ConfirmMeasuresSchema = z.object({
  signature: SignInputSchema,
  /** the measures confirmed (default: every measure that applies and is not yet confirmed) */
  codes: z.array(z.string().min(1).max(20)).max(60).optional(),
});
export const ApprovePermitSchema = z.object({ signature: SignInputSchema, opinion: Text(500).default('') });
export const StopPermitSchema = z.object({ signature: SignInputSchema, reason: ReasonSchema });
export const CompletePermitSchema = z.object({ signature: SignInputSchema, remark: Text(500).default('') });

// ─── Responses ──────────────────────────────────────────────────────────────────────────────────

export const PermitSuspensionSchema = z.object({
  cause: PermitSuspendCauseSchema,
  /** words: the alarm message, the gas value… */
  detail: z.string(),
  at: z.string(),
});

/** One row of the register. */
export const PermitSchema = z.object({
  id: z.number().int(),
  /** ZY-DH-20260302-001 */
  code: z.string(),
  type: PermitTypeSchema,
  state: PermitStateSchema,
  requestedGrade: PermitGradeSchema,
  effectiveGrade: PermitGradeSchema,
  raiseReasons: z.array(PermitRaiseReasonSchema),
  title: z.string(),
  nodeId: z.number().int(),
  path: z.string(),
  /** node names from the top */
  location: z.string(),
  /** the nearest line/area ancestor (conflicts and alarms are judged by area) */
  area: z.object({ id: z.number().int(), name: z.string(), path: z.string() }).nullable(),
  validFrom: z.string(),
  validTo: z.string(),
  applicantUnit: z.string(),
  applicant: PersonRefSchema,
  personInCharge: PersonRefSchema,
  watcher: PersonRefSchema,
  suspension: PermitSuspensionSchema.nullable(),
  submittedAt: z.string().nullable(),
  workStartedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Permit = z.infer<typeof PermitSchema>;

export const PermitWorkerSchema = z.object({
  name: z.string(),
  userId: z.number().int().nullable(),
  certificateNo: z.string(),
});
export const PermitMeasureSchema = z.object({
  code: z.string(),
  text: z.string(),
  applies: z.boolean().nullable(),
  confirmedBy: PersonRefSchema.nullable(),
  confirmedAt: z.string().nullable(),
});
export type PermitMeasure = z.infer<typeof PermitMeasureSchema>;

export const PermitLiveValueSchema = z.object({
  tagId: z.number().int(),
  gas: z.string(),
  tagCode: z.string(),
  tagName: z.string(),
  unit: z.string(),
  value: z.number().nullable(),
  at: z.string().nullable(),
  /** null: no value yet / unknown unit */
  verdict: PermitVerdictSchema.nullable(),
  reason: z.object({ zh: z.string(), en: z.string() }).nullable(),
});
export type PermitLiveValue = z.infer<typeof PermitLiveValueSchema>;

export const PermitApprovalSchema = z.object({
  order: z.number().int(),
  level: PermitApprovalLevelSchema,
  /** why the level is there beyond the rule (a conflict) */
  addedFor: z.string().nullable(),
  state: z.enum(['approved', 'pending', 'waiting']),
  approver: PersonRefSchema.nullable(),
  at: z.string().nullable(),
  opinion: z.string(),
  /** pending level: who may approve it now */
  eligible: z.array(PersonRefSchema),
});
export type PermitApproval = z.infer<typeof PermitApprovalSchema>;

export const PERMIT_CONFLICT_DECISIONS = ['allowed', 'needs_approval', 'forbid'] as const;
export const PermitConflictDecisionSchema = z.enum(PERMIT_CONFLICT_DECISIONS);
export type PermitConflictDecision = z.infer<typeof PermitConflictDecisionSchema>;
export const PermitConflictSchema = z.object({
  permitId: z.number().int(),
  code: z.string(),
  type: PermitTypeSchema,
  state: PermitStateSchema,
  decision: PermitConflictDecisionSchema,
  reason: z.object({ zh: z.string(), en: z.string() }),
  /** needs_approval: the level added */
  addsLevel: PermitApprovalLevelSchema.nullable(),
});
export type PermitConflict = z.infer<typeof PermitConflictSchema>;

export const PermitLinkSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  type: PermitTypeSchema,
  state: PermitStateSchema,
});

export const PermitDetailSchema = PermitSchema.extend({
  equipment: z.array(z.object({ id: z.number().int(), name: z.string() })),
  briefer: PersonRefSchema,
  acceptor: PersonRefSchema,
  analyst: PersonRefSchema.nullable(),
  workers: z.array(PermitWorkerSchema),
  riskIdentification: z.array(z.string()),
  measures: z.array(PermitMeasureSchema),
  windLevel: z.number().int(),
  fields: PermitFieldsSchema,
  gasTags: z.array(PermitLiveValueSchema),
  analyses: z.array(PermitAnalysisSchema),
  approvals: z.array(PermitApprovalSchema),
  conflicts: z.array(PermitConflictSchema),
  signatures: z.array(SignatureSchema),
  history: z.array(WorkflowTransitionSchema),
  links: z.object({
    supersedes: PermitLinkSchema.nullable(),
    supersededBy: PermitLinkSchema.nullable(),
    linked: z.array(PermitLinkSchema),
  }),
  rule: PermitRuleSchema,
  cancelReason: z.string().nullable(),
  /** what the caller may do now (buttons) */
  actions: z.array(PermitActionSchema),
  timers: z.array(z.object({ key: z.string(), dueAt: z.string() })),
});
export type PermitDetail = z.infer<typeof PermitDetailSchema>;

export const PermitPageSchema = z.object({ items: z.array(PermitSchema), total: z.number().int() });
export type PermitPage = z.infer<typeof PermitPageSchema>;

const csv = (s: string) => s.split(',').filter(Boolean);

export const PermitListQuerySchema = z.object({
  state: z.string().transform(csv).pipe(z.array(PermitStateSchema)).optional(),
  type: z.string().transform(csv).pipe(z.array(PermitTypeSchema)).optional(),
  /** the node and its subtree */
  nodeId: z.coerce.number().int().positive().optional(),
  /** windows overlapping [from, to] */
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
  /** matches code, title, applicant unit (literally) */
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PermitListQuery = z.input<typeof PermitListQuerySchema>;

export const PermitBoardQuerySchema = z.object({ nodeId: z.coerce.number().int().positive().optional() });
export const PermitBoardSchema = z.object({
  areas: z.array(
    z.object({
      area: z.object({ id: z.number().int(), name: z.string(), path: z.string() }).nullable(),
      // partial: zod 4 records over an enum demand every key, and an area has only some states
      counts: z.partialRecord(PermitStateSchema, z.number().int()),
      /** active and suspended permits of the area with their live gas values */
      permits: z.array(PermitSchema.extend({ gasTags: z.array(PermitLiveValueSchema) })),
    }),
  ),
});
export type PermitBoard = z.infer<typeof PermitBoardSchema>;

export const GasTagCandidatesQuerySchema = z.object({ locationId: z.coerce.number().int().positive() });
export const GasTagCandidateSchema = z.object({
  tagId: z.number().int(),
  code: z.string(),
  name: z.string(),
  unit: z.string(),
  path: z.string(),
  /** the gas code guessed from the tag's code/unit (CH4_LEL → CH4) */
  gas: z.string().nullable(),
  value: z.number().nullable(),
  at: z.string().nullable(),
});
export type GasTagCandidate = z.infer<typeof GasTagCandidateSchema>;

export const PermitPreviewSchema = z.object({
  requestedGrade: PermitGradeSchema,
  effectiveGrade: PermitGradeSchema,
  raiseReasons: z.array(PermitRaiseReasonSchema),
  rule: PermitRuleSchema,
  approvals: z.array(
    z.object({
      level: PermitApprovalLevelSchema,
      addedFor: z.string().nullable(),
      eligible: z.array(PersonRefSchema),
    }),
  ),
  conflicts: z.array(PermitConflictSchema),
  /** what submit would refuse, in words (empty: ready to submit) */
  problems: z.array(z.object({ zh: z.string(), en: z.string() })),
});
export type PermitPreview = z.infer<typeof PermitPreviewSchema>;

export const PermitVerifyProblemSchema = z.object({
  code: z.enum(['changed_after_signing', 'invalid_signature', 'missing_signature', 'audit_mismatch']),
  signatureId: z.number().int().nullable(),
  message: z.object({ zh: z.string(), en: z.string() }),
});
export const PermitVerifySchema = z.object({
  ok: z.boolean(),
  problems: z.array(PermitVerifyProblemSchema),
  signatures: z.array(SignatureSchema),
});
export type PermitVerify = z.infer<typeof PermitVerifySchema>;

// ─── People picker (added by the web pages: applicants name people but seldom hold user.read) ──

/**
 * GET /api/permits/people   request  query PermitPeopleQuerySchema → PermitPersonSchema[]
 * Active people (no machine accounts) matching q by name, username or employee number — only what
 * a permit form needs to name someone (person in charge, watcher, briefer, acceptor, analyst, workers).
 */
export const PermitPeopleQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  /** the people with these ids, whatever q says (the names of those already chosen) */
  ids: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'Use a comma-separated list of ids')
    .transform((s) => s.split(',').map(Number))
    .optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const PermitPersonSchema = z.object({ id: z.number().int(), name: z.string(), username: z.string() });
export type PermitPerson = z.infer<typeof PermitPersonSchema>;
