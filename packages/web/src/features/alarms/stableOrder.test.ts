import { describe, expect, it } from 'vitest';
import { holdOrder } from './stableOrder';

type Row = { key: string; v: number };
const key = (r: Row) => r.key;

describe('alarm list order while the pointer is over it', () => {
  it('keeps every row where it was when the live order changes', () => {
    const shown = [
      { key: 'a', v: 1 },
      { key: 'b', v: 1 },
      { key: 'c', v: 1 },
    ];
    const live = [
      { key: 'c', v: 2 },
      { key: 'a', v: 2 },
      { key: 'b', v: 2 },
    ];
    expect(holdOrder(shown, live, key)).toEqual([
      { key: 'a', v: 2 },
      { key: 'b', v: 2 },
      { key: 'c', v: 2 },
    ]);
  });

  it('leaves an alarm that cleared in its place, marked gone, so the next button does not slide up', () => {
    const shown = [
      { key: 'a', v: 1 },
      { key: 'b', v: 1 },
    ];
    const held = holdOrder(shown, [{ key: 'b', v: 1 }], key);
    expect(held.map((r) => [r.key, r.gone ?? false])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });

  it('adds a new alarm at the end instead of above the pointer', () => {
    const shown = [{ key: 'a', v: 1 }];
    const live = [
      { key: 'new', v: 9 },
      { key: 'a', v: 1 },
    ];
    expect(holdOrder(shown, live, key).map((r) => r.key)).toEqual(['a', 'new']);
  });
});
