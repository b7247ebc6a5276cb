import type { RiskUnit } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { preview, unitToValues, valuesToBody } from './unitForm';

const unit: RiskUnit = {
  id: 7,
  nodeId: 3,
  nodeCode: 'TK-101',
  nodeNameZh: '1号储罐',
  nodeNameEn: 'Tank 101',
  name: '储罐区',
  kind: 'facility',
  departmentId: null,
  departmentName: null,
  responsibleUserId: 5,
  responsible: { id: 5, displayName: '赵主任' },
  method: 'lec',
  computedLevel: 'major',
  overrideLevel: null,
  overrideReason: null,
  level: 'major',
  events: [
    {
      id: 11,
      description: '泄漏',
      consequence: '火灾',
      score: { method: 'lec', l: 3, e: 6, c: 40 },
      value: 720,
      level: 'major',
      measures: [
        {
          id: 21,
          kind: 'engineering',
          description: '联锁',
          responsibleUserId: null,
          responsible: null,
          postId: 2,
          postName: '点检员',
          cycle: 'shift',
        },
      ],
    },
  ],
  createdAt: '2026-03-02T08:00:00.000Z',
  updatedAt: '2026-03-02T08:00:00.000Z',
};

describe('the risk unit form', () => {
  it('turns a unit into form values and back into the same body, ids kept', () => {
    const body = valuesToBody(unitToValues(unit), '复评');
    expect(body).toEqual({
      nodeId: 3,
      name: '储罐区',
      kind: 'facility',
      departmentId: null,
      responsibleUserId: 5,
      method: 'lec',
      overrideLevel: null,
      overrideReason: null,
      events: [
        {
          id: 11,
          description: '泄漏',
          consequence: '火灾',
          score: { method: 'lec', l: 3, e: 6, c: 40 },
          measures: [
            {
              id: 21,
              kind: 'engineering',
              description: '联锁',
              responsibleUserId: null,
              postId: 2,
              cycle: 'shift',
            },
          ],
        },
      ],
      reason: '复评',
    });
  });
  it("sends only the unit's method's inputs", () => {
    const v = { ...unitToValues(unit), method: 'matrix' as const };
    v.events![0] = { ...v.events![0], likelihood: 4, severity: 5 };
    expect(valuesToBody(v).events[0]!.score).toEqual({ method: 'matrix', likelihood: 4, severity: 5 });
  });
  it('previews the levels while typing, the override raising the unit', () => {
    const v = unitToValues(unit);
    v.events!.push({ description: '未填完', l: 1 });
    v.events![0]!.c = 7;
    const p = preview({ ...v, overrideLevel: 'major' });
    expect(p.events[0]).toEqual({ score: 126, level: 'general' });
    expect(p.events[1]).toBeNull();
    expect(p.unit).toEqual({ computed: 'general', level: 'major' });
  });
});
