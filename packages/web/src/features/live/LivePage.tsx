import type { AlarmPriority, AlarmView } from '@aegis/shared';
import { AlertOutlined, ApartmentOutlined, LineChartOutlined, SettingOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Drawer, Empty, Grid, Result, Row, Space, Table, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import {
  displayState,
  isUnackActive,
  PRIORITY_COLOR,
  PRIORITY_RANK,
  PriorityTag,
  useAlarmText,
} from '../alarms/present';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { CardList } from '../realtime/CardList';
import { formatTs, formatValue, QualityBadge } from '../realtime/format';
import { type LivePoint, useAlarmStream, useLivePoints, useLiveValues } from '../realtime/hooks';
import { LiveBadge } from '../realtime/LiveBadge';
import { Sparkline, type SparkPoint } from '../realtime/Sparkline';
import { usePlantIndex } from '../realtime/usePlantIndex';
import { type TagRow, tagsQuery, trendsQuery } from '../tags/api';
import { EquipmentTree } from './EquipmentTree';
import { TagDrawer } from './TagDrawer';

/** The sparkline shows this much history. */
const SPARK_WINDOW_MS = 10 * 60_000;

/** Re-renders every `ms`, for windows that slide with the clock. */
function useNow(ms: number) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

const annunciated = (a: AlarmView) => {
  const s = displayState(a);
  return s === 'unack_active' || s === 'ack_active' || s === 'rtn_unack';
};

/** 实时监控 the live equipment view: pick equipment in the plant tree, watch its tags move. */
export function LivePage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().lg === false;
  const [params, setParams] = useSearchParams();
  const equipmentId = Number(params.get('equipment')) || null;
  const select = (id: number | null) => setParams(id ? { equipment: String(id) } : {}, { replace: true });
  const { status, alarms } = useAlarmStream();
  const [treeOpen, setTreeOpen] = useState(false);

  const unackByEquipment = useMemo(() => {
    const m = new Map<number, number>();
    for (const a of alarms.data ?? [])
      if (isUnackActive(a)) m.set(a.equipmentId, (m.get(a.equipmentId) ?? 0) + 1);
    return m;
  }, [alarms.data]);
  const alarmCount = useCallback((id: number) => unackByEquipment.get(id) ?? 0, [unackByEquipment]);

  return (
    <Row gutter={[16, 16]}>
      {!phone && (
        <Col lg={7} xl={6}>
          <Card
            size="small"
            title={t('live.plant')}
            styles={{ body: { maxHeight: 'calc(100vh - 160px)', overflow: 'auto' } }}
          >
            <EquipmentTree value={equipmentId} onChange={select} alarmCount={alarmCount} />
          </Card>
        </Col>
      )}
      <Col xs={24} lg={17} xl={18}>
        {phone && (
          // No room for the tree beside the tags: a picker on top, and the tree (with alarm counts) in a drawer.
          <div style={{ marginBottom: 8, display: 'flex', gap: 8 }}>
            <div style={{ flex: 1, minWidth: 0 }}>
              <PlantNodeSelect
                value={equipmentId}
                onChange={(id) => select(id)}
                levels={['equipment']}
                placeholder={t('live.pickEquipment')}
              />
            </div>
            <Button
              icon={<ApartmentOutlined />}
              onClick={() => setTreeOpen(true)}
              data-testid="live-tree-open"
              aria-label={t('live.plant')}
            />
            <Drawer
              placement="left"
              open={treeOpen}
              onClose={() => setTreeOpen(false)}
              title={t('live.plant')}
              size={320}
            >
              <EquipmentTree
                value={equipmentId}
                onChange={(id) => {
                  select(id);
                  setTreeOpen(false);
                }}
                alarmCount={alarmCount}
              />
            </Drawer>
          </div>
        )}
        {equipmentId ? (
          <EquipmentTags
            key={equipmentId}
            equipmentId={equipmentId}
            alarms={alarms.data ?? []}
            status={status}
            canManage={canAnywhere(me, 'tag.manage')}
          />
        ) : (
          <Card size="small">
            <Empty description={t(phone ? 'live.pickHintPhone' : 'live.pickHint')} />
          </Card>
        )}
      </Col>
    </Row>
  );
}

