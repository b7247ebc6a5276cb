import { CreatePlanSchema, PlanSchema, UpdatePlanSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  assigneeKey,
  describeSchedule,
  describeWindow,
  draftPreviewFromValues,
  durationText,
  newPlanValues,
  parseAssigneeKey,
  planFromValues,
  planUpdateFromValues,
  valuesFromPlan,
} from './planForm';

const plan = PlanSchema.parse({
  id: 2,
  nodeId: 3,
  code: 'pump-round',
  name: '泵房巡检',
  description: '',
  templateId: 4,
  routeId: null,
  stops: [
    { checkpointId: 11, templateId: null },
    { checkpointId: 12, templateId: 5 },
  ],
  schedule: { kind: 'weekly', days: [1, 3, 5], times: ['08:00', '20:00'] },
  assignee: { kind: 'post', postId: 6 },
  window: { startOffsetMin: -15, dueAfterMin: 90, graceMin: 30, remindBeforeMin: 20 },
  requireScan: true,
  onMissingScan: 'flag',
  requirePhotoOnAbnormal: false,
  controlMeasureIds: [8],
  active: true,
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
});
const shiftName = (id: number) => ({ 1: '早班', 2: '中班' })[id] ?? `#${id}`;

describe('the plan editor form', () => {
  it('round-trips a stored plan with its own checkpoints unchanged', () => {
    const { id: _i, createdAt: _c, updatedAt: _u, ...input } = plan;
    expect(planFromValues(valuesFromPlan(plan))).toEqual(input);
    const update = planUpdateFromValues(valuesFromPlan(plan), ' 改到每周三次 ');
    expect(update).not.toHaveProperty('nodeId');
    expect(update.reason).toBe('改到每周三次');
    expect(UpdatePlanSchema.safeParse(update).success).toBe(true);
  });

  it('sends no stops when the plan follows a route, and no route when it lists checkpoints', () => {
    const byRoute = { ...valuesFromPlan(plan), stopMode: 'route' as const, routeId: 9 };
    expect(planFromValues(byRoute)).toMatchObject({ routeId: 9, stops: [] });
    const byList = { ...byRoute, stopMode: 'checkpoints' as const };
    expect(planFromValues(byList).routeId).toBeNull();
    expect(planFromValues(byList).stops).toHaveLength(2);
  });

  it('sends only the schedule of the chosen kind, with times sorted and doubles dropped', () => {
    const v = { ...valuesFromPlan(plan), scheduleKind: 'daily' as const, times: ['20:00', '08:00', '20:00'] };
    expect(planFromValues(v).schedule).toEqual({ kind: 'daily', times: ['08:00', '20:00'] });
    expect(planFromValues({ ...v, scheduleKind: 'shift', shiftIds: [] }).schedule).toEqual({
      kind: 'shift',
      shiftIds: [],
    });
    expect(planFromValues({ ...v, scheduleKind: 'cron', cron: ' 0  8 * * 1-5 ' }).schedule).toEqual({
      kind: 'cron',
      expression: '0 8 * * 1-5',
    });
  });

  it('writes every kind of assignee as one key and reads it back', () => {
    for (const a of [
      { kind: 'user', userId: 7 },
      { kind: 'post', postId: 3 },
      { kind: 'team', teamId: 4 },
      { kind: 'shift_on_duty' },
    ] as const)
      expect(parseAssigneeKey(assigneeKey(a))).toEqual(a);
    expect(parseAssigneeKey('role:1')).toBeNull();
    expect(parseAssigneeKey(null)).toBeNull();
  });

  it('gives a new plan a valid shape once it has a name, a template and a route', () => {
    const v = { ...newPlanValues(3), code: 'P1', name: '新计划', templateId: 4, routeId: 2 };
    expect(CreatePlanSchema.safeParse(planFromValues(v)).success).toBe(true);
    // without a route or checkpoints the server's schema says what is missing
    expect(CreatePlanSchema.safeParse(planFromValues({ ...v, routeId: null })).success).toBe(false);
  });

  it('describes each kind of schedule in Chinese and English', () => {
    expect(describeSchedule(plan.schedule, 'zh-CN', shiftName)).toBe('每周一、三、五 08:00、20:00');
    expect(describeSchedule(plan.schedule, 'en-US', shiftName)).toBe('Mon, Wed, Fri at 08:00, 20:00');
    expect(describeSchedule({ kind: 'daily', times: ['08:00'] }, 'zh-CN', shiftName)).toBe('每天 08:00');
    expect(describeSchedule({ kind: 'shift', shiftIds: [] }, 'zh-CN', shiftName)).toBe('每班开始时');
    expect(describeSchedule({ kind: 'shift', shiftIds: [1, 2] }, 'zh-CN', shiftName)).toBe(
      '每班开始时：早班、中班',
    );
    expect(describeSchedule({ kind: 'cron', expression: '0 */4 * * *' }, 'zh-CN', shiftName)).toBe(
      '每 4 小时（第 0 分）',
    );
    expect(describeSchedule({ kind: 'cron', expression: '0 8 * 1 *' }, 'zh-CN', shiftName)).toBe(
      'cron 0 8 * 1 *',
    );
  });

  it('describes the task window: opens, due, missed, reminder', () => {
    expect(describeWindow(plan.window, 'zh-CN')).toBe(
      '提前 15 分钟开放 · 1 小时 30 分钟内完成 · 2 小时后记为漏检 · 到期前 20 分钟提醒',
    );
    expect(describeWindow({ ...plan.window, startOffsetMin: 0, remindBeforeMin: 0 }, 'en-US')).toBe(
      'opens at the time · due 1 h 30 min after · missed 2 h after',
    );
    expect(durationText(1500, 'zh-CN')).toBe('1 天 1 小时');
    expect(durationText(0, 'en-US')).toBe('0 min');
  });

  it('previews the schedule being edited once node, schedule and window are complete', () => {
    const v = { ...newPlanValues(3), scheduleKind: 'daily' as const, times: ['16:30', '08:00'] };
    expect(draftPreviewFromValues(v)).toEqual({
      nodeId: 3,
      schedule: { kind: 'daily', times: ['08:00', '16:30'] },
      window: { startOffsetMin: 0, dueAfterMin: 120, graceMin: 60, remindBeforeMin: 30 },
      hours: 168,
    });
    // what is not previewed yet: no node, no time, a window due before it opens, a cron too short
    expect(draftPreviewFromValues(newPlanValues(null))).toBeNull();
    expect(draftPreviewFromValues({ ...v, times: [] })).toBeNull();
    expect(draftPreviewFromValues({ ...v, startOffsetMin: 180 })).toBeNull();
    expect(draftPreviewFromValues({ ...v, scheduleKind: 'cron', cron: '0 8' })).toBeNull();
    // the name, template and stops play no part
    expect(draftPreviewFromValues({ ...v, templateId: null, routeId: null })).not.toBeNull();
  });
});
