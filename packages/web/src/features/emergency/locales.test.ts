import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EMERGENCY_RUN_STATES, EMERGENCY_SCENARIOS, PERMISSION_KEYS } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { clockSpan, moved } from './api';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the emergency pages in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('names every scenario and run state', () => {
    const known = new Set(keys(zhCN as Tree));
    for (const s of EMERGENCY_SCENARIOS) expect(known.has(`emergency.scenario.${s}`), s).toBe(true);
    for (const s of EMERGENCY_RUN_STATES) expect(known.has(`emergency.state.${s}`), s).toBe(true);
  });

  it('has every fixed key the pages use', () => {
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/'(emergency\.[A-Za-z0-9_.]+)'/g)])
      .map((m) => m[1] as string)
      .filter((k) => !k.endsWith('.') && !(PERMISSION_KEYS as string[]).includes(k));
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});

describe('the step timer and the step order buttons', () => {
  it('shows spans as mm:ss, or h:mm:ss from an hour', () => {
    expect(clockSpan(65_000)).toBe('01:05');
    expect(clockSpan(-65_000)).toBe('01:05');
    expect(clockSpan(3_725_000)).toBe('1:02:05');
  });
  it('moves a step up or down and leaves the ends alone', () => {
    expect(moved(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});
