import { LineChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CSSProperties, useEffect, useRef } from 'react';

// Only what the trend chart and the sparklines draw, so the chunk stays small.
echarts.use([
  LineChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

export type EChartsOption = echarts.EChartsCoreOption;
export type EChartsInstance = echarts.ECharts;

/**
 * A chart that follows its container's size. `option` is applied on every change (merged, or
 * replaced with `notMerge`); `onReady` gets the instance once, to attach event handlers.
 */
export function EChart(props: {
  option: EChartsOption;
  notMerge?: boolean;
  style?: CSSProperties;
  className?: string;
  onReady?: (chart: EChartsInstance) => void;
  'aria-label'?: string;
  'data-testid'?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsInstance | null>(null);
  const onReady = useRef(props.onReady);
  onReady.current = props.onReady;

  useEffect(() => {
    if (!el.current) return;
    const instance = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    onReady.current?.(instance);
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(props.option, { notMerge: props.notMerge ?? false, lazyUpdate: true });
  }, [props.option, props.notMerge]);

  return (
    <div
      ref={el}
      role="img"
      aria-label={props['aria-label']}
      data-testid={props['data-testid']}
      className={props.className}
      style={props.style}
    />
  );
}
