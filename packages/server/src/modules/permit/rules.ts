import {
  PERMIT_TYPE_LABELS,
  type PermitApprovalLevel,
  type PermitConflictDecision,
  type PermitGas,
  type PermitGrade,
  type PermitRaiseReason,
  type PermitReading,
  type PermitReadingInput,
  type PermitType,
  type PermitVerdict,
} from '@aegis/shared';
import { wallClock } from '../org/index.js';

/*
 * The permit rules as pure functions (no I/O): grades, validity, gas verdicts (GB 30871-2022 5.3.x,
 * 6.x), conflicts between permits on the same area, separation of duties.
 */

type Words = { zh: string; en: string };

// ─── Grades ────────────────────────────────────────────────────────────────────────────────────

/** 高处作业分级 (GB/T 3608): 2–5 m Ⅰ, 5–15 m Ⅱ, 15–30 m Ⅲ, above 30 m Ⅳ. */
export function heightGrade(heightM: number): PermitGrade {
  if (heightM > 30) return 'IV';
  if (heightM > 15) return 'III';
  if (heightM > 5) return 'II';
  return 'I';
}

/** 吊装作业分级: > 100 t 一级, 40–100 t 二级, < 40 t 三级. */
export function liftingGrade(loadT: number): PermitGrade {
  if (loadT > 100) return 'first';
  if (loadT >= 40) return 'second';
  return 'third';
}

const RAISE: Partial<Record<PermitGrade, PermitGrade>> = {
  second: 'first',
  first: 'special',
  special: 'special',
  third: 'second',
  I: 'II',
  II: 'III',
  III: 'IV',
  IV: 'IV',
};
/** One step up (二级→一级→特级; Ⅰ→Ⅱ→Ⅲ→Ⅳ); the top stays; types without grades stay 'none'. */
export const raiseGrade = (g: PermitGrade): PermitGrade => RAISE[g] ?? g;

/** Only grades that the standard raises for holidays, nights and wind (动火, 高处, 吊装). */
const RAISABLE: readonly PermitType[] = ['hot_work', 'height', 'lifting'];

export const NIGHT = { from: '20:00', to: '06:00' } as const;
const NIGHT_FROM_MIN = 20 * 60;
const NIGHT_TO_MIN = 6 * 60;

/**
 * Why a window raises the grade: it touches a holiday (plant-local date), the night (20:00–06:00
 * plant time) or the wind is force 5 or more. Samples every 30 min plus both ends: night (10 h) and a
 * day cannot hide between two samples, and a touch at the edges is caught by the ends.
 */
export function raiseReasons(
  window: { from: Date; to: Date },
  opts: { timezone: string; holidays: ReadonlySet<string>; windLevel: number },
): PermitRaiseReason[] {
  const out = new Set<PermitRaiseReason>();
  const fromMs = window.from.getTime();
  const lastMs = window.to.getTime() - 1;
  const step = 30 * 60_000;
  for (let t = fromMs; ; t += step) {
    const at = Math.min(t, lastMs);
    const w = wallClock(new Date(at), opts.timezone);
    if (w.minute >= NIGHT_FROM_MIN || w.minute < NIGHT_TO_MIN) out.add('night');
    if (opts.holidays.has(w.day)) out.add('holiday');
    if (at >= lastMs) break;
  }
  if (opts.windLevel >= 5) out.add('wind');
  return (['holiday', 'night', 'wind'] as const).filter((r) => out.has(r));
}

/** The grade the applicant asks for or the form implies, then the effective grade. */
export function gradeOf(
  type: PermitType,
  requested: PermitGrade | undefined,
  fields: { heightM?: number; loadT?: number },
  reasons: readonly PermitRaiseReason[],
): { requested: PermitGrade; effective: PermitGrade } | { error: Words } {
  let g: PermitGrade;
  if (type === 'hot_work') {
    if (!requested || !['special', 'first', 'second'].includes(requested))
      return {
        error: {
          zh: '请选择动火作业级别（特级/一级/二级）',
          en: 'Choose the hot-work grade (special, first, second)',
        },
      };
    g = requested;
  } else if (type === 'height') g = heightGrade(fields.heightM ?? 2);
  else if (type === 'lifting') g = liftingGrade(fields.loadT ?? 0);
  else g = 'none';
  const effective = RAISABLE.includes(type) && reasons.length > 0 ? raiseGrade(g) : g;
  return { requested: g, effective };
}

