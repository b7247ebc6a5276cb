import {
  ALARM_KPI_TARGETS,
  type AlarmKpiReport,
  type KpiAlarmRef,
  type KpiVerdict,
  type RationalisationRow,
  renderAlarmText,
} from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  InputNumber,
  Row,
  Segmented,
  Space,
  Spin,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { BarChart } from 'echarts/charts';
import { MarkAreaComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/notify';
import { downloadFile } from '../inspection/download';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { EChart, type EChartsOption } from '../realtime/EChart';
import { alarmKpiQuery, type KpiQuery, kpiExportUrl, rationalisationQuery } from './api';

// The shared chart registers lines only; these pages draw bars and shaded flood periods too.
echarts.use([BarChart, MarkAreaComponent]);

type Period = '24h' | '7d' | '30d' | 'month';
const VERDICT_COLOR: Record<KpiVerdict, string> = {
  acceptable: 'green',
  manageable: 'gold',
  overloaded: 'red',
};
const PRIORITY_COLOR: Record<string, string> = {
  critical: 'magenta',
  high: 'red',
  medium: 'orange',
  low: 'blue',
};

function useAlarmName() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  return (a: KpiAlarmRef) => (a.text ? renderAlarmText(a.text, null, locale) : a.message);
}

function periodOf(p: Period, month: Dayjs): { from: string; to: string } {
  // The hour is rounded, so the query key (and the cache) holds for a while.
  const now = dayjs().startOf('hour').add(1, 'hour');
  if (p === 'month')
    return { from: month.startOf('month').format(), to: month.startOf('month').add(1, 'month').format() };
  const days = p === '24h' ? 1 : p === '7d' ? 7 : 30;
  return { from: now.subtract(days, 'day').format(), to: now.format() };
}

function VerdictTag({ v }: { v: KpiVerdict }) {
  const { t } = useTranslation();
  return <Tag color={VERDICT_COLOR[v]}>{t(`kpi.verdict.${v}`)}</Tag>;
}

function Tile(props: {
  title: string;
  value: number | string;
  suffix?: string;
  verdict?: KpiVerdict;
  note?: string;
}) {
  return (
    <Col xs={12} sm={12} md={8} lg={6} xl={4}>
      <Card size="small" style={{ height: '100%' }}>
        <Statistic title={props.title} value={props.value} suffix={props.suffix} />
        <Space size={4} wrap>
          {props.verdict && <VerdictTag v={props.verdict} />}
          {props.note && <Typography.Text type="secondary">{props.note}</Typography.Text>}
        </Space>
      </Card>
    </Col>
  );
}

function RateChart({ r }: { r: AlarmKpiReport }) {
  const { t } = useTranslation();
  const perBin = r.series.bin === '10m' ? 1 : r.series.bin === '1h' ? 6 : 144;
  const option: EChartsOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 30, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: t('kpi.chart.perOperator') },
    series: [
      {
        type: 'bar',
        name: t('kpi.chart.activations'),
        data: r.series.points.map((p) => [p.at, p.perOperator]),
        barMaxWidth: 8,
        markLine: {
          symbol: 'none',
          data: [
            { yAxis: perBin * ALARM_KPI_TARGETS.per10Min.acceptable, name: t('kpi.chart.acceptable') },
            { yAxis: perBin * ALARM_KPI_TARGETS.per10Min.manageable, name: t('kpi.chart.manageable') },
            ...(r.series.bin === '10m'
              ? [{ yAxis: r.thresholds.floodAbovePer10Min, name: t('kpi.chart.flood') }]
              : []),
          ],
          label: { formatter: '{b}' },
          lineStyle: { type: 'dashed' },
        },
        markArea: {
          itemStyle: { color: 'rgba(255, 77, 79, 0.15)' },
          data: r.flood.periods.map((f) => [{ xAxis: f.start }, { xAxis: f.end }]),
        },
      },
    ],
  };
  return <EChart option={option} notMerge style={{ height: 280 }} aria-label={t('kpi.chart.rate')} />;
}

