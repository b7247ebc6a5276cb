import {
  AnalysisCsvQuerySchema,
  AnalysisTrendQuerySchema,
  AnalysisTrendSchema,
  ShiftAnalysisQuerySchema,
  type ShiftAnalysisResult,
  ShiftAnalysisResultSchema,
} from '@aegis/shared';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { toCsv } from '../../lib/csv.js';
import type { Services } from '../../services.js';
import { formatNumber, formatP } from './finding.js';

const tags = ['analysis'];
const base = '/api/analysis';

/** The group table of a comparison as CSV (through lib/csv.ts), with the finding and the test below it. */
export function compareCsv(r: ShiftAnalysisResult, lang: 'zh' | 'en') {
  const zh = lang === 'zh';
  const header = zh
    ? ['分组', '事件数', '暴露时长（小时）', '比率（次/100小时）', '95% CI 下限', '95% CI 上限', '参与检验']
    : ['Group', 'Events', 'Exposure (h)', 'Rate (per 100 h)', '95% CI low', '95% CI high', 'Tested'];
  const round = (x: number | null | undefined, digits: number) =>
    x == null ? '' : Number(x.toFixed(digits));
  const rows: unknown[][] = r.groups.map((g) => [
    g.label[lang],
    g.count,
    round(g.exposureHours, 2),
    round(g.rate, 4),
    round(g.ci?.low, 4),
    round(g.ci?.high, 4),
    g.tested ? (zh ? '是' : 'yes') : zh ? '否' : 'no',
  ]);
  rows.push([]);
  rows.push([zh ? '结论' : 'Finding', r.finding[lang]]);
  if (r.test.pValue !== null) rows.push(['p', `p ${formatP(r.test.pValue)}`]);
  if (r.test.ratio?.estimate != null) rows.push([zh ? '比值' : 'Ratio', formatNumber(r.test.ratio.estimate)]);
  rows.push([zh ? '口径' : 'Definition', r.definition[lang]]);
  rows.push([zh ? '时段' : 'Period', `${r.from} – ${r.to} (${r.timezone})`]);
  return toCsv(header, rows);
}

/** Trend and shift analysis with a statistical test (report.read, in the caller's scope). */
export async function analysisRoutes(app: App, { analysis }: Pick<Services, 'analysis'>) {
  app.get(
    `${base}/compare`,
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary:
          'Event rates per shift, team, equipment, weekday or month (per 100 h of exposure, 95 % CI) with a rate-ratio or chi-square test',
        querystring: ShiftAnalysisQuerySchema,
        response: { 200: ShiftAnalysisResultSchema, ...errorResponses },
      },
    },
    (req) => analysis.compare(req.ctx, req.query),
  );
  app.get(
    `${base}/compare.csv`,
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'The comparison table with its finding as CSV (UTF-8 with BOM, for Excel)',
        querystring: AnalysisCsvQuerySchema,
      },
    },
    async (req, reply) => {
      const { lang: locale, ...query } = req.query;
      const result = await analysis.compare(req.ctx, query);
      const lang = locale === 'en-US' ? 'en' : 'zh';
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="aegis-analysis-${result.measure}-${result.dimension}-${result.from}-${result.to}.csv"`,
        )
        .send(compareCsv(result, lang));
    },
  );
  app.get(
    `${base}/trend`,
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'The same rates per day, week or month and group, for the trend chart',
        querystring: AnalysisTrendQuerySchema,
        response: { 200: AnalysisTrendSchema, ...errorResponses },
      },
    },
    (req) => analysis.trend(req.ctx, req.query),
  );
}
