import { describe, expect, it } from 'vitest';
import {
  CreateRiskUnitSchema,
  lecLevel,
  lecScore,
  matrixLevel,
  RiskScoreInputSchema,
  scoreRisk,
  unitLevel,
  worstLevel,
} from './risk.js';

describe('LEC 作业条件危险性分析 bands', () => {
  it('puts D above 320 in 重大, 160 to 320 in 较大, 70 to below 160 in 一般, below 70 in 低', () => {
    expect(lecLevel(320.001)).toBe('major');
    expect(lecLevel(400)).toBe('major');
    expect(lecLevel(320)).toBe('significant');
    expect(lecLevel(160)).toBe('significant');
    expect(lecLevel(159.9)).toBe('general');
    expect(lecLevel(70)).toBe('general');
    expect(lecLevel(69.9)).toBe('low');
    expect(lecLevel(0.05)).toBe('low');
  });
  it('multiplies the table values without float noise', () => {
    expect(lecScore(0.1, 3, 7)).toBe(2.1);
    expect(lecScore(0.2, 6, 3)).toBe(3.6);
    expect(scoreRisk({ method: 'lec', l: 3, e: 6, c: 40 })).toEqual({ score: 720, level: 'major' });
    expect(scoreRisk({ method: 'lec', l: 6, e: 6, c: 7 })).toEqual({ score: 252, level: 'significant' });
    expect(scoreRisk({ method: 'lec', l: 1, e: 10, c: 7 })).toEqual({ score: 70, level: 'general' });
    expect(scoreRisk({ method: 'lec', l: 1, e: 6, c: 7 })).toEqual({ score: 42, level: 'low' });
  });
  it('takes only the values of the LEC tables', () => {
    expect(RiskScoreInputSchema.safeParse({ method: 'lec', l: 2, e: 6, c: 7 }).success).toBe(false);
    expect(RiskScoreInputSchema.safeParse({ method: 'lec', l: 0.5, e: 0.5, c: 100 }).success).toBe(true);
  });
});

describe('risk matrix bands', () => {
  it('puts R ≥ 20 in 重大, 15–16 in 较大, 9–12 in 一般, ≤ 8 in 低', () => {
    expect(matrixLevel(25)).toBe('major');
    expect(matrixLevel(20)).toBe('major');
    expect(matrixLevel(16)).toBe('significant');
    expect(matrixLevel(15)).toBe('significant');
    expect(matrixLevel(12)).toBe('general');
    expect(matrixLevel(9)).toBe('general');
    expect(matrixLevel(8)).toBe('low');
    expect(matrixLevel(1)).toBe('low');
    expect(scoreRisk({ method: 'matrix', likelihood: 4, severity: 5 })).toEqual({
      score: 20,
      level: 'major',
    });
  });
  it('refuses likelihood or severity outside 1–5', () => {
    expect(RiskScoreInputSchema.safeParse({ method: 'matrix', likelihood: 0, severity: 3 }).success).toBe(
      false,
    );
    expect(RiskScoreInputSchema.safeParse({ method: 'matrix', likelihood: 3, severity: 6 }).success).toBe(
      false,
    );
  });
});

describe("a unit's level", () => {
  it('is the worst of its events', () => {
    expect(unitLevel(['low', 'significant', 'general'], null)).toEqual({
      computed: 'significant',
      level: 'significant',
    });
  });
  it('is raised by an override and never lowered by one', () => {
    expect(unitLevel(['general'], 'major')).toEqual({ computed: 'general', level: 'major' });
    expect(unitLevel(['major'], 'low')).toEqual({ computed: 'major', level: 'major' });
    expect(worstLevel(null, 'low')).toBe('low');
  });
  it('needs a reason for a level set by hand and one scoring method for all events', () => {
    const base = {
      nodeId: 1,
      name: '储罐区',
      kind: 'facility',
      method: 'lec',
      events: [{ description: '泄漏', score: { method: 'lec', l: 3, e: 6, c: 40 } }],
    };
    expect(CreateRiskUnitSchema.safeParse(base).success).toBe(true);
    expect(CreateRiskUnitSchema.safeParse({ ...base, overrideLevel: 'major' }).success).toBe(false);
    expect(
      CreateRiskUnitSchema.safeParse({ ...base, overrideLevel: 'major', overrideReason: '历史事故' }).success,
    ).toBe(true);
    expect(CreateRiskUnitSchema.safeParse({ ...base, method: 'matrix' }).success).toBe(false);
  });
});
