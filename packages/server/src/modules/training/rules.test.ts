import type { Course } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { addMonths, cellOf, deriveNeeds, type NeedInputs, standingOf } from './rules.js';

const course = (id: number, over: Partial<Course> = {}): Course => ({
  id,
  code: `C${id}`,
  nameZh: `课程${id}`,
  nameEn: `Course ${id}`,
  kind: 'other',
  validityMonths: 12,
  certificateRequired: false,
  description: '',
  permitTypes: [],
  sopIds: [],
  inspectionPlanIds: [],
  hazardTypes: [],
  active: true,
  version: 1,
  updatedAt: '2026-01-01T00:00:00Z',
  updatedByName: 'admin',
  ...over,
});

const base = (over: Partial<NeedInputs> = {}): NeedInputs => ({
  today: '2026-03-02',
  courses: [],
  people: new Map([[7, { userId: 7, name: '王五', postName: '电工', postCourses: [] }]]),
  cells: [],
  skips: [],
  missed: [],
  refusals: [],
  hazards: [],
  completions: new Map(),
  ...over,
});

const skip = (runId: number, at: string, sopId = 3) => ({
  userId: 7,
  runId,
  idx: 2,
  sopId,
  sopCode: 'SOP-01',
  sopName: '启泵',
  at,
  skipReason: '赶时间',
});

describe('validity', () => {
  it('adds months and clamps to the end of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2026-03-15', 36)).toBe('2029-03-15');
    expect(addMonths('2026-11-10', 2)).toBe('2027-01-10');
  });

  it('counts a completion valid through its expiry day, expiring within 30 days, expired after', () => {
    expect(standingOf(null, '2026-03-02')).toBe('valid');
    expect(standingOf('2026-04-02', '2026-03-02')).toBe('valid');
    expect(standingOf('2026-04-01', '2026-03-02')).toBe('expiring');
    expect(standingOf('2026-03-02', '2026-03-02')).toBe('expiring');
    expect(standingOf('2026-03-01', '2026-03-02')).toBe('expired');
  });

  it('takes the longest-lasting completion of a course: a renewal supersedes the old one', () => {
    const cell = cellOf(
      [
        { id: 1, status: 'completed', completedOn: '2023-03-01', expiresOn: '2026-03-01' },
        { id: 2, status: 'completed', completedOn: '2026-02-20', expiresOn: '2029-02-20' },
      ],
      '2026-03-02',
    );
    expect(cell).toMatchObject({ status: 'valid', recordId: 2, expiresOn: '2029-02-20' });
    expect(cellOf([], '2026-03-02').status).toBe('missing');
    expect(
      cellOf([{ id: 5, status: 'planned', completedOn: null, expiresOn: null }], '2026-03-02'),
    ).toMatchObject({ status: 'planned', recordId: 5 });
  });
});

