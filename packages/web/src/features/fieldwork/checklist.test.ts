import { describe, expect, it } from 'vitest';
import {
  abnormalItems,
  type ChecklistItem,
  checklistItem,
  differsFromLive,
  isAbnormal,
  missingItems,
  parseReading,
  photoNeeded,
} from './checklist';
import type { DraftAnswer } from './outbox';

const item = (p: Partial<ChecklistItem> & Pick<ChecklistItem, 'key' | 'kind'>): ChecklistItem => ({
  label: p.key,
  required: true,
  unit: null,
  low: null,
  high: null,
  options: [],
  photo: 'never',
  minPhotos: 1,
  tagId: null,
  maxLiveDiff: null,
  hint: '',
  ...p,
});
const ans = (value: DraftAnswer['value'], photos: string[] = []): DraftAnswer => ({
  value,
  note: '',
  photos,
});

const oil = item({ key: 'oil', kind: 'pass_fail', photo: 'abnormal' });
const temp = item({
  key: 'temp',
  kind: 'numeric',
  unit: '°C',
  low: 10,
  high: 60,
  photo: 'abnormal',
  tagId: 3,
  maxLiveDiff: 5,
});
const guard = item({
  key: 'guard',
  kind: 'choice',
  options: [
    { value: 'ok', label: '完好', abnormal: false },
    { value: 'loose', label: '松动', abnormal: true },
  ],
});
const remark = item({ key: 'remark', kind: 'text', required: false });
const overview = item({ key: 'overview', kind: 'photo' });

describe('the checklist on the phone', () => {
  it('flags a failed item, a reading outside its limits and an abnormal choice', () => {
    expect(isAbnormal(oil, ans('fail'))).toBe(true);
    expect(isAbnormal(oil, ans('pass'))).toBe(false);
    expect(isAbnormal(temp, ans(75))).toBe(true);
    expect(isAbnormal(temp, ans(9.9))).toBe(true);
    expect(isAbnormal(temp, ans(60))).toBe(false);
    expect(isAbnormal(guard, ans('loose'))).toBe(true);
    expect(isAbnormal(remark, ans('漏油'))).toBe(false);
    expect(abnormalItems([oil, temp, guard], { oil: ans('pass'), temp: ans(75), guard: ans('ok') })).toEqual([
      'temp',
    ]);
  });

  it('asks for a photo when the plan requires one for an abnormal answer, and always for a photo item', () => {
    expect(photoNeeded(temp, ans(40))).toBe(false);
    expect(photoNeeded(temp, ans(75))).toBe(true);
    expect(photoNeeded(overview, undefined)).toBe(true);
  });

  it('lists what is still missing: unanswered required items and photos asked for', () => {
    const items = [oil, temp, guard, remark, overview];
    expect(missingItems(items, {})).toEqual(['oil', 'temp', 'guard', 'overview']);
    expect(
      missingItems(items, { oil: ans('pass'), temp: ans(75), guard: ans('ok'), overview: ans(null, ['p1']) }),
    ).toEqual(['temp']);
    expect(
      missingItems(items, {
        oil: ans('pass'),
        temp: ans(75, ['p2']),
        guard: ans('ok'),
        overview: ans(null, ['p1']),
      }),
    ).toEqual([]);
  });

  it('flags a reading far from the live value of its tag', () => {
    expect(differsFromLive(temp, ans(40), 42)).toBe(false);
    expect(differsFromLive(temp, ans(40), 50)).toBe(true);
    expect(differsFromLive(temp, ans(40), null)).toBe(false);
  });

  it('takes the plan’s photo rule and the choice’s abnormal options from the template', () => {
    const c = checklistItem(
      {
        key: 'guard',
        kind: 'choice',
        label: '防护罩',
        hint: '',
        required: true,
        tagId: null,
        tolerance: null,
        options: ['完好', '松动'],
        abnormal: ['松动'],
      },
      true,
    );
    expect(c.options).toEqual([
      { value: '完好', label: '完好', abnormal: false },
      { value: '松动', label: '松动', abnormal: true },
    ]);
    expect(photoNeeded(c, ans('松动'))).toBe(true);
    const p = checklistItem(
      {
        key: 'pic',
        kind: 'photo',
        label: '全景',
        hint: '',
        required: true,
        tagId: null,
        tolerance: null,
        minPhotos: 2,
      },
      false,
    );
    expect(missingItems([p], { pic: ans(null, ['a']) })).toEqual(['pic']);
    expect(missingItems([p], { pic: ans(null, ['a', 'b']) })).toEqual([]);
  });

  it('reads numbers as typed on a phone keyboard', () => {
    expect(parseReading('72.5')).toBe(72.5);
    expect(parseReading(' 3,5 ')).toBe(3.5);
    expect(parseReading('-2')).toBe(-2);
    expect(parseReading('')).toBeNull();
    expect(parseReading('7x')).toBeNull();
  });
});
