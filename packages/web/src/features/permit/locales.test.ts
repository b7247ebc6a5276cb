import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PERMIT_ACTIONS, PERMIT_TYPES } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { boardTotals, hoursBetween } from './board';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';
import { defaultMeasures, initialValues, toDraft } from './permitForm';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the permit pages in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('has every fixed key the pages use', () => {
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/'(permit\.[A-Za-z0-9_.]+)'/g)])
      .map((m) => m[1] as string)
      .filter((k) => !k.endsWith('.') && !k.startsWith('permit.read') && !k.startsWith('permit.request'));
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });

  it('names every action a history entry can carry', () => {
    const known = new Set(keys(zhCN as Tree));
    for (const a of PERMIT_ACTIONS.filter(
      (x) => !['edit', 'delete', 'analyze', 'confirm_measures'].includes(x),
    ))
      expect(known.has(`permit.history.${a}`), a).toBe(true);
  });
});

describe('the application form', () => {
  it('starts every type with the standard checklist unanswered', () => {
    for (const type of PERMIT_TYPES) {
      const m = defaultMeasures(type);
      expect(m.length).toBeGreaterThan(5);
      expect(m.every((x) => x.applies === null)).toBe(true);
    }
  });

  it('sends the per-type fields with empty numbers as null and the grade only for hot work', () => {
    const v = initialValues('blind_plate');
    const d = toDraft('blind_plate', {
      ...v,
      title: ' 抽盲板 ',
      workers: [{ name: '张三', userId: null, certificateNo: '' }, { name: '  ' }],
      risks: ['', '介质泄漏'],
      fields: { pipeline: 'P-101', plateNumber: 'MB-7', action: 'remove', temperatureC: undefined },
    });
    expect(d).not.toHaveProperty('grade');
    expect(d.title).toBe('抽盲板');
    expect(d.workers).toEqual([{ name: '张三', userId: null, certificateNo: '' }]);
    expect(d.riskIdentification).toEqual(['介质泄漏']);
    expect(d.fields).toMatchObject({
      type: 'blind_plate',
      action: 'remove',
      temperatureC: null,
      plateNumber: 'MB-7',
    });
    expect(toDraft('hot_work', { ...initialValues('hot_work'), grade: 'first' }).grade).toBe('first');
  });

  it('links the permit a temporary power permit serves', () => {
    const d = toDraft('temporary_power', {
      ...initialValues('temporary_power'),
      fields: { servesPermitId: 7 },
    });
    expect(d.linkedPermitIds).toEqual([7]);
  });
});

describe('the board', () => {
  it('adds up the areas per state', () => {
    expect(boardTotals([{ counts: { active: 2, suspended: 1 } }, { counts: { active: 1 } }])).toEqual({
      active: 3,
      suspended: 1,
    });
    expect(hoursBetween('2026-03-02T08:00:00Z', '2026-03-02T16:30:00Z')).toBe(8.5);
  });
});
