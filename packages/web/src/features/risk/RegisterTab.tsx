import { RISK_LEVELS, type RiskLevel, type RiskUnit } from '@aegis/shared';
import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Col,
  Dropdown,
  Grid,
  Input,
  Row,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { canAnywhere, canAt, useMe } from '../../app/auth';
import { EditDeleteButtons, NewButton } from '../../app/FormParts';
import { useLocalName } from '../../app/i18n';
import { ReasonModal } from '../../app/ReasonField';
import { plantNodesQuery } from '../plant/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { usersQuery } from '../users/api';
import { type RiskFilters, riskExportUrl, riskUnitsQuery, useDeleteRiskUnit } from './api';
import { LevelTag } from './LevelTag';
import { UnitDrawer } from './UnitDrawer';

const num = (v: string | null) => (v && /^\d+$/.test(v) ? Number(v) : undefined);

/** The filters live in the address (?nodeId=&level=&responsibleUserId=&q=), so the risk map can link here. */
function useFilters(): [RiskFilters, (f: RiskFilters) => void] {
  const [params, setParams] = useSearchParams();
  const level = params.get('level');
  const filters: RiskFilters = {
    nodeId: num(params.get('nodeId')),
    level: RISK_LEVELS.includes(level as RiskLevel) ? (level as RiskLevel) : undefined,
    responsibleUserId: num(params.get('responsibleUserId')),
    q: params.get('q') ?? undefined,
  };
  const set = (f: RiskFilters) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(f))
      if (v !== undefined && v !== null && v !== '') next.set(k, String(v));
    setParams(next, { replace: true });
  };
  return [filters, set];
}

