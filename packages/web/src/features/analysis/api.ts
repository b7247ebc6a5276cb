import type {
  AnalysisDimension,
  AnalysisMeasure,
  AnalysisTrend,
  ShiftAnalysisResult,
  TrendBucket,
} from '@aegis/shared';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { http, queryString } from '../../app/api';

// 趋势与班次分析. Provides ['analysis', 'compare', filters] and ['analysis', 'trend', filters]; read only.
export interface AnalysisFilters {
  measure: AnalysisMeasure;
  dimension: AnalysisDimension;
  /** undefined: everything the user may read */
  nodeId?: number | undefined;
  from: string;
  to: string;
  /** "a,b": compare only these two groups (rate ratio a / b) */
  groups?: string | undefined;
}

export const compareQuery = (f: AnalysisFilters) =>
  queryOptions({
    queryKey: ['analysis', 'compare', f] as const,
    queryFn: () => http.get<ShiftAnalysisResult>('/api/analysis/compare', { ...f }),
    placeholderData: keepPreviousData,
  });

export const trendQuery = (f: AnalysisFilters & { bucket: TrendBucket }) =>
  queryOptions({
    queryKey: ['analysis', 'trend', f] as const,
    queryFn: () => http.get<AnalysisTrend>('/api/analysis/trend', { ...f }),
    placeholderData: keepPreviousData,
  });

export const compareCsvUrl = (f: AnalysisFilters, lang: 'zh-CN' | 'en-US') =>
  `/api/analysis/compare.csv${queryString({ ...f, lang })}`;
