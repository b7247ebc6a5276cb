import type { Quality, TagType } from '@aegis/shared';
import type { PointValue } from '../ingest/types.js';

/** How a value sits in a row: numbers, booleans (0/1) and numeric states in num; text in txt. */
export interface Encoded {
  num: number | null;
  txt: string | null;
}

export const QUALITY_CODE: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };
export const QUALITY_OF: Quality[] = ['good', 'uncertain', 'bad'];

export function encode(value: PointValue): Encoded {
  if (value === null) return { num: null, txt: null };
  if (typeof value === 'number') return { num: value, txt: null };
  if (typeof value === 'boolean') return { num: value ? 1 : 0, txt: null };
  return { num: null, txt: value };
}

export function decode(type: TagType, num: number | null, txt: string | null): PointValue {
  switch (type) {
    case 'number':
      return num;
    case 'boolean':
      return num === null ? null : num !== 0;
    case 'state':
      return num ?? txt;
    case 'string':
      return txt;
  }
}
