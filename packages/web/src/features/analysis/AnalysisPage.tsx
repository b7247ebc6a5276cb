import {
  ANALYSIS_DIMENSIONS,
  ANALYSIS_MEASURES,
  type AnalysisDimension,
  type AnalysisGroup,
  type AnalysisMeasure,
  type ShiftAnalysisResult,
  TREND_BUCKETS,
  type TrendBucket,
} from '@aegis/shared';
import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Grid,
  Row,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { BarChart, CustomChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { currentLanguage } from '../../app/i18n';
import { downloadFile } from '../inspection/download';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { EChart } from '../realtime/EChart';
import { type AnalysisFilters, compareCsvUrl, compareQuery, trendQuery } from './api';
import { formatRate, rateChartOption, trendChartOption } from './charts';

echarts.use([BarChart, CustomChart]);

const SIGNIFICANT = '#389e0d';
const NOT_SIGNIFICANT = '#8c8c8c';

/** The finding in one big plain line: green when the difference is significant, grey when not. */
function Finding({ result, lang }: { result: ShiftAnalysisResult; lang: 'zh' | 'en' }) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const { test } = result;
  const verdict = test.kind === 'none' ? 'notTested' : test.significant ? 'significant' : 'notSignificant';
  return (
    <Card size="small" data-testid="analysis-finding" data-verdict={verdict}>
      <Space orientation="vertical" size={4} style={{ width: '100%' }}>
        <Tag color={verdict === 'significant' ? 'success' : 'default'} style={{ fontSize: 14 }}>
          {t(`analysis.${verdict}`)}
        </Tag>
        <Typography.Text
          strong
          style={{
            fontSize: phone ? 18 : 22,
            lineHeight: 1.4,
            color: verdict === 'significant' ? SIGNIFICANT : NOT_SIGNIFICANT,
          }}
        >
          {result.finding[lang]}
        </Typography.Text>
        <Typography.Text type="secondary">{t(`analysis.method.${test.kind}`)}</Typography.Text>
        {test.warnings.map((w) => (
          <Alert
            key={w}
            type={w === 'no_events' ? 'info' : 'warning'}
            showIcon
            message={t(`analysis.warning.${w}`)}
          />
        ))}
      </Space>
    </Card>
  );
}

