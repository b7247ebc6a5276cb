import { HAZARD_GRADES, HAZARD_SOURCES, HAZARD_STATES, type Hazard, type HazardState } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Flex,
  Grid,
  Input,
  List,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/notify';
import { downloadFile } from '../inspection/download';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { type HazardFilters, hazardCountsQuery, hazardExportUrl, hazardsQuery } from './api';
import { GradeTag, gradeWord, StateTag, sourceWord, stateWord, when } from './parts';

const PAGE = 50;

/** Filters live in the address, so a link (from the risk map, a notification) opens the same view. */
function useFilters(): [HazardFilters, (f: HazardFilters) => void] {
  const [sp, setSp] = useSearchParams();
  const num = (k: string) => (sp.get(k) ? Number(sp.get(k)) : undefined);
  const bool = (k: string) => (sp.get(k) === 'true' ? true : undefined);
  const f: HazardFilters = {
    state: sp.get('state') ? (sp.get('state')!.split(',') as HazardState[]) : undefined,
    grade: (sp.get('grade') as HazardFilters['grade']) || undefined,
    source: (sp.get('source') as HazardFilters['source']) || undefined,
    nodeId: num('nodeId'),
    overdue: bool('overdue'),
    register: bool('register'),
    open: bool('open'),
    responsibleId: num('responsibleId'),
    q: sp.get('q') || undefined,
    offset: num('offset') ?? 0,
    limit: PAGE,
  };
  const set = (n: HazardFilters) => {
    const out = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...n, limit: undefined })) {
      if (v === undefined || v === null || v === '' || v === false || (k === 'offset' && v === 0)) continue;
      if (Array.isArray(v)) {
        if (v.length) out.set(k, v.join(','));
      } else out.set(k, String(v));
    }
    setSp(out, { replace: true });
  };
  return [f, set];
}

