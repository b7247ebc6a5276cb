import type { AnalysisTrend, ShiftAnalysisResult } from '@aegis/shared';

// The two charts of the analysis page as ECharts options (pure, tested): rates per group as bars
// with their 95 % confidence intervals as whiskers, and the rates per bucket as lines.

type Lang = 'zh' | 'en';
export const RATE_COLOR = '#1677ff';
export const TESTED_OUT_COLOR = '#bfbfbf';

/** A rate as shown: two significant figures below 10, one decimal above. */
export function formatRate(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (x === 0) return '0';
  if (x >= 10) return x.toFixed(1);
  return x.toPrecision(2);
}

/** The whiskers' data: [group index, CI low, CI high] for each group that has a rate. */
export function whiskerData(r: ShiftAnalysisResult): [number, number, number][] {
  return r.groups.flatMap((g, i) => (g.ci ? [[i, g.ci.low, g.ci.high] as [number, number, number]] : []));
}

interface RenderApi {
  value(dim: number): number;
  coord(v: [number, number]): number[];
  size(v: [number, number]): number[];
}

/** One whisker: a vertical line from the CI's low to its high, with caps. */
export function renderWhisker(_params: unknown, api: RenderApi) {
  const x = api.value(0);
  const low = api.coord([x, api.value(1)]);
  const high = api.coord([x, api.value(2)]);
  const cap = Math.max(4, (api.size([1, 0])[0] ?? 20) * 0.12);
  const style = { stroke: '#262626', lineWidth: 1.5 };
  const line = (x1: number, y1: number, x2: number, y2: number) => ({
    type: 'line',
    shape: { x1, y1, x2, y2 },
    style,
  });
  return {
    type: 'group',
    children: [
      line(low[0]!, low[1]!, high[0]!, high[1]!),
      line(low[0]! - cap, low[1]!, low[0]! + cap, low[1]!),
      line(high[0]! - cap, high[1]!, high[0]! + cap, high[1]!),
    ],
  };
}

/** Bars of the rate per group (groups outside the test in grey) with CI whiskers. */
export function rateChartOption(
  r: ShiftAnalysisResult,
  lang: Lang,
  words: { rate: string; ci: string; events: string; hours: string },
) {
  const labels = r.groups.map((g) => g.label[lang]);
  return {
    grid: { left: 48, right: 16, top: 24, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const g = r.groups[items[0]?.dataIndex ?? 0];
        if (!g) return '';
        const ci = g.ci ? `${formatRate(g.ci.low)}–${formatRate(g.ci.high)}` : '–';
        const hours = g.exposureHours === null ? '–' : g.exposureHours.toFixed(1);
        return `${g.label[lang]}<br/>${words.rate}: ${formatRate(g.rate)}<br/>${words.ci}: ${ci}<br/>${words.events}: ${g.count} · ${words.hours}: ${hours}`;
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      axisLabel: { interval: 0, rotate: labels.length > 6 ? 40 : 0, width: 90, overflow: 'truncate' },
    },
    yAxis: { type: 'value', name: words.rate, nameTextStyle: { align: 'left' } },
    series: [
      {
        type: 'bar',
        name: words.rate,
        barMaxWidth: 56,
        data: r.groups.map((g) => ({
          value: g.rate,
          itemStyle: { color: g.tested ? RATE_COLOR : TESTED_OUT_COLOR },
        })),
      },
      {
        type: 'custom',
        name: words.ci,
        renderItem: renderWhisker,
        encode: { x: 0, y: [1, 2] },
        data: whiskerData(r),
        z: 10,
        tooltip: { show: false },
      },
    ],
  };
}

/** Lines of the rate per bucket, one per group. */
export function trendChartOption(t: AnalysisTrend, lang: Lang, words: { rate: string }) {
  return {
    grid: { left: 48, right: 16, top: 48, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => formatRate(v) },
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'category', data: t.buckets, boundaryGap: t.bucket !== 'day' },
    yAxis: { type: 'value', name: words.rate, nameTextStyle: { align: 'left' } },
    series: t.series.map((s) => ({
      type: 'line',
      name: s.label[lang],
      data: s.rates,
      // a rate is null only where the group had no hours at all (a weekday's line on other days): join across
      connectNulls: true,
      showSymbol: t.buckets.length <= 62,
    })),
  };
}
