import { describe, expect, it } from 'vitest';
import { blockerOf, currentIndexOf, isSafeValue, lockoutStateOf, withinLimits } from './rules.js';

const defs = [
  { title: '一', requiresPrevious: false },
  { title: '二', requiresPrevious: true },
  { title: '三', requiresPrevious: false },
];

describe('SOP step rules', () => {
  it('blocks a step while the one before is pending or failed, not once it is done, rectified or skipped', () => {
    expect(blockerOf(defs, ['pending', 'pending', 'pending'], 2)).toEqual({ index: 1, title: '一' });
    expect(blockerOf(defs, ['failed', 'pending', 'pending'], 2)).toEqual({ index: 1, title: '一' });
    for (const s of ['done', 'rectified', 'skipped'] as const)
      expect(blockerOf(defs, [s, 'pending', 'pending'], 2)).toBeNull();
    expect(blockerOf(defs, ['pending', 'pending', 'pending'], 3)).toBeNull();
    expect(blockerOf(defs, ['pending', 'pending', 'pending'], 1)).toBeNull();
  });

  it('names the first open step, a failed one included', () => {
    expect(currentIndexOf(['done', 'failed', 'pending'])).toBe(2);
    expect(currentIndexOf(['done', 'skipped', 'rectified'])).toBeNull();
  });

  it('checks readings against either or both limits', () => {
    expect(withinLimits(5, { lo: 1, hi: 5, unit: '' })).toBe(true);
    expect(withinLimits(5.01, { lo: 1, hi: 5, unit: '' })).toBe(false);
    expect(withinLimits(-3, { hi: 5, unit: '' })).toBe(true);
    expect(withinLimits(0.5, { lo: 1, unit: '' })).toBe(false);
  });
});

describe('lock rules', () => {
  it('takes a coil’s false for a register’s 0 as the safe value, nothing else', () => {
    expect(isSafeValue(0, 0)).toBe(true);
    expect(isSafeValue(false, 0)).toBe(true);
    expect(isSafeValue(0, false)).toBe(true);
    expect(isSafeValue(1, 0)).toBe(false);
    expect(isSafeValue(true, false)).toBe(false);
    expect(isSafeValue('0', 0)).toBe(false);
    expect(isSafeValue('STOP', 'STOP')).toBe(true);
    expect(isSafeValue(0, null)).toBe(false);
  });

  it('derives the lockout state from its locks', () => {
    const s = (...x: Array<'open' | 'applied' | 'verified' | 'released'>) =>
      lockoutStateOf(x.map((status) => ({ status })));
    expect(s('open', 'open')).toBe('draft');
    expect(s('applied', 'open')).toBe('applying');
    expect(s('verified', 'applied')).toBe('applying');
    expect(s('verified', 'verified')).toBe('locked');
    expect(s('released', 'verified')).toBe('releasing');
    expect(s('released', 'released')).toBe('released');
    expect(s('released', 'open')).toBe('released');
  });
});