function PriorityChart({ r }: { r: AlarmKpiReport }) {
  const { t } = useTranslation();
  const items = r.priorities.items;
  const option: EChartsOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: items.map((i) => t(`kpi.priority.${i.priority}`)) },
    yAxis: { type: 'value', name: '%' },
    series: [
      { type: 'bar', name: t('kpi.chart.actual'), data: items.map((i) => i.sharePercent) },
      { type: 'bar', name: t('kpi.chart.guideline'), data: items.map((i) => i.targetPercent ?? 0) },
    ],
  };
  return <EChart option={option} notMerge style={{ height: 240 }} aria-label={t('kpi.priorities')} />;
}

function AckChart({ r }: { r: AlarmKpiReport }) {
  const { t } = useTranslation();
  const labels = r.acknowledge.buckets.map((b, i, all) =>
    b.upToSeconds === null
      ? `≥ ${all[i - 1]?.upToSeconds ?? 0} s`
      : `< ${b.upToSeconds >= 60 ? `${b.upToSeconds / 60} min` : `${b.upToSeconds} s`}`,
  );
  const option: EChartsOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: [...labels, t('kpi.ack.none')] },
    yAxis: { type: 'value' },
    series: [
      {
        type: 'bar',
        name: t('kpi.chart.activations'),
        data: [...r.acknowledge.buckets.map((b) => b.count), r.acknowledge.notAcknowledged],
      },
    ],
  };
  return <EChart option={option} notMerge style={{ height: 240 }} aria-label={t('kpi.ack.title')} />;
}

