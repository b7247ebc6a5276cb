import { TASK_STATES, TemplateItemSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { formatReading, isPending, limitBreach, liveDifference, TASK_STATE_COLOR } from './present';

const pressure = TemplateItemSchema.parse({
  kind: 'numeric',
  key: 'p',
  label: '出口压力',
  unit: 'MPa',
  low: 0.2,
  high: 1.6,
  decimals: 2,
  tagId: 17,
  tolerance: 0.1,
});
const leak = TemplateItemSchema.parse({ kind: 'pass_fail', key: 'leak', label: '无泄漏' });

describe('task words and readings', () => {
  it('has a colour for every task state: missed red, overdue orange, done green', () => {
    for (const s of TASK_STATES) expect(TASK_STATE_COLOR[s]).toBeTruthy();
    expect(TASK_STATE_COLOR.missed).toBe('red');
    expect(TASK_STATE_COLOR.overdue).toBe('orange');
    expect(TASK_STATE_COLOR.done).toBe('green');
  });

  it('lets a manager act only on tasks still to be done', () => {
    expect(TASK_STATES.filter(isPending)).toEqual(['planned', 'open', 'in_progress', 'overdue']);
  });

  it("shows a reading with the item's decimals and unit", () => {
    expect(formatReading(pressure, 1.9)).toBe('1.90 MPa');
    expect(formatReading(leak, 'fail')).toBe('fail');
    expect(formatReading(pressure, null)).toBe('—');
  });

  it('marks which limit a reading breaks', () => {
    expect(limitBreach(pressure, 1.9)).toBe('high');
    expect(limitBreach(pressure, 0.1)).toBe('low');
    expect(limitBreach(pressure, 1.6)).toBeNull();
    expect(limitBreach(leak, 'fail')).toBeNull();
  });

  it('compares the manual reading with the live tag value against the tolerance', () => {
    expect(liveDifference(pressure, 1.9, 1.55)).toEqual({ diff: 0.35, beyond: true });
    expect(liveDifference(pressure, 1.5, 1.45)).toEqual({ diff: 0.05, beyond: false });
    expect(liveDifference(pressure, 1.5, null)).toBeNull();
    expect(liveDifference({ ...pressure, tolerance: null }, 1.9, 1.0)).toEqual({ diff: 0.9, beyond: false });
  });
});
