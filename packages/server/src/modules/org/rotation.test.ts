import { describe, expect, it } from 'vitest';
import { rotationEntries } from './rotation.js';

/** The plan of one team as letters per day: the shift's letter or 休 (rest). */
function planOf(
  entries: ReturnType<typeof rotationEntries>,
  teamId: number,
  days: string[],
  letters: string[],
) {
  return days
    .map((day) => {
      const e = entries.find((x) => x.day === day && x.teamId === teamId);
      return e ? letters[e.shiftId - 1] : '休';
    })
    .join('');
}

describe('rotation', () => {
  const days8 = Array.from({ length: 8 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);

  it('gives four teams on day and night shifts 白-夜-休-休', () => {
    const entries = rotationEntries({
      from: '2026-03-01',
      days: 8,
      shiftIds: [1, 2],
      pattern: 'rotate',
      teamIds: [11, 12, 13, 14],
      blockDays: 1,
    });
    expect(entries).toHaveLength(16); // every shift of every day is covered
    expect(planOf(entries, 11, days8, ['白', '夜'])).toBe('白夜休休白夜休休');
    expect(planOf(entries, 12, days8, ['白', '夜'])).toBe('夜休休白夜休休白');
  });

  it('gives four teams on three shifts in blocks of two days 早早中中夜夜休休 (四班三倒)', () => {
    const entries = rotationEntries({
      from: '2026-03-01',
      days: 8,
      shiftIds: [1, 2, 3],
      pattern: 'rotate',
      teamIds: [11, 12, 13, 14],
      blockDays: 2,
    });
    expect(planOf(entries, 11, days8, ['早', '中', '夜'])).toBe('早早中中夜夜休休');
    expect(planOf(entries, 14, days8, ['早', '中', '夜'])).toBe('休休早早中中夜夜');
  });

  it('repeats an explicit cycle and leaves empty slots empty', () => {
    const entries = rotationEntries({
      from: '2026-02-27',
      days: 3,
      shiftIds: [1, 2],
      pattern: 'cycle',
      cycle: [
        [11, null],
        [12, 11],
      ],
    });
    expect(entries).toEqual([
      { day: '2026-02-27', shiftId: 1, teamId: 11 },
      { day: '2026-02-28', shiftId: 1, teamId: 12 },
      { day: '2026-02-28', shiftId: 2, teamId: 11 },
      { day: '2026-03-01', shiftId: 1, teamId: 11 },
    ]);
  });
});
