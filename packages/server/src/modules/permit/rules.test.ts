import type { PermitGas } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  approverConflict,
  checkWindow,
  conflictBetween,
  gradeOf,
  guessGas,
  heightGrade,
  judgeAnalysis,
  liftingGrade,
  peopleConflict,
  ReadingError,
  raiseReasons,
  resumeNeedsAnalysis,
} from './rules.js';

const gas = (code: string, kind: PermitGas['kind'], o: Partial<PermitGas> = {}): [string, PermitGas] => [
  code,
  {
    code,
    name: { zh: code, en: code },
    kind,
    lelPercentVol: null,
    limit: null,
    limitUnit: null,
    limitPpm: null,
    molarMass: null,
    note: '',
    ...o,
  },
];
const GASES = new Map<string, PermitGas>([
  gas('CH4', 'flammable', { lelPercentVol: 5 }),
  gas('C3H8', 'flammable', { lelPercentVol: 2.1 }),
  gas('O2', 'oxygen'),
  gas('H2S', 'toxic', { limit: 10, limitUnit: 'mg/m3', limitPpm: 7.05, molarMass: 34.08 }),
]);
const HOT = { type: 'hot_work' as const, oxygenEnriched: false };
const CONFINED = { type: 'confined_space' as const, oxygenEnriched: false };

describe('gas analysis verdicts (GB 30871)', () => {
  it('passes methane up to 0.5 %vol and fails above (LEL ≥ 4 %vol), converting %LEL to %vol', () => {
    expect(judgeAnalysis(GASES, [{ gas: 'CH4', value: 0.5, unit: '%vol' }], HOT).verdict).toBe('pass');
    const j = judgeAnalysis(GASES, [{ gas: 'CH4', value: 11, unit: '%LEL' }], HOT);
    expect(j.verdict).toBe('fail');
    expect(j.readings[0]!.percentVol).toBeCloseTo(0.55);
  });

  it('holds gases with an LEL below 4 %vol to 0.2 %vol', () => {
    expect(judgeAnalysis(GASES, [{ gas: 'C3H8', value: 0.2, unit: '%vol' }], HOT).verdict).toBe('pass');
    expect(judgeAnalysis(GASES, [{ gas: 'C3H8', value: 0.21, unit: '%vol' }], HOT).verdict).toBe('fail');
  });

  it('passes oxygen at 19.5–21 %vol, 21–23.5 only in a declared oxygen-enriched space, never above 23.5', () => {
    const o2 = (v: number, enriched = false) =>
      judgeAnalysis(
        GASES,
        [
          { gas: 'O2', value: v, unit: '%vol' },
          { gas: 'CH4', value: 0, unit: '%LEL' },
        ],
        { ...CONFINED, oxygenEnriched: enriched },
      ).verdict;
    expect(o2(19.4)).toBe('fail');
    expect(o2(20.9)).toBe('pass');
    expect(o2(22)).toBe('fail');
    expect(o2(22, true)).toBe('pass');
    expect(o2(23.6, true)).toBe('fail');
  });

  it('compares toxic gases with their limit in ppm or mg/m³', () => {
    expect(judgeAnalysis(GASES, [{ gas: 'H2S', value: 7, unit: 'ppm' }], HOT).verdict).toBe('pass');
    expect(judgeAnalysis(GASES, [{ gas: 'H2S', value: 8, unit: 'ppm' }], HOT).verdict).toBe('fail');
    expect(judgeAnalysis(GASES, [{ gas: 'H2S', value: 11, unit: 'mg/m3' }], HOT).verdict).toBe('fail');
  });

  it('fails a confined-space analysis without an oxygen reading', () => {
    const j = judgeAnalysis(GASES, [{ gas: 'CH4', value: 0, unit: '%LEL' }], CONFINED);
    expect(j.verdict).toBe('fail');
    expect(j.problems[0]!.zh).toContain('氧含量');
  });

  it('refuses unknown gases and units that do not fit', () => {
    expect(() => judgeAnalysis(GASES, [{ gas: 'XX', value: 1, unit: 'ppm' }], HOT)).toThrow(ReadingError);
    expect(() => judgeAnalysis(GASES, [{ gas: 'O2', value: 1, unit: '%LEL' }], HOT)).toThrow(ReadingError);
  });

  it('guesses the gas of a tag from its code', () => {
    expect(guessGas('CH4_LEL', '%LEL', GASES)).toBe('CH4');
    expect(guessGas('H2S', 'ppm', GASES)).toBe('H2S');
    expect(guessGas('TEMP', '°C', GASES)).toBeNull();
  });
});