function EquipmentTags({
  equipmentId,
  alarms,
  status,
  canManage,
}: {
  equipmentId: number;
  alarms: AlarmView[];
  status: Parameters<typeof LiveBadge>[0]['status'];
  canManage: boolean;
}) {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const name = useLocalName();
  const phone = Grid.useBreakpoint().md === false;
  const plant = usePlantIndex();
  const tags = useQuery(tagsQuery({ equipmentId, limit: 1000 }));
  const rows = tags.data?.items ?? [];
  const ids = useMemo(() => rows.map((r) => r.id), [rows]);
  const numericIds = useMemo(() => rows.filter((r) => r.type === 'number').map((r) => r.id), [rows]);
  const values = useLiveValues(ids);
  const now = useNow(5000);
  const [detail, setDetail] = useState<TagRow | null>(null);

  // Sparklines: the last minutes from the trend API once, then every pushed value.
  const [anchor] = useState(() => Date.now());
  const history = useQuery(
    trendsQuery({
      tagIds: numericIds,
      from: new Date(anchor - SPARK_WINDOW_MS).toISOString(),
      to: new Date(anchor).toISOString(),
      maxPoints: 120,
    }),
  );
  const [spark, setSpark] = useState<Map<number, SparkPoint[]>>(() => new Map());
  useEffect(() => {
    if (!history.data) return;
    setSpark((prev) => {
      const next = new Map(prev);
      for (const s of history.data.series) {
        const seeded: SparkPoint[] = s.points.map((p) => [Date.parse(p.ts), p.value]);
        const last = seeded.at(-1)?.[0] ?? 0;
        next.set(s.tagId, [...seeded, ...(prev.get(s.tagId) ?? []).filter((p) => p[0] > last)]);
      }
      return next;
    });
  }, [history.data]);
  useLivePoints(numericIds, (points: LivePoint[]) => {
    const cutoff = Date.now() - SPARK_WINDOW_MS;
    setSpark((prev) => {
      const next = new Map(prev);
      for (const p of points) {
        if (typeof p.value !== 'number') continue;
        const list = (next.get(p.tagId) ?? []).filter((x) => x[0] >= cutoff);
        list.push([p.ts, p.value]);
        next.set(p.tagId, list);
      }
      return next;
    });
  });

  const alarmsByTag = useMemo(() => {
    const m = new Map<number, AlarmView[]>();
    for (const a of alarms) {
      if (a.equipmentId !== equipmentId || !annunciated(a)) continue;
      m.set(a.tagId, [...(m.get(a.tagId) ?? []), a]);
    }
    return m;
  }, [alarms, equipmentId]);
  const worst = (tagId: number): AlarmPriority | null => {
    const list = alarmsByTag.get(tagId);
    if (!list?.length) return null;
    return list.reduce(
      (w, a) => (PRIORITY_RANK[a.priority] < PRIORITY_RANK[w] ? a.priority : w),
      list[0]!.priority,
    );
  };
  const yesNo: [string, string] = [t('realtime.on'), t('realtime.off')];
  const equipment = plant.byId.get(equipmentId);

  const alarmIndicator = (tag: TagRow) => {
    const p = worst(tag.id);
    if (!p) return null;
    const list = alarmsByTag.get(tag.id) ?? [];
    const unack = list.some(isUnackActive);
    return (
      <Tooltip title={list.map((a) => alarmText(a)).join('\n')}>
        <AlertOutlined
          data-testid="tag-alarm"
          data-priority={p}
          aria-label={t('live.inAlarm', { priority: t(`alarms.priority.${p}`) })}
          className={unack ? 'aegis-tag-in-alarm' : undefined}
          style={{ color: PRIORITY_COLOR[p], fontSize: 16 }}
        />
      </Tooltip>
    );
  };
  const value = (tag: TagRow) => values.get(tag.id);
  const spark_ = (tag: TagRow, width: number | string) =>
    tag.type === 'number' ? (
      <Sparkline points={spark.get(tag.id) ?? []} windowMs={SPARK_WINDOW_MS} now={now} width={width} />
    ) : null;

  return (
    <Card
      size="small"
      data-testid="live-equipment"
      title={
        <Space wrap size={8}>
          <span>{equipment ? name(equipment) : `#${equipmentId}`}</span>
          <LiveBadge status={status} />
        </Space>
      }
      extra={
        <Space size={4} wrap>
          {ids.length > 0 && (
            <Link to={`/trends?tags=${numericIds.slice(0, 8).join(',')}&range=1h`}>
              <Button size="small" icon={<LineChartOutlined />}>
                {phone ? null : t('live.openTrends')}
              </Button>
            </Link>
          )}
          {canManage && (
            <Link to={`/tags?node=${equipmentId}`}>
              <Button size="small" icon={<SettingOutlined />}>
                {phone ? null : t('live.manageTags')}
              </Button>
            </Link>
          )}
        </Space>
      }
    >
      {tags.isError ? (
        <Result status="error" title={t('common.loadFailed')} subTitle={tags.error.message} />
      ) : phone ? (
        <CardList<TagRow>
          loading={tags.isLoading}
          items={rows}
          rowKey={(tag) => tag.id}
          gap={0}
          pageSize={50}
          empty={<Empty description={t('live.noTags')} />}
          render={(tag) => {
            const v = value(tag);
            return (
              <div
                data-tag-id={tag.id}
                style={{ padding: '8px 0', borderBottom: '1px solid rgba(5, 5, 5, 0.06)' }}
              >
                <Space style={{ width: '100%', justifyContent: 'space-between' }} align="start">
                  <div style={{ minWidth: 0 }}>
                    <Space size={4}>
                      {alarmIndicator(tag)}
                      <Typography.Link strong onClick={() => setDetail(tag)}>
                        {name(tag)}
                      </Typography.Link>
                    </Space>
                    <div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {tag.code} · {formatTs(v?.ts)}
                      </Typography.Text>
                    </div>
                  </div>
                  <div style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                    <span
                      style={{ fontSize: 20, fontVariantNumeric: 'tabular-nums' }}
                      data-testid="tag-value"
                    >
                      {formatValue(v?.value, tag, yesNo)}
                    </span>{' '}
                    <Typography.Text type="secondary">{tag.unit}</Typography.Text>{' '}
                    <QualityBadge quality={v?.quality} compact />
                  </div>
                </Space>
                {spark_(tag, '100%')}
              </div>
            );
          }}
        />
      ) : (
        <Table<TagRow>
          rowKey="id"
          size="small"
          loading={tags.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description={t('live.noTags')} /> }}
          onRow={(tag) => ({
            ...({ 'data-tag-id': String(tag.id) } as Record<string, string>),
            onClick: () => setDetail(tag),
            style: { cursor: 'pointer' },
          })}
          columns={[
            {
              title: t('live.field.tag'),
              key: 'tag',
              render: (_, tag) => (
                <Space size={6}>
                  {alarmIndicator(tag)}
                  <Space orientation="vertical" size={0}>
                    <span>{name(tag)}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {tag.code}
                    </Typography.Text>
                  </Space>
                </Space>
              ),
            },
            {
              title: t('live.field.value'),
              key: 'value',
              align: 'right',
              render: (_, tag) => (
                <span style={{ fontSize: 16, fontVariantNumeric: 'tabular-nums' }} data-testid="tag-value">
                  {formatValue(value(tag)?.value, tag, yesNo)}
                </span>
              ),
            },
            { title: t('live.field.unit'), dataIndex: 'unit' },
            {
              title: t('live.field.quality'),
              key: 'quality',
              render: (_, tag) => <QualityBadge quality={value(tag)?.quality} />,
            },
            { title: t('live.field.time'), key: 'ts', render: (_, tag) => formatTs(value(tag)?.ts) },
            {
              title: t('live.field.trend', { minutes: SPARK_WINDOW_MS / 60_000 }),
              key: 'spark',
              width: 140,
              render: (_, tag) => spark_(tag, 120),
            },
            {
              title: t('live.field.alarm'),
              key: 'alarm',
              render: (_, tag) => {
                const p = worst(tag.id);
                return p ? <PriorityTag priority={p} /> : null;
              },
            },
          ]}
        />
      )}
      <TagDrawer
        tag={detail}
        value={detail ? value(detail) : undefined}
        alarms={detail ? (alarmsByTag.get(detail.id) ?? []) : []}
        onClose={() => setDetail(null)}
      />
    </Card>
  );
}