export function HazardsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const navigate = useNavigate();
  const { data: me } = useMe();
  const [f, setF] = useFilters();
  const [q, setQ] = useState(f.q ?? '');
  const list = useQuery(hazardsQuery(f));
  const counts = useQuery(hazardCountsQuery);
  const change = (patch: Partial<HazardFilters>) => setF({ ...f, ...patch, offset: 0 });
  const canReport = canAnywhere(me, 'hazard.report');

  const exportAs = (format: 'xlsx' | 'csv') =>
    downloadFile(hazardExportUrl(f, format), `aegis-hazard-register.${format}`).catch((e: unknown) => {
      void message.error(errorText(t, e));
    });

  const deadlineCell = (h: Hazard) =>
    h.deadline ? (
      <Space size={4}>
        <span>{when(h.deadline)}</span>
        {h.overdue && (
          <Tag color="red" data-testid="hazard-overdue">
            {t('hazard.overdue')}
          </Tag>
        )}
      </Space>
    ) : null;

  return (
    <Flex vertical gap={12} data-testid="hazard-register">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('hazard.register')}
        </Typography.Title>
        <Space wrap>
          {canReport && (
            <Button type="primary" onClick={() => navigate('/hazards/new')} data-testid="hazard-new">
              {t('hazard.report')}
            </Button>
          )}
          <Button onClick={() => void exportAs('xlsx')} data-testid="hazard-export">
            {t('hazard.export')}
          </Button>
          <Button onClick={() => void exportAs('csv')} data-testid="hazard-export-csv">
            CSV
          </Button>
        </Space>
      </Flex>
      {counts.data && (
        <Typography.Text type="secondary" data-testid="hazard-counts">
          {t('hazard.counts', { ...counts.data.open, overdue: counts.data.overdue })}
        </Typography.Text>
      )}
      <Flex wrap gap={8}>
        <Input.Search
          allowClear
          placeholder={t('hazard.filters.q')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onSearch={(v) => change({ q: v || undefined })}
          style={{ width: phone ? '100%' : 240 }}
          data-testid="hazard-filter-q"
        />
        <Select
          allowClear
          mode="multiple"
          placeholder={t('hazard.filters.state')}
          value={f.state ?? []}
          onChange={(v: HazardState[]) => change({ state: v.length ? v : undefined })}
          options={HAZARD_STATES.map((s) => ({ value: s, label: stateWord(s) }))}
          style={{ minWidth: phone ? '100%' : 200 }}
          data-testid="hazard-filter-state"
        />
        <Select
          allowClear
          placeholder={t('hazard.filters.grade')}
          value={f.grade}
          onChange={(v) => change({ grade: v })}
          options={HAZARD_GRADES.map((g) => ({ value: g, label: gradeWord(g) }))}
          style={{ width: 120 }}
          data-testid="hazard-filter-grade"
        />
        <Select
          allowClear
          placeholder={t('hazard.filters.source')}
          value={f.source}
          onChange={(v) => change({ source: v })}
          options={HAZARD_SOURCES.map((s) => ({ value: s, label: sourceWord(s) }))}
          style={{ width: 120 }}
        />
        <div style={{ minWidth: phone ? '100%' : 220 }}>
          <PlantNodeSelect
            allowClear
            value={f.nodeId ?? null}
            onChange={(v) => change({ nodeId: v ?? undefined })}
            placeholder={t('hazard.filters.node')}
          />
        </div>
        <Checkbox
          checked={!!f.overdue}
          onChange={(e) => change({ overdue: e.target.checked || undefined })}
          data-testid="hazard-filter-overdue"
        >
          {t('hazard.filters.overdue')}
        </Checkbox>
        <Checkbox
          checked={!!f.register}
          onChange={(e) => change({ register: e.target.checked || undefined })}
          data-testid="hazard-filter-register"
        >
          {t('hazard.filters.majorRegister')}
        </Checkbox>
        <Checkbox checked={!!f.open} onChange={(e) => change({ open: e.target.checked || undefined })}>
          {t('hazard.filters.open')}
        </Checkbox>
        {me?.id !== undefined && (
          <Checkbox
            checked={f.responsibleId === me.id}
            onChange={(e) => change({ responsibleId: e.target.checked ? me.id : undefined })}
            data-testid="hazard-filter-mine"
          >
            {t('hazard.filters.mine')}
          </Checkbox>
        )}
      </Flex>
      {phone ? (
        <List
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('hazard.empty') }}
          pagination={{
            current: Math.floor((f.offset ?? 0) / PAGE) + 1,
            pageSize: PAGE,
            total: list.data?.total ?? 0,
            onChange: (page) => setF({ ...f, offset: (page - 1) * PAGE }),
            simple: true,
          }}
          renderItem={(h) => (
            <Card
              size="small"
              style={{
                marginBottom: 8,
                borderLeft: `4px solid ${h.grade === 'major' ? '#cf1322' : '#fa8c16'}`,
              }}
              onClick={() => navigate(`/hazards/${h.id}`)}
              data-testid={`hazard-row-${h.id}`}
            >
              <Flex vertical gap={4}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text strong>{h.title}</Typography.Text>
                  <StateTag state={h.state} />
                </Flex>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {h.code} · {h.location}
                </Typography.Text>
                <Space size={4} wrap>
                  <GradeTag grade={h.grade} />
                  {h.responsible && <span>{h.responsible.name}</span>}
                  {deadlineCell(h)}
                </Space>
              </Flex>
            </Card>
          )}
        />
      ) : (
        <Table<Hazard>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('hazard.empty') }}
          onRow={(h) => ({ 'data-testid': `hazard-row-${h.id}` }) as React.HTMLAttributes<HTMLElement>}
          pagination={{
            current: Math.floor((f.offset ?? 0) / PAGE) + 1,
            pageSize: PAGE,
            total: list.data?.total ?? 0,
            showSizeChanger: false,
            onChange: (page) => setF({ ...f, offset: (page - 1) * PAGE }),
          }}
          columns={[
            {
              title: t('hazard.col.code'),
              dataIndex: 'code',
              width: 130,
              render: (c: string, h) => <Link to={`/hazards/${h.id}`}>{c}</Link>,
            },
            {
              title: t('hazard.col.title'),
              dataIndex: 'title',
              render: (x: string, h) => <Link to={`/hazards/${h.id}`}>{x}</Link>,
            },
            { title: t('hazard.col.location'), dataIndex: 'location' },
            {
              title: t('hazard.col.grade'),
              dataIndex: 'grade',
              width: 100,
              render: (_: unknown, h) => <GradeTag grade={h.grade} />,
            },
            {
              title: t('hazard.col.state'),
              dataIndex: 'state',
              width: 100,
              render: (s: HazardState) => <StateTag state={s} />,
            },
            {
              title: t('hazard.col.responsible'),
              dataIndex: 'responsible',
              width: 110,
              render: (_: unknown, h) => h.responsible?.name ?? '',
            },
            {
              title: t('hazard.col.deadline'),
              dataIndex: 'deadline',
              width: 200,
              render: (_: unknown, h) => deadlineCell(h),
            },
            {
              title: t('hazard.col.reported'),
              dataIndex: 'reportedAt',
              width: 170,
              render: (_: unknown, h) => `${when(h.reportedAt)} ${h.reportedBy.name}`,
            },
          ]}
        />
      )}
    </Flex>
  );
}
