import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HAZARD_ACTIONS, PERMISSION_KEYS } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the hazard pages in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('names every action and the timeline entries', () => {
    const known = new Set(keys(zhCN as Tree));
    for (const a of [...HAZARD_ACTIONS, 'create']) expect(known.has(`hazard.action.${a}`), a).toBe(true);
    expect(known.has('hazard.refused.separation_of_duties')).toBe(true);
  });

  it('has every fixed key the pages use', () => {
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/'(hazard\.[A-Za-z0-9_.]+)'/g)])
      .map((m) => m[1] as string)
      .filter((k) => !k.endsWith('.') && !(PERMISSION_KEYS as string[]).includes(k));
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});
