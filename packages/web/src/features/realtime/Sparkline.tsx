import { useMemo } from 'react';
import { EChart } from './EChart';

/** [epoch ms, value] pairs, oldest first. */
export type SparkPoint = [number, number | null];

/** A tiny line of the last minutes of a tag, no axes: the shape matters, not the numbers. */
export function Sparkline({
  points,
  windowMs,
  now,
  color = '#1677ff',
  width = 120,
  height = 32,
}: {
  points: SparkPoint[];
  windowMs: number;
  now: number;
  color?: string;
  width?: number | string;
  height?: number;
}) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 1, right: 1, top: 3, bottom: 3 },
      xAxis: { type: 'time', show: false, min: now - windowMs, max: now },
      yAxis: { type: 'value', show: false, scale: true },
      tooltip: { show: false },
      series: [
        {
          type: 'line',
          data: points,
          showSymbol: false,
          silent: true,
          connectNulls: false,
          lineStyle: { width: 1.5, color },
          areaStyle: { color, opacity: 0.08 },
        },
      ],
    }),
    [points, windowMs, now, color],
  );
  return <EChart option={option} style={{ width, height }} />;
}
