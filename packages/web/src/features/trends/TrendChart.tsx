import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type EChartsInstance, type EChartsOption } from '../realtime/EChart';
import { formatValue } from '../realtime/format';
import type { TagRow, TrendSeries } from '../tags/api';
import { tagRef } from '../tags/TagSelect';
import { gapThresholdMs, type LimitLine, withGaps } from './gaps';

export const PALETTE = [
  '#1677ff',
  '#f5222d',
  '#52c41a',
  '#fa8c16',
  '#722ed1',
  '#13c2c2',
  '#eb2f96',
  '#8c8c8c',
];
const AXIS_WIDTH = 56;
/** Zooming further than this shows nothing new. */
const MIN_SPAN_MS = 10_000;

export type { TrendPoint } from './gaps';

import type { TrendPoint } from './gaps';

/** Limit lines in the colours of their alarm priority. */
const LIMIT_COLOR: Record<LimitLine['priority'], string> = {
  critical: '#cf1322',
  high: '#fa8c16',
  medium: '#d4b106',
  low: '#1677ff',
};

interface Props {
  tagIds: number[];
  series: TrendSeries[];
  tags: Map<number, TagRow>;
  /** Values pushed after the query, appended to each line. */
  live: Map<number, TrendPoint[]>;
  from: number;
  to: number;
  height: number;
  compact: boolean;
  /** The user zoomed to [from, to]: the page re-queries that window for finer buckets. */
  onZoom: (from: number, to: number) => void;
  /** Alarm limits per tag, drawn as dashed lines. */
  limits?: Map<number, LimitLine[]>;
}

/**
 * The trend chart: one line per tag, one y-axis per unit, a min/max band where the server
 * bucketed the data, and a zoom (wheel/pinch and a slider) that asks for the zoomed window.
 */
