import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ANALYSIS_DIMENSIONS,
  ANALYSIS_MEASURES,
  ANALYSIS_WARNINGS,
  type ShiftAnalysisResult,
  TREND_BUCKETS,
} from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  formatRate,
  RATE_COLOR,
  rateChartOption,
  renderWhisker,
  TESTED_OUT_COLOR,
  whiskerData,
} from './charts';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

const result = {
  groups: [
    {
      key: 'shift:1',
      label: { zh: '白班', en: 'Day' },
      count: 50,
      exposureHours: 336,
      rate: 14.9,
      ci: { low: 11, high: 19.6 },
      tested: true,
    },
    {
      key: 'shift:2',
      label: { zh: '夜班', en: 'Night' },
      count: 100,
      exposureHours: 336,
      rate: 29.8,
      ci: { low: 24.2, high: 36.2 },
      tested: true,
    },
    {
      key: 'none',
      label: { zh: '未排班', en: 'Not on the roster' },
      count: 4,
      exposureHours: null,
      rate: null,
      ci: null,
      tested: false,
    },
  ],
} as unknown as ShiftAnalysisResult;
const words = { rate: 'rate', ci: 'ci', events: 'events', hours: 'h' };

describe('the rate chart', () => {
  it('draws one whisker per group with a rate, from CI low to high', () => {
    expect(whiskerData(result)).toEqual([
      [0, 11, 19.6],
      [1, 24.2, 36.2],
    ]);
  });

  it('greys out the groups outside the test and names groups in the UI language', () => {
    const option = rateChartOption(result, 'en', words);
    const bars = option.series[0]!.data as { value: number | null; itemStyle: { color: string } }[];
    expect(option.xAxis.data).toEqual(['Day', 'Night', 'Not on the roster']);
    expect(bars.map((d) => d.itemStyle.color)).toEqual([RATE_COLOR, RATE_COLOR, TESTED_OUT_COLOR]);
    expect(bars[2]!.value).toBeNull();
    expect(rateChartOption(result, 'zh', words).xAxis.data[1]).toBe('夜班');
  });

  it('renders a whisker as a vertical line between the CI ends with two caps', () => {
    // a fake coordinate system: x index i at 100·i + 50, y value v at 400 − 10·v
    const api = {
      value: (d: number) => [1, 24.2, 36.2][d]!,
      coord: ([x, y]: [number, number]) => [100 * x + 50, 400 - 10 * y],
      size: () => [100, 0],
    };
    const shape = renderWhisker(null, api);
    expect(shape.children[0]!.shape).toEqual({ x1: 150, y1: 400 - 242, x2: 150, y2: 400 - 362 });
    expect(shape.children[1]!.shape.y1).toBe(shape.children[1]!.shape.y2);
    expect(shape.children[1]!.shape.x2 - shape.children[1]!.shape.x1).toBeCloseTo(24);
  });

  it('shows rates with two significant figures', () => {
    expect(formatRate(0.01234)).toBe('0.012');
    expect(formatRate(2.345)).toBe('2.3');
    expect(formatRate(29.76)).toBe('29.8');
    expect(formatRate(null)).toBe('–');
  });
});

describe('the analysis page in both languages', () => {
  it('has the same keys in Chinese and English', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('names every measure, dimension, bucket and warning', () => {
    const known = new Set(keys(zhCN as Tree));
    for (const m of ANALYSIS_MEASURES) expect(known.has(`analysis.measure.${m}`), m).toBe(true);
    for (const d of ANALYSIS_DIMENSIONS) expect(known.has(`analysis.dimension.${d}`), d).toBe(true);
    for (const b of TREND_BUCKETS) expect(known.has(`analysis.bucket.${b}`), b).toBe(true);
    for (const w of ANALYSIS_WARNINGS) expect(known.has(`analysis.warning.${w}`), w).toBe(true);
  });

  it('has every fixed key the page uses', () => {
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/'(analysis\.[A-Za-z0-9_.]+)'/g)])
      .map((m) => m[1] as string)
      .filter((k) => !k.endsWith('.'));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});