describe('grades and validity', () => {
  it('grades height and lifting from the form', () => {
    expect([2, 5, 5.1, 15, 16, 30, 31].map(heightGrade)).toEqual(['I', 'I', 'II', 'II', 'III', 'III', 'IV']);
    expect([39, 40, 100, 101].map(liftingGrade)).toEqual(['third', 'second', 'second', 'first']);
  });

  it('raises the grade one step at night, on holidays and in wind force 5', () => {
    const tz = 'Asia/Shanghai';
    const day = { from: new Date('2026-03-02T01:00:00Z'), to: new Date('2026-03-02T03:00:00Z') }; // 09–11 local
    const evening = { from: new Date('2026-03-02T11:00:00Z'), to: new Date('2026-03-02T12:01:00Z') }; // 19:00–20:01
    expect(raiseReasons(day, { timezone: tz, holidays: new Set(), windLevel: 0 })).toEqual([]);
    expect(raiseReasons(evening, { timezone: tz, holidays: new Set(), windLevel: 0 })).toEqual(['night']);
    expect(raiseReasons(day, { timezone: tz, holidays: new Set(['2026-03-02']), windLevel: 5 })).toEqual([
      'holiday',
      'wind',
    ]);
    expect(gradeOf('hot_work', 'second', {}, ['night'])).toEqual({ requested: 'second', effective: 'first' });
    expect(gradeOf('hot_work', 'special', {}, ['night'])).toEqual({
      requested: 'special',
      effective: 'special',
    });
    expect(gradeOf('height', undefined, { heightM: 20 }, ['wind'])).toEqual({
      requested: 'III',
      effective: 'IV',
    });
    expect(gradeOf('confined_space', undefined, {}, ['night'])).toEqual({
      requested: 'none',
      effective: 'none',
    });
    expect('error' in gradeOf('hot_work', undefined, {}, [])).toBe(true);
  });

  it('refuses windows longer than the rule and temporary power outside the permit it serves', () => {
    const now = new Date('2026-03-02T00:00:00Z');
    const w = (h: number) => ({ from: now, to: new Date(now.getTime() + h * 3600_000) });
    expect(checkWindow({ maxValidityHours: 8, hardMaxValidityHours: null }, w(8), { now })).toBeNull();
    expect(checkWindow({ maxValidityHours: 8, hardMaxValidityHours: null }, w(9), { now })?.zh).toContain(
      '8',
    );
    const served = { from: now, to: new Date(now.getTime() + 4 * 3600_000), code: 'ZY-DH-1' };
    expect(
      checkWindow({ maxValidityHours: 360, hardMaxValidityHours: 720 }, w(5), { now, servedWindow: served })
        ?.zh,
    ).toContain('ZY-DH-1');
  });
});

describe('conflicts and duties', () => {
  const f = (
    id: number,
    type: Parameters<typeof conflictBetween>[0]['type'],
    eq: number[] = [],
    linked: number[] = [],
  ) => ({
    id,
    type,
    equipmentIds: eq,
    linkedIds: linked,
  });
  it('forbids two blind plates on the same equipment and asks for approval next to hot work', () => {
    expect(conflictBetween(f(1, 'blind_plate', [7]), f(2, 'blind_plate', [7])).decision).toBe('forbid');
    expect(conflictBetween(f(1, 'blind_plate', [7]), f(2, 'blind_plate', [8])).decision).toBe('allowed');
    expect(conflictBetween(f(1, 'hot_work'), f(2, 'blind_plate')).addsLevel).toBe('safety_department');
    expect(conflictBetween(f(1, 'hot_work'), f(2, 'confined_space')).decision).toBe('needs_approval');
    expect(conflictBetween(f(1, 'hot_work', [], [2]), f(2, 'confined_space')).decision).toBe('allowed');
    expect(conflictBetween(f(1, 'hot_work'), f(2, 'excavation')).decision).toBe('allowed');
  });

  it('keeps applicant, analyst, watcher and workers off the approvals and the watcher off the workers', () => {
    const d = { applicantId: 1, watcherId: 2, workerUserIds: [3], analystIds: [4], approverIds: [5] };
    expect(approverConflict(1, d)?.rule).toBe('approver_not_applicant');
    expect(approverConflict(4, d)?.rule).toBe('approver_not_analyst');
    expect(approverConflict(2, d)?.rule).toBe('approver_not_watcher');
    expect(approverConflict(3, d)?.rule).toBe('approver_not_worker');
    expect(approverConflict(9, d)).toBeNull();
    expect(peopleConflict({ watcherId: 3, workerUserIds: [3] })?.rule).toBe('watcher_not_worker');
  });

  it('needs a new analysis to resume unless a work break was short', () => {
    const rule = { needsGasAnalysis: true, retestAfterInterruptionMin: 30 };
    const at = new Date('2026-03-02T00:00:00Z');
    const later = (min: number) => new Date(at.getTime() + min * 60_000);
    expect(resumeNeedsAnalysis(rule, { cause: 'interruption', at }, later(30))).toBe(false);
    expect(resumeNeedsAnalysis(rule, { cause: 'interruption', at }, later(31))).toBe(true);
    expect(resumeNeedsAnalysis(rule, { cause: 'watcher_stop', at }, later(1))).toBe(true);
    expect(resumeNeedsAnalysis({ ...rule, needsGasAnalysis: false }, { cause: 'alarm', at }, later(90))).toBe(
      false,
    );
  });
});