/** The responsible-person filter: people in your scope, searched on the server. */
function PersonFilter(props: { value: number | undefined; onChange: (id: number | undefined) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const users = useQuery(usersQuery({ q: q || undefined, limit: 20, offset: 0 }));
  const chosen = useQuery({ ...usersQuery({ limit: 1000, offset: 0 }), enabled: props.value !== undefined });
  const options = new Map<number, string>();
  const current = chosen.data?.items.find((u) => u.id === props.value);
  if (current) options.set(current.id, current.displayName);
  for (const u of users.data?.items ?? []) options.set(u.id, u.displayName);
  return (
    <Select<number>
      allowClear
      style={{ width: '100%' }}
      placeholder={t('risk.filter.responsible')}
      value={props.value}
      onChange={(v) => props.onChange(v ?? undefined)}
      showSearch={{ filterOption: false, onSearch: setQ }}
      options={[...options].map(([value, label]) => ({ value, label }))}
    />
  );
}

/** A unit's events and their control measures, under its row. */
function UnitDetail({ unit }: { unit: RiskUnit }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={8}>
      {unit.overrideLevel && (
        <Typography.Text type="secondary">
          {t('risk.computedFrom', {
            level: t(`risk.level.${unit.computedLevel}`),
            override: t(`risk.level.${unit.level}`),
          })}
          {unit.overrideReason && `：${unit.overrideReason}`}
        </Typography.Text>
      )}
      {unit.events.map((e) => (
        <div key={e.id}>
          <Space wrap>
            <LevelTag level={e.level} short />
            <Typography.Text strong>{e.description}</Typography.Text>
            {e.consequence && <Typography.Text type="secondary">→ {e.consequence}</Typography.Text>}
            <Typography.Text type="secondary">
              {t('risk.field.score')} {e.value}
            </Typography.Text>
          </Space>
          <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
            {e.measures.map((m) => (
              <li key={m.id}>
                <Tag>{t(`risk.measureKind.${m.kind}`)}</Tag>
                {m.description}
                {m.cycle && (
                  <Tag color="processing" style={{ marginInlineStart: 6 }}>
                    {t(`risk.cycle.${m.cycle}`)}
                  </Tag>
                )}
                {(m.responsible || m.postName) && (
                  <Typography.Text type="secondary">
                    {' '}
                    {[m.responsible?.displayName, m.postName].filter(Boolean).join(' / ')}
                  </Typography.Text>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </Space>
  );
}

/** 风险清单: the register with level colours, filters, export, and the unit drawer. */
export function RegisterTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const name = useLocalName();
  const phone = Grid.useBreakpoint().md === false;
  const { data: me } = useMe();
  const [filters, setFilters] = useFilters();
  const [q, setQ] = useState(filters.q ?? '');
  const list = useQuery(riskUnitsQuery(filters));
  const remove = useDeleteRiskUnit();
  const [open, setOpen] = useState<RiskUnit | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RiskUnit | null>(null);
  const manager = canAnywhere(me, 'risk.manage');
  const nodes = useQuery(plantNodesQuery);
  const writableAt = (u: RiskUnit) => {
    const node = nodes.data?.find((n) => n.id === u.nodeId);
    return node ? canAt(me, 'risk.manage', node) : false;
  };

  const columns: TableColumnsType<RiskUnit> = [
    {
      title: t('risk.field.level'),
      dataIndex: 'level',
      width: 96,
      render: (level: RiskLevel, u) => (
        <Space size={4} orientation="vertical">
          <LevelTag level={level} short={phone} />
          {u.overrideLevel && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('risk.field.override')}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('risk.field.name'),
      dataIndex: 'name',
      render: (n: string, u) => (
        <Space orientation="vertical" size={0}>
          <Typography.Link onClick={() => setOpen(u)} data-testid="risk-unit-open">
            {n}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {name({ nameZh: u.nodeNameZh, nameEn: u.nodeNameEn })} · {t(`risk.kind.${u.kind}`)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('risk.field.events'),
      key: 'events',
      responsive: ['md'],
      render: (_, u) => {
        const measures = u.events.flatMap((e) => e.measures);
        const cycled = measures.filter((m) => m.cycle !== null).length;
        return (
          <Space orientation="vertical" size={0}>
            {u.events.slice(0, 3).map((e) => (
              <span key={e.id}>
                <LevelTag level={e.level} short /> {e.description}
              </span>
            ))}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('risk.measuresCount', { count: measures.length })}
              {cycled > 0 && ` · ${t('risk.cycledCount', { count: cycled })}`}
            </Typography.Text>
          </Space>
        );
      },
    },
    {
      title: t('risk.field.responsible'),
      key: 'responsible',
      responsive: ['sm'],
      render: (_, u) => (
        <Space orientation="vertical" size={0}>
          <span>{u.responsible?.displayName ?? '—'}</span>
          {u.departmentName && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {u.departmentName}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('risk.field.method'),
      dataIndex: 'method',
      responsive: ['lg'],
      render: (m: string) => <Tag>{m === 'lec' ? 'LEC' : 'L×S'}</Tag>,
    },
  ];
  if (manager)
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, u) =>
        writableAt(u) ? (
          <Space size={4}>
            <EditDeleteButtons onEdit={() => setOpen(u)} onDelete={() => setDeleting(u)} />
          </Space>
        ) : null,
    });

  return (
    <>
      <Row gutter={[8, 8]} style={{ marginBottom: 12 }}>
        <Col xs={24} sm={12} md={8} lg={6}>
          <PlantNodeSelect
            allowClear
            placeholder={t('risk.filter.node')}
            value={filters.nodeId ?? null}
            onChange={(v) => setFilters({ ...filters, nodeId: v ?? undefined })}
          />
        </Col>
        <Col xs={12} sm={6} md={4} lg={3}>
          <Select<RiskLevel>
            allowClear
            style={{ width: '100%' }}
            placeholder={t('risk.filter.level')}
            value={filters.level}
            onChange={(v) => setFilters({ ...filters, level: v ?? undefined })}
            options={RISK_LEVELS.map((l) => ({ value: l, label: <LevelTag level={l} /> }))}
            data-testid="risk-filter-level"
          />
        </Col>
        {canAnywhere(me, 'user.read') && (
          <Col xs={12} sm={6} md={5} lg={4}>
            <PersonFilter
              value={filters.responsibleUserId}
              onChange={(v) => setFilters({ ...filters, responsibleUserId: v })}
            />
          </Col>
        )}
        <Col xs={24} sm={12} md={7} lg={5}>
          <Input.Search
            allowClear
            placeholder={t('risk.filter.q')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => setFilters({ ...filters, q: v.trim() || undefined })}
          />
        </Col>
        <Col xs={24} md={24} lg={6} style={{ textAlign: phone ? 'left' : 'right' }}>
          <Space>
            <Dropdown
              menu={{
                items: [
                  { key: 'xlsx', label: <a href={riskExportUrl('xlsx', filters)}>{t('risk.export')}</a> },
                  { key: 'csv', label: <a href={riskExportUrl('csv', filters)}>{t('risk.exportCsv')}</a> },
                ],
              }}
            >
              <Button icon={<DownloadOutlined />} data-testid="risk-export">
                {phone ? null : t('risk.export')}
              </Button>
            </Dropdown>
            {manager && (
              <NewButton
                label={t('risk.new')}
                phone={phone}
                onClick={() => setOpen('new')}
                testId="risk-new"
              />
            )}
          </Space>
        </Col>
      </Row>
      <Table<RiskUnit>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        locale={{ emptyText: t('risk.empty') }}
        pagination={{
          pageSize: 50,
          hideOnSinglePage: true,
          showTotal: (n) => t('common.total', { count: n }),
        }}
        data-testid="risk-register"
        expandable={{ expandedRowRender: (u) => <UnitDetail unit={u} />, rowExpandable: () => !phone }}
      />
      <UnitDrawer
        open={open !== null}
        unit={open === 'new' ? null : open}
        defaultNodeId={filters.nodeId}
        writable={open === 'new' ? manager : open !== null && writableAt(open)}
        onClose={() => setOpen(null)}
      />
      <ReasonModal
        open={deleting !== null}
        danger
        title={t('risk.deleteTitle', { name: deleting?.name ?? '' })}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={async (reason) => {
          if (!deleting) return;
          await remove.mutateAsync({ id: deleting.id, reason });
          void message.success(t('common.saved'));
        }}
      >
        <Typography.Paragraph type="secondary">{t('risk.deleteHint')}</Typography.Paragraph>
      </ReasonModal>
    </>
  );
}