/** 趋势与班次分析: rates per shift/team/equipment/weekday/month with a test, and their trend. */
export function AnalysisPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const lang = i18n.language === 'en-US' ? 'en' : 'zh';
  const phone = Grid.useBreakpoint().md === false;
  const [measure, setMeasure] = useState<AnalysisMeasure>('faults');
  const [dimension, setDimension] = useState<AnalysisDimension>('shift');
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(29, 'day'), dayjs()]);
  const [bucket, setBucket] = useState<TrendBucket>('day');
  /** two groups picked to compare alone; cleared when the grouping changes */
  const [pair, setPair] = useState<string[]>([]);
  const base: AnalysisFilters = {
    measure,
    dimension,
    nodeId: nodeId ?? undefined,
    from: range[0].format('YYYY-MM-DD'),
    to: range[1].format('YYYY-MM-DD'),
  };
  const filters: AnalysisFilters = { ...base, groups: pair.length === 2 ? pair.join(',') : undefined };
  const compare = useQuery(compareQuery(filters));
  const trend = useQuery(trendQuery({ ...base, bucket }));
  const result = compare.data;

  const rateOption = useMemo(
    () =>
      result
        ? rateChartOption(result, lang, {
            rate: t('analysis.rate'),
            ci: t('analysis.ci'),
            events: t('analysis.events'),
            hours: t('analysis.hours'),
          })
        : null,
    [result, lang, t],
  );
  const trendOption = useMemo(
    () => (trend.data ? trendChartOption(trend.data, lang, { rate: t('analysis.rate') }) : null),
    [trend.data, lang, t],
  );

  const exportCsv = () =>
    downloadFile(compareCsvUrl(filters, currentLanguage()), `aegis-analysis-${measure}.csv`).catch((e) =>
      message.error(errorText(t, e)),
    );

  const columns = [
    { title: t('analysis.group'), key: 'group', render: (_: unknown, g: AnalysisGroup) => g.label[lang] },
    { title: t('analysis.events'), dataIndex: 'count', key: 'count', align: 'right' as const },
    {
      title: t('analysis.hours'),
      key: 'hours',
      align: 'right' as const,
      responsive: ['sm' as const],
      render: (_: unknown, g: AnalysisGroup) => (g.exposureHours === null ? '–' : g.exposureHours.toFixed(1)),
    },
    {
      title: t('analysis.rate'),
      key: 'rate',
      align: 'right' as const,
      render: (_: unknown, g: AnalysisGroup) => formatRate(g.rate),
    },
    {
      title: t('analysis.ci'),
      key: 'ci',
      render: (_: unknown, g: AnalysisGroup) =>
        g.ci ? `${formatRate(g.ci.low)}–${formatRate(g.ci.high)}` : '–',
    },
    {
      title: t('analysis.tested'),
      key: 'tested',
      responsive: ['md' as const],
      render: (_: unknown, g: AnalysisGroup) => (g.tested ? t('analysis.yes') : t('analysis.no')),
    },
  ];

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="analysis-page">
      <div>
        <Typography.Title level={phone ? 4 : 3} style={{ marginBottom: 4 }}>
          {t('analysis.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('analysis.intro')}</Typography.Text>
      </div>

      <Row gutter={[8, 8]}>
        <Col xs={12} md={5}>
          <Select<AnalysisMeasure>
            value={measure}
            onChange={(m) => {
              setMeasure(m);
              setPair([]);
            }}
            style={{ width: '100%' }}
            aria-label={t('analysis.measure.label')}
            data-testid="analysis-measure"
            options={ANALYSIS_MEASURES.map((m) => ({ value: m, label: t(`analysis.measure.${m}`) }))}
          />
        </Col>
        <Col xs={12} md={4}>
          <Select<AnalysisDimension>
            value={dimension}
            onChange={(d) => {
              setDimension(d);
              setPair([]);
            }}
            style={{ width: '100%' }}
            aria-label={t('analysis.dimension.label')}
            data-testid="analysis-dimension"
            options={ANALYSIS_DIMENSIONS.map((d) => ({ value: d, label: t(`analysis.dimension.${d}`) }))}
          />
        </Col>
        <Col xs={24} md={7}>
          <PlantNodeSelect
            value={nodeId}
            onChange={setNodeId}
            allowClear
            placeholder={t('analysis.filter.node')}
          />
        </Col>
        <Col xs={24} md={8}>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            inputReadOnly
            style={{ width: '100%' }}
            aria-label={t('analysis.filter.period')}
            disabledDate={(d) => d.isAfter(dayjs(), 'day')}
            onChange={(v) => {
              if (v?.[0] && v[1]) setRange([v[0], v[1]]);
            }}
          />
        </Col>
      </Row>

      {result && result.groups.filter((g) => g.exposureHours !== null).length > 2 ? (
        <Select<string[]>
          mode="multiple"
          maxCount={2}
          allowClear
          value={pair}
          onChange={setPair}
          style={{ width: '100%' }}
          placeholder={t('analysis.pair')}
          aria-label={t('analysis.pair')}
          data-testid="analysis-pair"
          options={result.groups
            .filter((g) => g.exposureHours !== null)
            .map((g) => ({ value: g.key, label: g.label[lang] }))}
        />
      ) : null}

      {compare.error ? <Alert type="error" showIcon message={errorText(t, compare.error)} /> : null}

      {result ? (
        <>
          <Finding result={result} lang={lang} />
          <Typography.Text type="secondary">
            {t('analysis.definition')}：{result.definition[lang]}
          </Typography.Text>
          <Card
            size="small"
            title={t('analysis.ratesChart')}
            extra={
              <Button size="small" icon={<DownloadOutlined />} onClick={() => void exportCsv()}>
                {phone ? null : t('analysis.exportCsv')}
              </Button>
            }
          >
            {result.groups.length && rateOption ? (
              <EChart
                option={rateOption}
                notMerge
                style={{ height: phone ? 260 : 320 }}
                aria-label={t('analysis.ratesChart')}
                data-testid="analysis-rate-chart"
              />
            ) : (
              <Empty description={t('analysis.empty')} />
            )}
          </Card>
          <Card size="small" title={t('analysis.table')}>
            <Table<AnalysisGroup>
              rowKey="key"
              size="small"
              loading={compare.isFetching}
              dataSource={result.groups}
              columns={columns}
              pagination={result.groups.length > 20 ? { pageSize: 20, size: 'small' } : false}
              scroll={{ x: 'max-content' }}
              data-testid="analysis-table"
            />
          </Card>
          <Card
            size="small"
            title={t('analysis.trendChart')}
            extra={
              <Segmented<TrendBucket>
                size="small"
                value={bucket}
                onChange={setBucket}
                options={TREND_BUCKETS.map((b) => ({ value: b, label: t(`analysis.bucket.${b}`) }))}
              />
            }
          >
            {trend.data?.series.length && trendOption ? (
              <EChart
                option={trendOption}
                notMerge
                style={{ height: phone ? 260 : 320 }}
                aria-label={t('analysis.trendChart')}
                data-testid="analysis-trend-chart"
              />
            ) : (
              <Empty description={t('analysis.empty')} />
            )}
          </Card>
        </>
      ) : compare.isLoading ? (
        <Card loading />
      ) : null}
    </Space>
  );
}
