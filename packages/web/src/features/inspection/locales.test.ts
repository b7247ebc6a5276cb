import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PERMISSION_KEYS } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the inspection pages in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('has every fixed key the pages use', () => {
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => [
        ...readFileSync(path.join(dir, f), 'utf8').matchAll(/'(inspection\.[A-Za-z0-9_.]+)'/g),
      ])
      .map((m) => m[1] as string)
      // permission names ('inspection.manage') are not words
      .filter((k) => !k.endsWith('.') && !(PERMISSION_KEYS as string[]).includes(k));
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});