describe('needs derived from what happened', () => {
  it('suggests nothing for a single skipped step, and the procedure course for two', () => {
    const courses = [course(1, { sopIds: [3], nameZh: '启泵操作规程' })];
    expect(deriveNeeds(base({ courses, skips: [skip(10, '2026-02-01T08:00:00Z')] }))).toEqual([]);
    const [need] = deriveNeeds(
      base({ courses, skips: [skip(10, '2026-02-01T08:00:00Z'), skip(11, '2026-02-10T08:00:00Z')] }),
    );
    expect(need).toMatchObject({
      reason: 'sop_skips',
      subject: { kind: 'person', userId: 7, name: '王五' },
      course: { id: 1, nameZh: '启泵操作规程' },
      score: 8,
    });
    expect(need!.evidence.map((e) => e.link)).toEqual(['/sop/runs/10', '/sop/runs/11']);
    expect(need!.evidence[0]!.label).toContain('赶时间');
  });

  it("falls back to the post's procedure course when no course names the procedure", () => {
    const courses = [course(4, { kind: 'post_procedure', nameZh: '电工岗位操作规程' })];
    const people = new Map([
      [
        7,
        {
          userId: 7,
          name: '王五',
          postName: '电工',
          postCourses: [{ courseId: 4, level: 'required' as const }],
        },
      ],
    ]);
    const [need] = deriveNeeds(
      base({ courses, people, skips: [skip(10, '2026-02-01T08:00:00Z'), skip(11, '2026-02-02T08:00:00Z')] }),
    );
    expect(need!.course?.nameZh).toBe('电工岗位操作规程');
  });

  it('drops a need once the course was completed after the last evidence', () => {
    const courses = [course(1, { sopIds: [3] })];
    const skips = [skip(10, '2026-02-01T08:00:00Z'), skip(11, '2026-02-10T08:00:00Z')];
    expect(deriveNeeds(base({ courses, skips, completions: new Map([['7:1', '2026-02-15']]) }))).toEqual([]);
    expect(deriveNeeds(base({ courses, skips, completions: new Map([['7:1', '2026-02-05']]) }))).toHaveLength(
      1,
    );
  });

  it('suggests the permit type course after one refusal, weighted above two missed inspections', () => {
    const courses = [
      course(2, { kind: 'hazardous_work', permitTypes: ['hot_work'], nameZh: '动火作业安全' }),
      course(3, { kind: 'inspection', nameZh: '巡检规范' }),
    ];
    const needs = deriveNeeds(
      base({
        courses,
        refusals: [
          {
            userId: 7,
            permitId: 40,
            code: 'ZY-DH-1',
            type: 'hot_work',
            typeName: '动火作业',
            at: '2026-02-11T00:00:00Z',
            reason: '气体分析缺失',
          },
        ],
        missed: [1, 2].map((i) => ({
          userId: 7,
          taskId: 50 + i,
          planId: 9,
          planName: '泵房日巡检',
          checkpointName: '1号泵',
          at: `2026-02-1${i}T00:00:00Z`,
        })),
      }),
    );
    expect(needs.map((n) => [n.reason, n.course?.nameZh, n.score])).toEqual([
      ['missed_inspections', '巡检规范', 6],
      ['permit_rejections', '动火作业安全', 5],
    ]);
    expect(needs[1]!.evidence[0]).toMatchObject({ kind: 'permit', id: 40, link: '/permits/40' });
  });

  it('lists missing and expired required courses, not recommended ones', () => {
    const courses = [course(1), course(2), course(3)];
    const needs = deriveNeeds(
      base({
        courses,
        cells: [
          { userId: 7, courseId: 1, level: 'required', status: 'missing', recordId: null, expiresOn: null },
          {
            userId: 7,
            courseId: 2,
            level: 'required',
            status: 'expired',
            recordId: 9,
            expiresOn: '2026-02-01',
          },
          {
            userId: 7,
            courseId: 3,
            level: 'recommended',
            status: 'missing',
            recordId: null,
            expiresOn: null,
          },
        ],
      }),
    );
    expect(needs.map((n) => n.key)).toEqual(['expired:u7:c2', 'missing:u7:c1']);
  });

  it('charges behaviour hazards to the department from two on', () => {
    const h = (id: number) => ({
      hazardId: id,
      code: `YH-${id}`,
      title: '未戴安全帽',
      departmentId: 5,
      departmentName: '生产一部',
      cause: '违章作业',
      at: '2026-02-20T00:00:00Z',
    });
    const courses = [course(8, { kind: 'induction', nameZh: '三级安全教育' })];
    expect(deriveNeeds(base({ courses, hazards: [h(1)] }))).toEqual([]);
    const [need] = deriveNeeds(base({ courses, hazards: [h(1), h(2)] }));
    expect(need).toMatchObject({
      reason: 'behaviour_hazards',
      subject: { kind: 'department', departmentId: 5, name: '生产一部' },
      course: { nameZh: '三级安全教育' },
    });
    expect(need!.evidence.map((e) => e.link)).toEqual(['/hazards/1', '/hazards/2']);
  });
});
