import { CreateTemplateSchema, TemplateSchema, UpdateTemplateSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  createFromValues,
  diffItems,
  itemFromValues,
  limitsText,
  newItem,
  newTemplateValues,
  nextItemKey,
  updateFromValues,
  valuesFromTemplate,
} from './templateForm';

// A pump's daily check: one of every kind, the pressure bound to its tag.
const stored = TemplateSchema.parse({
  id: 4,
  code: 'pump-daily',
  name: '泵房日常点检',
  description: '每班一次',
  nodeId: 3,
  version: 2,
  active: true,
  items: [
    {
      kind: 'pass_fail',
      key: 'leak',
      label: '无泄漏',
      hint: '',
      required: true,
      tagId: null,
      tolerance: null,
    },
    {
      kind: 'numeric',
      key: 'pressure',
      label: '出口压力',
      hint: '看表盘',
      required: true,
      tagId: 17,
      tolerance: 0.1,
      unit: 'MPa',
      low: 0.2,
      high: 1.6,
      lowLow: null,
      highHigh: 2,
      decimals: 2,
    },
    {
      kind: 'choice',
      key: 'noise',
      label: '运行声音',
      hint: '',
      required: true,
      tagId: null,
      tolerance: null,
      options: ['正常', '轻微异响', '明显异响'],
      abnormal: ['明显异响'],
    },
    { kind: 'text', key: 'remark', label: '备注', hint: '', required: false, tagId: null, tolerance: null },
    {
      kind: 'photo',
      key: 'panel',
      label: '仪表盘照片',
      hint: '',
      required: true,
      tagId: null,
      tolerance: null,
      minPhotos: 2,
    },
    {
      kind: 'signature',
      key: 'sign',
      label: '点检人签名',
      hint: '',
      required: true,
      tagId: null,
      tolerance: null,
    },
  ],
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
});

describe('the checklist editor form', () => {
  it('round-trips a stored template with every item kind unchanged', () => {
    const body = updateFromValues(valuesFromTemplate(stored), '  调整压力上限 ');
    expect(body.items).toEqual(stored.items);
    expect(body.reason).toBe('调整压力上限');
    expect(UpdateTemplateSchema.safeParse(body).success).toBe(true);
  });

  it('sends only the fields of the chosen kind', () => {
    const v = valuesFromTemplate(stored).items[1]!;
    // the row was numeric, then switched to pass/fail: limits and unit stay behind
    expect(itemFromValues({ ...v, kind: 'pass_fail' })).toEqual({
      kind: 'pass_fail',
      key: 'pressure',
      label: '出口压力',
      hint: '看表盘',
      required: true,
      tagId: 17,
      tolerance: 0.1,
    });
  });

  it('drops the tolerance of an item not bound to a tag', () => {
    const v = { ...valuesFromTemplate(stored).items[1]!, tagId: null };
    expect(itemFromValues(v)).toMatchObject({ tagId: null, tolerance: null });
  });

  it('keeps only abnormal choices that are still options, and skips empty options', () => {
    const v = {
      ...valuesFromTemplate(stored).items[2]!,
      options: ['正常', ' ', '异响'],
      abnormal: ['异响', '明显异响'],
    };
    expect(itemFromValues(v)).toMatchObject({ options: ['正常', '异响'], abnormal: ['异响'] });
  });

  it('gives a new item a key not used yet, and a choice the usual normal/abnormal options', () => {
    expect(nextItemKey([{ key: 'item-1' }, { key: 'item-3' }])).toBe('item-4');
    expect(nextItemKey([{ key: 'item-2' }, { key: 'item-3' }])).toBe('item-4');
    expect(nextItemKey([])).toBe('item-1');
    const c = newItem('choice', [{ key: 'item-1' }]);
    expect(c).toMatchObject({ kind: 'choice', key: 'item-2', options: ['正常', '异常'], abnormal: ['异常'] });
  });

  it('makes a valid new template once it has a code, a name, a node and an item', () => {
    const v = { ...newTemplateValues(3), code: 'T1', name: '新表' };
    v.items = [{ ...newItem('pass_fail', []), label: '外观完好' }];
    expect(CreateTemplateSchema.safeParse(createFromValues(v)).success).toBe(true);
  });

  it('writes limits the way they read on a gauge', () => {
    expect(limitsText({ low: 0.2, high: 1.6, unit: 'MPa' })).toBe('0.2 – 1.6 MPa');
    expect(limitsText({ low: null, high: 80, unit: '℃' })).toBe('≤ 80 ℃');
    expect(limitsText({ low: 5, high: null, unit: '' })).toBe('≥ 5');
    expect(limitsText({ low: null, high: null, unit: 'A' })).toBe('');
  });

  it('tells which items a new version added, removed or changed', () => {
    const next = stored.items
      .filter((i) => i.key !== 'remark')
      .map((i) => (i.key === 'leak' ? { ...i, label: '无跑冒滴漏' } : i));
    next.push({
      kind: 'text',
      key: 'extra',
      label: '其他',
      hint: '',
      required: false,
      tagId: null,
      tolerance: null,
    });
    expect(diffItems(stored.items, next)).toEqual({
      added: ['extra'],
      removed: ['remark'],
      changed: ['leak'],
    });
  });
});