export function TrendChart(props: Props) {
  const { t } = useTranslation();
  const range = useRef({ from: props.from, to: props.to });
  range.current = { from: props.from, to: props.to };
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Lines hidden from the legend stay hidden when the option is rebuilt (every second when live).
  const [legendSelected, setLegendSelected] = useState<Record<string, boolean>>({});

  const option = useMemo<EChartsOption>(() => {
    const bySeries = new Map(props.series.map((s) => [s.tagId, s]));
    const units: string[] = [];
    for (const id of props.tagIds) {
      const u = props.tags.get(id)?.unit ?? '';
      if (!units.includes(u)) units.push(u);
    }
    const color = (id: number) => PALETTE[props.tagIds.indexOf(id) % PALETTE.length]!;
    const label = (id: number) => {
      const tag = props.tags.get(id);
      return tag ? tagRef(tag) : `#${id}`;
    };
    const yAxis = units.map((u, i) => {
      const first = props.tagIds.find((id) => (props.tags.get(id)?.unit ?? '') === u);
      // The axis reaches the alarm limits of its tags, so their lines are drawn even while the values are far off.
      const limitValues = props.tagIds
        .filter((id) => (props.tags.get(id)?.unit ?? '') === u)
        .flatMap((id) => (props.limits?.get(id) ?? []).map((l) => l.value));
      const lo = limitValues.length ? Math.min(...limitValues) : null;
      const hi = limitValues.length ? Math.max(...limitValues) : null;
      return {
        type: 'value',
        name: u,
        scale: true,
        ...(lo !== null && hi !== null
          ? {
              min: (v: { min: number }) => Math.min(v.min, lo),
              max: (v: { max: number }) => Math.max(v.max, hi),
            }
          : {}),
        position: i % 2 === 0 ? 'left' : 'right',
        offset: Math.floor(i / 2) * AXIS_WIDTH,
        axisLine: { show: true, lineStyle: { color: first ? color(first) : undefined } },
        splitLine: { show: i === 0 },
        nameTextStyle: { align: i % 2 === 0 ? 'right' : 'left' },
        axisLabel: { hideOverlap: true },
      };
    });
    const lines: object[] = [];
    for (const id of props.tagIds) {
      const s = bySeries.get(id);
      const tag = props.tags.get(id);
      const yAxisIndex = Math.max(0, units.indexOf(tag?.unit ?? ''));
      const c = color(id);
      const stepped = tag ? tag.type !== 'number' : false;
      const fetched: TrendPoint[] = (s?.points ?? []).map((p) => [Date.parse(p.ts), p.value]);
      const lastTs = fetched.at(-1)?.[0] ?? Number.NEGATIVE_INFINITY;
      const gapMs = gapThresholdMs({
        bucketMs: s && s.resolution !== 'raw' ? s.bucketMs : null,
        heartbeatMs: tag?.storageHeartbeatMs,
        compressed: tag?.storageCompression === 'swinging_door',
      });
      // Where nothing was stored the line breaks, in the chart and in the zoom strip.
      const data = withGaps([...fetched, ...(props.live.get(id) ?? []).filter((p) => p[0] > lastTs)], gapMs);
      const bucketed = !!s && s.resolution !== 'raw' && s.points.some((p) => p.min != null && p.max != null);
      const limits = props.limits?.get(id) ?? [];
      lines.push({
        id: `line-${id}`,
        type: 'line',
        name: label(id),
        yAxisIndex,
        data,
        showSymbol: data.length < 60,
        symbolSize: 4,
        step: stepped ? 'end' : undefined,
        connectNulls: false,
        lineStyle: { width: 1.6, color: c },
        itemStyle: { color: c },
        emphasis: { focus: 'series' },
        z: 3,
        ...(limits.length
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                animation: false,
                label: { formatter: '{b}', position: 'insideEndTop', fontSize: 10 },
                data: limits.map((l) => ({
                  name: `${l.name} ${formatValue(l.value, tag)}`,
                  yAxis: l.value,
                  lineStyle: { type: 'dashed', width: 1, color: LIMIT_COLOR[l.priority] },
                  label: { color: LIMIT_COLOR[l.priority] },
                })),
              },
            }
          : {}),
      });
      if (bucketed && s) {
        // The band: two stacked series, an invisible floor at min, then (max − min) filled. It comes
        // after the line so the legend shows the line's symbol.
        const stack = `band-${id}`;
        const common = {
          type: 'line',
          name: label(id),
          stack,
          yAxisIndex,
          showSymbol: false,
          silent: true,
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          z: 1,
          connectNulls: false,
        };
        lines.push({
          ...common,
          id: `band-lo-${id}`,
          data: withGaps(
            s.points.map((p): TrendPoint => [Date.parse(p.ts), p.min ?? null]),
            gapMs,
          ),
        });
        lines.push({
          ...common,
          id: `band-hi-${id}`,
          areaStyle: { color: c, opacity: 0.15 },
          data: withGaps(
            s.points.map(
              (p): TrendPoint => [Date.parse(p.ts), p.min != null && p.max != null ? p.max - p.min : null],
            ),
            gapMs,
          ),
        });
      }
    }
    const leftAxes = Math.ceil(units.length / 2);
    const rightAxes = Math.floor(units.length / 2);
    return {
      animation: false,
      color: props.tagIds.map(color),
      legend: {
        type: 'scroll',
        top: 0,
        data: props.tagIds.map(label),
        selected: legendSelected,
      },
      grid: {
        top: 40,
        left: Math.max(1, leftAxes) * AXIS_WIDTH,
        right: Math.max(16, rightAxes * AXIS_WIDTH),
        bottom: props.compact ? 50 : 70,
      },
      xAxis: {
        type: 'time',
        min: props.from,
        max: props.to,
        axisLabel: { hideOverlap: true },
      },
      yAxis: yAxis.length ? yAxis : [{ type: 'value' }],
      tooltip: {
        trigger: 'axis',
        confine: true,
        axisPointer: { type: 'cross', label: { show: false } },
        formatter: (params: unknown) => {
          const items = (params as Array<{ seriesId: string; value: TrendPoint; marker: string }>).filter(
            (p) => p.seriesId.startsWith('line-'),
          );
          if (!items.length) return '';
          const ts = items[0]!.value[0];
          const rows = items.map((p) => {
            const id = Number(p.seriesId.slice(5));
            const tag = props.tags.get(id);
            const s = bySeries.get(id);
            const point = s?.points.find((x) => Date.parse(x.ts) === p.value[0]);
            const band =
              point && point.min != null && point.max != null
                ? ` <span style="opacity:.6">(${formatValue(point.min)} – ${formatValue(point.max)})</span>`
                : '';
            return `${p.marker}${label(id)}: <b>${formatValue(p.value[1], tag)}</b> ${tag?.unit ?? ''}${band}`;
          });
          return [dayjs(ts).format('YYYY-MM-DD HH:mm:ss'), ...rows].join('<br/>');
        },
      },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'none', minValueSpan: MIN_SPAN_MS },
        {
          type: 'slider',
          xAxisIndex: 0,
          filterMode: 'none',
          height: props.compact ? 18 : 24,
          bottom: props.compact ? 8 : 16,
          minValueSpan: MIN_SPAN_MS,
          // The strip's shadow is drawn by point index, not by time: it bridged every gap.
          showDataShadow: false,
          labelFormatter: (v: number) => dayjs(v).format('MM-DD HH:mm'),
        },
      ],
      series: lines,
    };
  }, [
    props.series,
    props.tags,
    props.live,
    props.tagIds,
    props.from,
    props.to,
    props.compact,
    props.limits,
    legendSelected,
  ]);

  const onReady = (chart: EChartsInstance) => {
    chart.on('legendselectchanged', (e: unknown) => {
      setLegendSelected({ ...(e as { selected: Record<string, boolean> }).selected });
    });
    chart.on('datazoom', (e: unknown) => {
      const ev = e as { start?: number; end?: number; batch?: Array<{ start?: number; end?: number }> };
      const start = ev.batch?.[0]?.start ?? ev.start;
      const end = ev.batch?.[0]?.end ?? ev.end;
      if (start === undefined || end === undefined) return;
      if (timer.current) clearTimeout(timer.current);
      // Wait until the wheel or the slider rests, then ask for that window.
      timer.current = setTimeout(() => {
        const { from, to } = range.current;
        const span = to - from;
        const a = Math.round(from + (span * start) / 100);
        const b = Math.round(from + (span * end) / 100);
        if (b - a < span * 0.98) onZoom.current(a, b);
      }, 600);
    });
  };

  return (
    <EChart
      option={option}
      notMerge
      onReady={onReady}
      style={{ width: '100%', height: props.height }}
      aria-label={t('trends.chartLabel')}
      data-testid="trend-chart"
    />
  );
}
