import type { AlarmPriority, Overview } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { Badge, Card, Col, Empty, Grid, List, Row, Space, Statistic, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { BarChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api';
import { useLocalName } from '../../app/i18n';
import { PRIORITY_COLOR } from '../alarms/present';
import { EChart } from '../realtime/EChart';
import { usePlantIndex } from '../realtime/usePlantIndex';
import { TagName } from '../tags/TagSelect';

echarts.use([BarChart]);
dayjs.extend(relativeTime);

const PRIORITIES: AlarmPriority[] = ['critical', 'high', 'medium', 'low'];

const STATE_BADGE: Record<string, 'success' | 'processing' | 'error' | 'default' | 'warning'> = {
  connected: 'success',
  connecting: 'processing',
  disconnected: 'error',
  error: 'error',
  stopped: 'default',
};

export const overviewQuery = {
  queryKey: ['overview'] as const,
  queryFn: () => http.get<Overview>('/api/overview'),
};

/** 首页总览: what needs attention in the user's part of the plant, on one screen. */
export function OverviewPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const name = useLocalName();
  const plant = usePlantIndex();
  const data = useQuery({ ...overviewQuery, refetchInterval: 10_000 }).data;
  const alarms = data?.alarms ?? null;

  const chart = useMemo(() => {
    if (!alarms || alarms.byArea.length === 0) return null;
    const areas = alarms.byArea.map((a) =>
      a.nameZh !== null && a.nameEn !== null
        ? name({ nameZh: a.nameZh, nameEn: a.nameEn })
        : t('overview.noArea'),
    );
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: areas, inverse: true },
      series: PRIORITIES.map((p) => ({
        name: t(`alarms.priority.${p}`),
        type: 'bar',
        stack: 'alarms',
        itemStyle: { color: PRIORITY_COLOR[p] },
        data: alarms.byArea.map((a) => a.counts[p] || null),
      })),
    };
  }, [alarms, name, t]);

  return (
    <Space orientation="vertical" size={phone ? 8 : 16} style={{ width: '100%' }} data-testid="overview">
      <Typography.Title level={phone ? 5 : 4} style={{ margin: 0 }}>
        {t('overview.title')}
      </Typography.Title>
      {alarms && (
        <Card
          size="small"
          title={t('overview.alarms')}
          extra={<Link to="/alarms">{t('overview.open')}</Link>}
        >
          <Row gutter={[8, 8]}>
            {PRIORITIES.map((p) => (
              <Col key={p} xs={12} sm={6}>
                <Statistic
                  title={t(`alarms.priority.${p}`)}
                  value={alarms.total[p]}
                  // Medium's yellow is unreadable as text on white: a darker gold for the figure.
                  styles={{
                    content: {
                      color: alarms.total[p] ? (p === 'medium' ? '#ad8b00' : PRIORITY_COLOR[p]) : undefined,
                    },
                  }}
                  data-testid={`overview-count-${p}`}
                />
              </Col>
            ))}
          </Row>
          <Typography.Text type={alarms.unacknowledged ? 'danger' : 'secondary'}>
            {t('overview.unacknowledged', { count: alarms.unacknowledged })}
          </Typography.Text>
          {chart ? (
            <EChart
              option={chart}
              notMerge
              aria-label={t('overview.byArea')}
              data-testid="overview-chart"
              style={{ height: Math.max(140, 48 + alarms.byArea.length * 36), marginTop: 8 }}
            />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('overview.noAlarms')} />
          )}
        </Card>
      )}
      <Row gutter={[16, 16]}>
        {data?.interlocks && (
          <Col xs={24} lg={12}>
            <Card size="small" title={t('overview.interlocks')}>
              <List
                size="small"
                dataSource={data.interlocks}
                locale={{ emptyText: t('overview.noInterlocks') }}
                renderItem={(c) => (
                  <List.Item>
                    <Space wrap size={4}>
                      <Tag color={PRIORITY_COLOR[c.priority]}>{t(`alarms.priority.${c.priority}`)}</Tag>
                      <span>{plant.label(c.equipmentId)}</span>
                      <TagName id={c.tagId} />
                      <span>→ {String(c.value)}</span>
                      <Tag>{t(`alarms.interlock.${c.status}`, { defaultValue: c.status })}</Tag>
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
        {data && data.faults.length > 0 && (
          <Col xs={24} lg={12}>
            <Card size="small" title={t('overview.faults')}>
              <List
                size="small"
                dataSource={data.faults}
                renderItem={(f) => (
                  <List.Item>
                    <Space wrap size={4}>
                      <span>{name(f)}</span>
                      <Tag color="red">{t(`demo.faults.${f.fault}`, { defaultValue: f.fault })}</Tag>
                      <Typography.Text type="secondary">
                        {f.manual ? t('demo.manual') : t('demo.automatic')}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
        {data?.connectors && (
          <Col xs={24} lg={12}>
            <Card size="small" title={t('overview.connectors')}>
              <List
                size="small"
                dataSource={data.connectors}
                renderItem={(c) => (
                  <List.Item
                    extra={
                      c.lastMessageAt ? (
                        <Typography.Text type="secondary">{dayjs(c.lastMessageAt).fromNow()}</Typography.Text>
                      ) : null
                    }
                  >
                    <Space wrap size={4}>
                      <Badge
                        status={c.enabled ? (STATE_BADGE[c.state] ?? 'default') : 'default'}
                        text={c.name}
                      />
                      <Typography.Text type="secondary">
                        {c.enabled
                          ? t(`connectors.state.${c.state}`, { defaultValue: c.state })
                          : t('connectors.disabled')}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
      </Row>
    </Space>
  );
}
