import { ReasonSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';

describe('ReasonSchema', () => {
  it('refuses an empty or whitespace reason', () => {
    expect(ReasonSchema.safeParse('   ').success).toBe(false);
    expect(ReasonSchema.safeParse(undefined).success).toBe(false);
  });
  it('accepts and trims a real reason', () => {
    expect(ReasonSchema.parse('  new line installed ')).toBe('new line installed');
  });
});