function KpiView({ r }: { r: AlarmKpiReport }) {
  const { t, i18n } = useTranslation();
  const name = useAlarmName();
  const time = (iso: string) => dayjs(iso).format('MM-DD HH:mm');
  const alarmCol = {
    title: t('kpi.col.alarm'),
    key: 'alarm',
    render: (_: unknown, a: KpiAlarmRef) => (
      <Space size={4} wrap>
        <Tag color={PRIORITY_COLOR[a.priority]}>{t(`kpi.priority.${a.priority}`)}</Tag>
        {name(a)}
      </Space>
    ),
  };
  const num = (title: string, dataIndex: string) => ({
    title,
    dataIndex,
    key: dataIndex,
    align: 'right' as const,
  });
  const lang = i18n.language;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} key={lang}>
      <Row gutter={[8, 8]}>
        <Tile
          title={t('kpi.tile.per10Min')}
          value={r.rate.per10Min.average}
          verdict={r.rate.per10Min.verdict}
          note={t('kpi.tile.target', { n: 1 })}
        />
        <Tile
          title={t('kpi.tile.peak10Min')}
          value={r.rate.per10Min.peak}
          note={r.rate.per10Min.peakAt ? time(r.rate.per10Min.peakAt) : ''}
        />
        <Tile
          title={t('kpi.tile.perHour')}
          value={r.rate.perHour.average}
          verdict={r.rate.perHour.verdict}
          note={t('kpi.tile.target', { n: 6 })}
        />
        <Tile
          title={t('kpi.tile.perDay')}
          value={r.rate.perDay.average}
          verdict={r.rate.perDay.verdict}
          note={t('kpi.tile.target', { n: 144 })}
        />
        <Tile title={t('kpi.tile.total')} value={r.total} />
        <Tile
          title={t('kpi.tile.flood')}
          value={r.flood.percentTime}
          suffix="%"
          verdict={r.flood.verdict}
          note={t('kpi.tile.floodNote', { n: r.flood.periodCount, m: r.flood.longestMinutes })}
        />
        <Tile
          title={t('kpi.tile.topTen')}
          value={r.badActors.topSharePercent}
          suffix="%"
          verdict={r.badActors.verdict}
        />
        <Tile
          title={t('kpi.tile.chattering')}
          value={r.chattering.length}
          verdict={r.chattering.length ? 'overloaded' : 'acceptable'}
        />
        <Tile
          title={t('kpi.tile.fleeting')}
          value={r.fleeting.total}
          note={t('kpi.tile.fleetingNote', { s: r.fleetingSeconds })}
        />
        <Tile title={t('kpi.tile.stale')} value={r.stale.length} />
        <Tile
          title={t('kpi.tile.priorities')}
          value={r.priorities.items
            .map((p) => Math.round(p.sharePercent))
            .slice(1)
            .reverse()
            .join('/')}
          verdict={r.priorities.verdict}
          note="80/15/5"
        />
        <Tile
          title={t('kpi.tile.ack')}
          value={r.acknowledge.medianSeconds ?? '—'}
          suffix="s"
          note={`P90 ${r.acknowledge.p90Seconds ?? '—'} s`}
        />
        <Tile title={t('kpi.tile.standing')} value={r.current.standing} />
        <Tile title={t('kpi.tile.shelved')} value={r.current.shelved} />
        <Tile title={t('kpi.tile.suppressed')} value={r.current.suppressed} />
        <Tile title={t('kpi.tile.outOfService')} value={r.current.outOfService} />
      </Row>
      <Card size="small" title={t('kpi.chart.rate')}>
        <RateChart r={r} />
      </Card>
      <Row gutter={[8, 8]}>
        <Col xs={24} md={12}>
          <Card size="small" title={t('kpi.priorities')} extra={<VerdictTag v={r.priorities.verdict} />}>
            <PriorityChart r={r} />
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card size="small" title={t('kpi.ack.title')}>
            <AckChart r={r} />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('kpi.badActors', { p: r.badActors.topSharePercent })}>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          scroll={{ x: true }}
          dataSource={r.badActors.items}
          columns={[alarmCol, num(t('kpi.col.count'), 'count'), num(t('kpi.col.share'), 'sharePercent')]}
        />
      </Card>
      <Card size="small" title={t('kpi.chatteringTitle')}>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          scroll={{ x: true }}
          dataSource={r.chattering}
          columns={[
            alarmCol,
            num(t('kpi.col.activations'), 'activations'),
            num(t('kpi.col.episodes'), 'episodes'),
            num(t('kpi.col.maxInWindow'), 'maxInWindow'),
          ]}
        />
      </Card>
      <Card size="small" title={t('kpi.fleetingTitle', { s: r.fleetingSeconds })}>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          scroll={{ x: true }}
          dataSource={r.fleeting.items}
          columns={[
            alarmCol,
            num(t('kpi.col.activations'), 'activations'),
            num(t('kpi.col.fleeting'), 'fleeting'),
            num(t('kpi.col.median'), 'medianSeconds'),
          ]}
        />
      </Card>
      <Card size="small" title={t('kpi.staleTitle')}>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          scroll={{ x: true }}
          dataSource={r.stale}
          columns={[
            alarmCol,
            { title: t('kpi.col.since'), key: 'since', render: (_: unknown, s) => time(s.activeSince) },
            num(t('kpi.col.hours'), 'hours'),
          ]}
        />
      </Card>
      <Card size="small" title={t('kpi.floodTitle')}>
        <Table
          size="small"
          rowKey="start"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: true }}
          dataSource={r.flood.periods}
          columns={[
            { title: t('kpi.col.start'), key: 'start', render: (_: unknown, f) => time(f.start) },
            { title: t('kpi.col.end'), key: 'end', render: (_: unknown, f) => time(f.end) },
            num(t('kpi.col.minutes'), 'minutes'),
            num(t('kpi.col.count'), 'count'),
            {
              title: t('kpi.col.top'),
              key: 'top',
              render: (_: unknown, f) => f.top.map((a) => `${name(a)} ×${a.count}`).join('；'),
            },
          ]}
        />
      </Card>
    </Space>
  );
}

