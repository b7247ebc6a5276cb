import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT_KINDS, REPORT_PERIODS, REPORT_RUN_STATUSES } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the report pages in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('names every report kind, run status and schedule period', () => {
    const known = new Set(keys(zhCN as Tree));
    for (const k of REPORT_KINDS) expect(known.has(`report.kinds.${k}`), k).toBe(true);
    for (const s of REPORT_RUN_STATUSES) expect(known.has(`report.status.${s}`), s).toBe(true);
    for (const p of REPORT_PERIODS) expect(known.has(`report.periods.${p}`), p).toBe(true);
  });

  it('has every fixed key the page uses', () => {
    const known = new Set(keys(zhCN as Tree));
    const used = [
      ...readFileSync(path.join(import.meta.dirname, 'ReportsPage.tsx'), 'utf8').matchAll(
        /'(report\.[A-Za-z0-9_.]+)'/g,
      ),
    ]
      .map((m) => m[1] as string)
      .filter(
        (k) =>
          !k.endsWith('.') &&
          !k.startsWith('report.read') &&
          !k.startsWith('report.generate') &&
          !k.startsWith('report.manage'),
      );
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});
