import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CELL_STATUSES, COURSE_KINDS, NEED_REASONS } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the training pages in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('names every course kind, standing and need reason', () => {
    const known = new Set(keys(zhCN as Tree));
    for (const k of COURSE_KINDS) expect(known.has(`training.kind.${k}`), k).toBe(true);
    for (const s of CELL_STATUSES) expect(known.has(`training.status.${s}`), s).toBe(true);
    for (const r of NEED_REASONS) expect(known.has(`training.reason.${r}`), r).toBe(true);
  });

  it('has every fixed key the page uses', () => {
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) =>
        [...readFileSync(path.join(dir, f), 'utf8').matchAll(/\bt\('(training\.[\w.]+)'/g)].map((m) => m[1]!),
      );
    expect(used.length).toBeGreaterThan(30);
    for (const k of used) expect(known.has(k), k).toBe(true);
  });
});