function RationalisationView({ q }: { q: KpiQuery }) {
  const { t, i18n } = useTranslation();
  const name = useAlarmName();
  const sheet = useQuery(rationalisationQuery(q));
  const en = i18n.language === 'en-US';
  if (sheet.isLoading) return <Spin />;
  if (sheet.error) return <Alert type="error" message={errorText(t, sheet.error)} />;
  const setting = (v: number | null, unit: string | null) =>
    v === null ? '—' : `${v}${unit ? ` ${unit}` : ''}`;
  return (
    <Table<RationalisationRow>
      size="small"
      rowKey="key"
      pagination={false}
      scroll={{ x: true }}
      dataSource={sheet.data?.rows ?? []}
      expandable={{
        defaultExpandAllRows: true,
        expandedRowRender: (row) => (
          <Space direction="vertical" style={{ width: '100%' }}>
            {row.suggestions.map((s) => (
              <Alert
                key={s.kind}
                type={s.kind === 'review' ? 'info' : 'success'}
                message={
                  <Space wrap>
                    <Tag>{t(`kpi.suggestion.${s.kind}`)}</Tag>
                    {s.kind !== 'review' && (
                      <span>
                        {String(s.current ?? '—')} → <b>{String(s.proposed)}</b>
                        {' · '}
                        {t('kpi.rat.removed', { n: s.removed, p: s.removedPercent })}
                        {s.estimate ? ` (${t('kpi.rat.estimate')})` : ''}
                      </span>
                    )}
                  </Space>
                }
                description={en ? s.reason.en : s.reason.zh}
              />
            ))}
          </Space>
        ),
      }}
      columns={[
        { title: t('kpi.col.alarm'), key: 'alarm', render: (_: unknown, r) => name(r) },
        { title: t('kpi.col.activations'), dataIndex: 'activations', align: 'right' },
        { title: t('kpi.col.share'), dataIndex: 'sharePercent', align: 'right' },
        {
          title: t('kpi.col.limit'),
          key: 'limit',
          render: (_: unknown, r) => setting(r.settings.limit, r.settings.unit),
        },
        {
          title: t('kpi.col.deadband'),
          key: 'db',
          render: (_: unknown, r) => setting(r.settings.deadband, r.settings.unit),
        },
        {
          title: t('kpi.col.onDelay'),
          key: 'on',
          render: (_: unknown, r) => `${r.settings.onDelaySeconds} s`,
        },
        {
          title: t('kpi.col.offDelay'),
          key: 'off',
          render: (_: unknown, r) => `${r.settings.offDelaySeconds} s`,
        },
        {
          title: t('kpi.col.priority'),
          key: 'p',
          render: (_: unknown, r) => (
            <Tag color={PRIORITY_COLOR[r.settings.priority]}>{t(`kpi.priority.${r.settings.priority}`)}</Tag>
          ),
        },
      ]}
    />
  );
}

/** 报警绩效 alarm-management KPIs (EEMUA 191 / ISA-18.2) of an area and a period, and the rationalisation worksheet. */
export function AlarmKpiPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [period, setPeriod] = useState<Period>('7d');
  const [month, setMonth] = useState<Dayjs>(dayjs().subtract(1, 'month'));
  const [operators, setOperators] = useState(1);
  const range = useMemo(() => periodOf(period, month), [period, month]);
  const q: KpiQuery = { ...range, operators, nodeId: nodeId ?? undefined };
  const report = useQuery(alarmKpiQuery(q));
  const exportXlsx = () =>
    downloadFile(kpiExportUrl(q), 'aegis-alarm-kpi.xlsx').catch((e: unknown) => {
      void message.error(errorText(t, e));
    });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Flex wrap gap={8} align="center" justify="space-between">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('kpi.title')}
        </Typography.Title>
        <Button onClick={exportXlsx}>{t('kpi.export')}</Button>
      </Flex>
      <Flex wrap gap={8} align="center">
        <div style={{ minWidth: 220, flex: '1 1 220px', maxWidth: 360 }}>
          <PlantNodeSelect value={nodeId} onChange={setNodeId} allowClear placeholder={t('kpi.allAreas')} />
        </div>
        <Segmented<Period>
          value={period}
          onChange={setPeriod}
          options={(['24h', '7d', '30d', 'month'] as const).map((p) => ({
            value: p,
            label: t(`kpi.period.${p}`),
          }))}
        />
        {period === 'month' && (
          <DatePicker picker="month" value={month} allowClear={false} onChange={(d) => d && setMonth(d)} />
        )}
        <Space>
          <span>{t('kpi.operators')}</span>
          <InputNumber
            min={1}
            max={100}
            value={operators}
            onChange={(v) => setOperators(v ?? 1)}
            style={{ width: 72 }}
          />
        </Space>
      </Flex>
      <Typography.Text type="secondary">
        {dayjs(range.from).format('YYYY-MM-DD HH:mm')} – {dayjs(range.to).format('YYYY-MM-DD HH:mm')} ·{' '}
        {t('kpi.note')}
      </Typography.Text>
      <Tabs
        items={[
          {
            key: 'kpi',
            label: t('kpi.tab.kpi'),
            children: report.isLoading ? (
              <Spin />
            ) : report.error ? (
              <Alert type="error" message={errorText(t, report.error)} />
            ) : report.data ? (
              <KpiView r={report.data} />
            ) : null,
          },
          { key: 'rat', label: t('kpi.tab.rationalisation'), children: <RationalisationView q={q} /> },
        ]}
      />
    </Space>
  );
}