// ─── Validity ──────────────────────────────────────────────────────────────────────────────────

export function checkWindow(
  rule: { maxValidityHours: number; hardMaxValidityHours: number | null },
  window: { from: Date; to: Date },
  opts: { now: Date; servedWindow?: { from: Date; to: Date; code: string } | null },
): Words | null {
  const hours = (window.to.getTime() - window.from.getTime()) / 3600_000;
  if (hours <= 0) return { zh: '结束时间须晚于开始时间', en: 'The end must be after the start' };
  if (hours > rule.maxValidityHours + 1e-9)
    return {
      zh: `有效期 ${round1(hours)} 小时，超过规定的最长 ${rule.maxValidityHours} 小时`,
      en: `The window of ${round1(hours)} h exceeds the maximum of ${rule.maxValidityHours} h`,
    };
  if (window.to.getTime() <= opts.now.getTime())
    return { zh: '作业时间已过', en: 'The window is already over' };
  const s = opts.servedWindow;
  if (s && (window.from < s.from || window.to > s.to))
    return {
      zh: `临时用电须在所服务的作业票 ${s.code} 的有效期内`,
      en: `Temporary power must lie within the window of the permit it serves (${s.code})`,
    };
  return null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

// ─── Gas analysis ──────────────────────────────────────────────────────────────────────────────

export interface AnalysisFacts {
  type: PermitType;
  /** confined space declared oxygen-enriched: 21–23.5 %vol O₂ passes */
  oxygenEnriched: boolean;
}

export type JudgedReading = PermitReading;

export interface Judgement {
  verdict: PermitVerdict;
  readings: JudgedReading[];
  /** the analysis as a whole (a missing oxygen reading in a confined space) */
  problems: Words[];
}

/** A reading the table cannot judge (unknown gas, a unit that makes no sense for it). */
export class ReadingError extends Error {
  constructor(
    readonly index: number,
    readonly words: Words,
  ) {
    super(words.en);
  }
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** One reading against the gas table. Throws ReadingError for an unknown gas or a unit that does not fit. */
export function judgeReading(
  gases: ReadonlyMap<string, PermitGas>,
  r: PermitReadingInput,
  facts: AnalysisFacts,
  index = 0,
): JudgedReading {
  const gas = gases.get(r.gas.toUpperCase());
  if (!gas)
    throw new ReadingError(index, {
      zh: `未知气体 ${r.gas}（不在气体限值表中）`,
      en: `Unknown gas ${r.gas} (not in the gas limit table)`,
    });
  const name = gas.name;
  const base = { gas: gas.code, value: r.value, unit: r.unit };
  const verdict = (
    ok: boolean,
    limitText: string,
    reason: Words,
    percentVol: number | null,
  ): JudgedReading => ({
    ...base,
    percentVol,
    limitText,
    verdict: ok ? 'pass' : 'fail',
    reason,
  });
  const toVol = (): number | null => {
    if (r.unit === '%vol') return r.value;
    if (r.unit === 'ppm') return r.value / 10_000;
    if (r.unit === '%LEL' && gas.lelPercentVol) return (r.value * gas.lelPercentVol) / 100;
    return null;
  };
  switch (gas.kind) {
    case 'flammable': {
      const vol = toVol();
      if (vol === null || !gas.lelPercentVol)
        throw new ReadingError(index, {
          zh: `${name.zh}的读数单位 ${r.unit} 无法换算为体积分数`,
          en: `${name.en} in ${r.unit} cannot be converted to %vol`,
        });
      // GB 30871 5.3.x: LEL ≥ 4 %vol → ≤ 0.5 %vol; LEL < 4 %vol → ≤ 0.2 %vol
      const limit = gas.lelPercentVol >= 4 ? 0.5 : 0.2;
      const ok = vol <= limit;
      const limitText = `≤ ${limit} %vol`;
      return verdict(
        ok,
        limitText,
        {
          zh: `${name.zh} ${fmt(vol)} %vol（爆炸下限 ${gas.lelPercentVol} %vol，限值 ${limitText}）${ok ? '合格' : '超标'}`,
          en: `${name.en} ${fmt(vol)} %vol (LEL ${gas.lelPercentVol} %vol, limit ${limitText}) ${ok ? 'passes' : 'too high'}`,
        },
        vol,
      );
    }
    case 'oxygen': {
      const vol = r.unit === '%vol' ? r.value : r.unit === 'ppm' ? r.value / 10_000 : null;
      if (vol === null)
        throw new ReadingError(index, {
          zh: `氧含量须以 %vol 表示（给出的是 ${r.unit}）`,
          en: `Oxygen must be given in %vol (got ${r.unit})`,
        });
      let ok: boolean;
      let why: Words;
      if (vol < 19.5) {
        ok = false;
        why = { zh: '缺氧（低于 19.5 %vol）', en: 'oxygen-deficient (below 19.5 %vol)' };
      } else if (vol <= 21) {
        ok = true;
        why = { zh: '合格（19.5–21 %vol）', en: 'passes (19.5–21 %vol)' };
      } else if (vol <= 23.5) {
        ok = facts.oxygenEnriched;
        why = ok
          ? {
              zh: '合格（富氧环境 21–23.5 %vol）',
              en: 'passes (declared oxygen-enriched space, 21–23.5 %vol)',
            }
          : {
              zh: '富氧（高于 21 %vol，未声明富氧环境）',
              en: 'oxygen-enriched (above 21 %vol, space not declared enriched)',
            };
      } else {
        ok = false;
        why = { zh: '富氧（高于 23.5 %vol）', en: 'oxygen-enriched (above 23.5 %vol)' };
      }
      const limitText = facts.oxygenEnriched ? '19.5–23.5 %vol' : '19.5–21 %vol';
      return verdict(
        ok,
        limitText,
        { zh: `氧气 ${fmt(vol)} %vol ${why.zh}`, en: `Oxygen ${fmt(vol)} %vol ${why.en}` },
        vol,
      );
    }
    case 'toxic': {
      // compare in ppm when the table has the equivalent, else in mg/m³
      let value: number | null = null;
      let unit = '';
      let limit: number | null = null;
      if (gas.limitPpm !== null && (r.unit === 'ppm' || r.unit === '%vol')) {
        value = r.unit === 'ppm' ? r.value : r.value * 10_000;
        limit = gas.limitPpm;
        unit = 'ppm';
      } else if (r.unit === 'mg/m3' && gas.limit !== null && gas.limitUnit === 'mg/m3') {
        value = r.value;
        limit = gas.limit;
        unit = 'mg/m³';
      } else if (r.unit === 'mg/m3' && gas.limitPpm !== null && gas.molarMass) {
        value = (r.value * 24.04) / gas.molarMass;
        limit = gas.limitPpm;
        unit = 'ppm';
      }
      if (value === null || limit === null)
        throw new ReadingError(index, {
          zh: `${name.zh}的读数单位 ${r.unit} 无法与限值比较`,
          en: `${name.en} in ${r.unit} cannot be compared with its limit`,
        });
      const ok = value <= limit;
      const limitText = `≤ ${fmt(limit)} ${unit}`;
      return verdict(
        ok,
        limitText,
        {
          zh: `${name.zh} ${fmt(value)} ${unit}（限值 ${limitText}${gas.note ? `，${gas.note}` : ''}）${ok ? '合格' : '超标'}`,
          en: `${name.en} ${fmt(value)} ${unit} (limit ${limitText}) ${ok ? 'passes' : 'too high'}`,
        },
        null,
      );
    }
  }
}

/**
 * The verdict of a gas analysis, computed by the server (never taken from the client): every reading
 * must pass; a confined space needs an oxygen reading, hot work and a confined space a flammable or
 * toxic one (GB 30871: 氧含量、易燃易爆气体、有毒有害气体).
 */
export function judgeAnalysis(
  gases: ReadonlyMap<string, PermitGas>,
  readings: readonly PermitReadingInput[],
  facts: AnalysisFacts,
): Judgement {
  const judged = readings.map((r, i) => judgeReading(gases, r, facts, i));
  const problems: Words[] = [];
  const kinds = new Set(judged.map((j) => gases.get(j.gas)?.kind));
  if (facts.type === 'confined_space' && !kinds.has('oxygen'))
    problems.push({ zh: '受限空间须分析氧含量', en: 'A confined space needs an oxygen reading' });
  if (
    (facts.type === 'confined_space' || facts.type === 'hot_work') &&
    !kinds.has('flammable') &&
    !kinds.has('toxic')
  )
    problems.push({
      zh: `${PERMIT_TYPE_LABELS[facts.type].zh}须分析可燃或有毒气体`,
      en: `${PERMIT_TYPE_LABELS[facts.type].en} needs a flammable or toxic gas reading`,
    });
  const failed = judged.some((j) => j.verdict === 'fail') || problems.length > 0;
  return { verdict: failed ? 'fail' : 'pass', readings: judged, problems };
}

/** A live tag's value judged like a reading; null when it cannot be (no value, unit not understood). */
export function judgeLive(
  gases: ReadonlyMap<string, PermitGas>,
  gas: string,
  value: number | null,
  tagUnit: string,
  facts: AnalysisFacts,
): JudgedReading | null {
  if (value === null || !Number.isFinite(value)) return null;
  const unit = unitOfTag(tagUnit);
  if (!unit) return null;
  try {
    return judgeReading(gases, { gas, value, unit }, facts);
  } catch {
    return null;
  }
}

/** A tag's engineering unit as a gas reading unit ('% LEL', '%LEL', 'ppm', '%', '%vol', 'mg/m³'). */
export function unitOfTag(unit: string): PermitReadingInput['unit'] | null {
  const u = unit.replace(/\s+/g, '').toLowerCase();
  if (u === '%lel' || u === 'lel%' || u === 'lel') return '%LEL';
  if (u === 'ppm') return 'ppm';
  if (u === '%vol' || u === '%v/v' || u === 'vol%' || u === '%') return '%vol';
  if (u === 'mg/m3' || u === 'mg/m³') return 'mg/m3';
  return null;
}

/** The gas a tag measures, guessed from its code (CH4_LEL → CH4, H2S, O2) against the gas table. */
export function guessGas(code: string, unit: string, gases: ReadonlyMap<string, PermitGas>): string | null {
  const parts = code.toUpperCase().split(/[^A-Z0-9]+/);
  for (const p of parts) if (gases.has(p)) return p;
  if (unitOfTag(unit) === '%LEL') return gases.has('CH4') ? 'CH4' : null;
  return null;
}

// ─── Conflicts ─────────────────────────────────────────────────────────────────────────────────

export interface ConflictFacts {
  type: PermitType;
  /** equipment ids named on the permit */
  equipmentIds: readonly number[];
  /** ids of the permits linked to this one (either way) */
  linkedIds: readonly number[];
  id: number;
}

/**
 * Two permits on the same area whose windows overlap: hot work next to a blind plate job needs the
 * safety department (a line may open); hot work and confined-space entry not linked to each other
 * too; two blind plate jobs on the same equipment are forbidden (GB 30871 7: 同一管道上不应同时
 * 进行两处及两处以上的盲板抽堵作业); others are allowed.
 */
export function conflictBetween(
  a: ConflictFacts,
  b: ConflictFacts,
): { decision: PermitConflictDecision; reason: Words; addsLevel: PermitApprovalLevel | null } {
  const pair = (x: PermitType, y: PermitType) =>
    (a.type === x && b.type === y) || (a.type === y && b.type === x);
  const linked = a.linkedIds.includes(b.id) || b.linkedIds.includes(a.id);
  if (a.type === 'blind_plate' && b.type === 'blind_plate') {
    const same = a.equipmentIds.some((e) => b.equipmentIds.includes(e));
    if (same)
      return {
        decision: 'forbid',
        reason: {
          zh: '同一设备/管道上不能同时进行两处盲板抽堵作业',
          en: 'Two blind plate jobs on the same equipment or line at the same time are forbidden',
        },
        addsLevel: null,
      };
  }
  if (pair('hot_work', 'blind_plate'))
    return {
      decision: 'needs_approval',
      reason: {
        zh: '同一区域同时段有动火与盲板抽堵作业，须经安全管理部门审批',
        en: 'Hot work and blind plate work in the same area at the same time: the safety department must approve',
      },
      addsLevel: 'safety_department',
    };
  if (pair('hot_work', 'confined_space') && !linked)
    return {
      decision: 'needs_approval',
      reason: {
        zh: '同一区域同时段有动火与受限空间作业（未关联），须经安全管理部门审批',
        en: 'Hot work and an unlinked confined-space entry in the same area at the same time: the safety department must approve',
      },
      addsLevel: 'safety_department',
    };
  return {
    decision: 'allowed',
    reason: { zh: '允许同时进行', en: 'Allowed at the same time' },
    addsLevel: null,
  };
}

export const windowsOverlap = (a: { from: Date; to: Date }, b: { from: Date; to: Date }) =>
  a.from < b.to && b.from < a.to;

// ─── Separation of duties ──────────────────────────────────────────────────────────────────────

export interface DutyFacts {
  applicantId: number;
  watcherId: number;
  workerUserIds: readonly number[];
  analystIds: readonly number[];
  approverIds: readonly number[];
}

const sod = (zh: string, en: string, rule: string) => ({ words: { zh, en }, rule });

/** Whether `userId` may approve (not the applicant, an analyst, the watcher or a worker). */
export function approverConflict(userId: number, f: DutyFacts) {
  if (userId === f.applicantId)
    return sod(
      '申请人不能审批自己的作业票',
      'The applicant cannot approve their own permit',
      'approver_not_applicant',
    );
  if (f.analystIds.includes(userId))
    return sod(
      '气体分析人不能审批同一作业票',
      'The gas analyst cannot approve the same permit',
      'approver_not_analyst',
    );
  if (userId === f.watcherId)
    return sod(
      '监护人不能审批同一作业票',
      'The watcher cannot approve the same permit',
      'approver_not_watcher',
    );
  if (f.workerUserIds.includes(userId))
    return sod('作业人不能审批同一作业票', 'A worker cannot approve the same permit', 'approver_not_worker');
  return null;
}

/** Whether `userId` may record an analysis (not an approver of this permit). */
export function analystConflict(userId: number, f: DutyFacts) {
  if (f.approverIds.includes(userId))
    return sod(
      '审批人不能为同一作业票做气体分析',
      'An approver of this permit cannot analyse its gas',
      'analyst_not_approver',
    );
  return null;
}

/** The people named on the form: the watcher is not one of the workers. */
export function peopleConflict(f: { watcherId: number; workerUserIds: readonly number[] }) {
  if (f.workerUserIds.includes(f.watcherId))
    return sod('监护人不能同时是作业人', 'The watcher cannot also be a worker', 'watcher_not_worker');
  return null;
}

/** The on-site check (验票) is not done by the applicant. */
export function checkerConflict(userId: number, f: { applicantId: number }) {
  if (userId === f.applicantId)
    return sod(
      '申请人不能验票',
      'The applicant cannot check their own permit on site',
      'checker_not_applicant',
    );
  return null;
}

// ─── Resume ────────────────────────────────────────────────────────────────────────────────────

/**
 * Whether resuming needs a new passing analysis taken after the suspension began: always, except
 * after a work break (interruption) no longer than retestAfterInterruptionMin. Types without gas
 * analysis never need one.
 */
export function resumeNeedsAnalysis(
  rule: { needsGasAnalysis: boolean; retestAfterInterruptionMin: number | null },
  suspension: { cause: string; at: Date },
  now: Date,
): boolean {
  if (!rule.needsGasAnalysis) return false;
  if (suspension.cause !== 'interruption') return true;
  const limit = rule.retestAfterInterruptionMin ?? 0;
  return now.getTime() - suspension.at.getTime() > limit * 60_000;
}

/** Certificates (特种作业操作证) are required of workers on these types. */
export const NEEDS_CERTIFICATE: readonly PermitType[] = ['hot_work', 'lifting', 'temporary_power', 'height'];
