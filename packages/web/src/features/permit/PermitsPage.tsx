import {
  PERMIT_STATES,
  PERMIT_SUSPEND_CAUSE_LABELS,
  PERMIT_TYPES,
  type Permit,
  type PermitBoard,
  type PermitLiveValue,
  type PermitState,
  type PermitType,
} from '@aegis/shared';
import { ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Flex,
  Grid,
  Input,
  List,
  Row,
  Select,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/notify';
import { downloadFile } from '../inspection/download';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { type PermitFilters, permitBoardQuery, permitExportUrl, permitsQuery } from './api';
import { boardTotals } from './board';
import {
  GradeTag,
  LiveValueTag,
  STATE_COLOR,
  StateTag,
  stateWord,
  typeWord,
  when,
  windowText,
  word,
} from './parts';

const PAGE = 50;

/** 作业票: the board of the work going on now, and the register of every permit. */
export function PermitsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [sp, setSp] = useSearchParams();
  const { data: me } = useMe();
  const tab = sp.get('tab') === 'register' ? 'register' : 'board';
  return (
    <Card
      size="small"
      title={t('permit.title')}
      styles={{ body: { paddingTop: 0 } }}
      extra={
        canAnywhere(me, 'permit.request') && (
          <Button type="primary" onClick={() => void navigate('/permits/new')} data-testid="permit-new">
            {t('permit.apply')}
          </Button>
        )
      }
    >
      <Tabs
        activeKey={tab}
        onChange={(k) => setSp(k === 'board' ? {} : { tab: k }, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'board', label: t('permit.tab.board'), children: <BoardTab /> },
          { key: 'register', label: t('permit.tab.register'), children: <RegisterTab /> },
        ]}
      />
    </Card>
  );
}

// ─── Board ──────────────────────────────────────────────────────────────────────────────────────

const BOARD_STATES: PermitState[] = [
  'active',
  'suspended',
  'awaiting_analysis',
  'awaiting_approval',
  'draft',
];

function BoardTab() {
  const { t } = useTranslation();
  const [nodeId, setNodeId] = useState<number | null>(null);
  const board = useQuery(permitBoardQuery(nodeId ?? undefined));
  const areas = board.data?.areas ?? [];
  const totals = boardTotals(areas);
  return (
    <Flex vertical gap={12} data-testid="permit-board">
      <Flex wrap gap={8} align="center">
        <div style={{ flex: '1 1 220px', maxWidth: 360 }}>
          <PlantNodeSelect
            value={nodeId}
            onChange={setNodeId}
            allowClear
            placeholder={t('permit.filter.node')}
          />
        </div>
        <Button
          icon={<ReloadOutlined />}
          aria-label={t('common.refresh')}
          loading={board.isFetching}
          onClick={() => void board.refetch()}
        />
        <Space size={[4, 4]} wrap data-testid="permit-board-totals">
          {BOARD_STATES.map((s) => (
            <Tag key={s} color={totals[s] ? STATE_COLOR[s] : 'default'} data-testid={`permit-total-${s}`}>
              {stateWord(s)} {totals[s] ?? 0}
            </Tag>
          ))}
        </Space>
      </Flex>
      {board.isLoading ? (
        <Spin />
      ) : areas.length === 0 ? (
        <Empty description={t('permit.board.empty')} />
      ) : (
        <Row gutter={[12, 12]}>
          {areas.map((a) => (
            <Col key={a.area?.id ?? 'none'} xs={24} md={12} xl={8} xxl={6}>
              <AreaCard area={a} />
            </Col>
          ))}
        </Row>
      )}
    </Flex>
  );
}

type BoardArea = PermitBoard['areas'][number];

function AreaCard({ area }: { area: BoardArea }) {
  const { t } = useTranslation();
  const counts = Object.entries(area.counts).filter(([, n]) => n > 0) as [PermitState, number][];
  return (
    <Card
      size="small"
      title={area.area?.name ?? t('permit.board.noArea')}
      data-testid={`permit-area-${area.area?.id ?? 'none'}`}
      styles={{ body: { padding: 8 } }}
    >
      <Space size={[4, 4]} wrap style={{ marginBottom: 8 }}>
        {counts.length === 0 && (
          <Typography.Text type="secondary">{t('permit.board.nothing')}</Typography.Text>
        )}
        {counts.map(([s, n]) => (
          <Tag key={s} color={STATE_COLOR[s]}>
            {stateWord(s)} {n}
          </Tag>
        ))}
      </Space>
      <Flex vertical gap={8}>
        {area.permits.map((p) => (
          <BoardPermit key={p.id} permit={p} />
        ))}
      </Flex>
    </Card>
  );
}

function BoardPermit({ permit: p }: { permit: Permit & { gasTags: PermitLiveValue[] } }) {
  const { t } = useTranslation();
  const suspended = p.state === 'suspended';
  return (
    <Link to={`/permits/${p.id}`} data-testid={`permit-card-${p.id}`} data-state={p.state}>
      <div
        style={{
          border: `1px solid ${suspended ? '#ff4d4f' : '#b7eb8f'}`,
          borderLeft: `4px solid ${suspended ? '#cf1322' : '#389e0d'}`,
          background: suspended ? '#fff1f0' : '#f6ffed',
          borderRadius: 6,
          padding: '6px 8px',
          color: 'inherit',
        }}
      >
        <Flex justify="space-between" gap={8} wrap>
          <Typography.Text strong>
            {typeWord(p.type)} <GradeTag requested={p.requestedGrade} effective={p.effectiveGrade} />
          </Typography.Text>
          <StateTag state={p.state} />
        </Flex>
        <div style={{ fontSize: 13 }}>{p.title}</div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {p.code} · {p.location} · {windowText(p.validFrom, p.validTo)}
        </Typography.Text>
        <div style={{ fontSize: 12 }}>
          {t('permit.field.personInCharge')}：{p.personInCharge.name} · {t('permit.field.watcher')}：
          {p.watcher.name}
        </div>
        {p.suspension && (
          <div style={{ fontSize: 12, color: '#cf1322' }} data-testid="permit-card-cause">
            {word(PERMIT_SUSPEND_CAUSE_LABELS, p.suspension.cause)}
            {p.suspension.detail ? `：${p.suspension.detail}` : ''}
          </div>
        )}
        {p.gasTags.length > 0 && (
          <Space size={[2, 2]} wrap style={{ marginTop: 4 }}>
            {p.gasTags.map((v) => (
              <LiveValueTag key={v.tagId} v={v} />
            ))}
          </Space>
        )}
      </div>
    </Link>
  );
}

// ─── Register ───────────────────────────────────────────────────────────────────────────────────

/** The register's filters live in the address, so a link (a notification, the board) opens the same view. */
function useFilters(): [PermitFilters, (f: PermitFilters) => void] {
  const [sp, setSp] = useSearchParams();
  const list = <T extends string>(k: string) => (sp.get(k) ? (sp.get(k)!.split(',') as T[]) : undefined);
  const f: PermitFilters = {
    state: list<PermitState>('state'),
    type: list<PermitType>('type'),
    nodeId: sp.get('nodeId') ? Number(sp.get('nodeId')) : undefined,
    from: sp.get('from') || undefined,
    to: sp.get('to') || undefined,
    q: sp.get('q') || undefined,
    offset: sp.get('offset') ? Number(sp.get('offset')) : 0,
    limit: PAGE,
  };
  const set = (n: PermitFilters) => {
    const out = new URLSearchParams({ tab: 'register' });
    for (const [k, v] of Object.entries({ ...n, limit: undefined })) {
      if (v === undefined || v === null || v === '' || (k === 'offset' && v === 0)) continue;
      if (Array.isArray(v)) {
        if (v.length) out.set(k, v.join(','));
      } else out.set(k, String(v));
    }
    setSp(out, { replace: true });
  };
  return [f, set];
}

function RegisterTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const navigate = useNavigate();
  const [f, setF] = useFilters();
  const [q, setQ] = useState(f.q ?? '');
  const list = useQuery(permitsQuery(f));
  const change = (patch: Partial<PermitFilters>) => setF({ ...f, ...patch, offset: 0 });
  const exportAs = (format: 'xlsx' | 'csv') =>
    downloadFile(permitExportUrl(f, format), `aegis-permit-register.${format}`).catch((e: unknown) => {
      void message.error(errorText(t, e));
    });
  const pagination = {
    current: Math.floor((f.offset ?? 0) / PAGE) + 1,
    pageSize: PAGE,
    total: list.data?.total ?? 0,
    onChange: (page: number) => setF({ ...f, offset: (page - 1) * PAGE }),
  };
  const range: [dayjs.Dayjs, dayjs.Dayjs] | null = f.from && f.to ? [dayjs(f.from), dayjs(f.to)] : null;

  return (
    <Flex vertical gap={12} data-testid="permit-register">
      <Flex wrap gap={8}>
        <Input.Search
          allowClear
          placeholder={t('permit.filter.q')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onSearch={(v) => change({ q: v || undefined })}
          style={{ width: phone ? '100%' : 240 }}
          data-testid="permit-filter-q"
        />
        <Select
          allowClear
          mode="multiple"
          placeholder={t('permit.filter.state')}
          value={f.state ?? []}
          onChange={(v: PermitState[]) => change({ state: v.length ? v : undefined })}
          options={PERMIT_STATES.map((s) => ({ value: s, label: stateWord(s) }))}
          style={{ minWidth: phone ? '100%' : 200 }}
          data-testid="permit-filter-state"
        />
        <Select
          allowClear
          mode="multiple"
          placeholder={t('permit.filter.type')}
          value={f.type ?? []}
          onChange={(v: PermitType[]) => change({ type: v.length ? v : undefined })}
          options={PERMIT_TYPES.map((s) => ({ value: s, label: typeWord(s) }))}
          style={{ minWidth: phone ? '100%' : 200 }}
          data-testid="permit-filter-type"
        />
        <div style={{ minWidth: phone ? '100%' : 220 }}>
          <PlantNodeSelect
            allowClear
            value={f.nodeId ?? null}
            onChange={(v) => change({ nodeId: v ?? undefined })}
            placeholder={t('permit.filter.node')}
          />
        </div>
        <DatePicker.RangePicker
          value={range}
          inputReadOnly
          style={{ width: phone ? '100%' : 260 }}
          placeholder={[t('permit.filter.from'), t('permit.filter.to')]}
          onChange={(v) =>
            change(
              v?.[0] && v[1]
                ? { from: v[0].startOf('day').toISOString(), to: v[1].endOf('day').toISOString() }
                : { from: undefined, to: undefined },
            )
          }
        />
        <Button onClick={() => void exportAs('xlsx')} data-testid="permit-export">
          {t('permit.export')}
        </Button>
        <Button onClick={() => void exportAs('csv')} data-testid="permit-export-csv">
          CSV
        </Button>
      </Flex>
      {phone ? (
        <List
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('permit.empty') }}
          pagination={{ ...pagination, simple: true }}
          renderItem={(p) => (
            <Card
              size="small"
              style={{
                marginBottom: 8,
                borderLeft: `4px solid ${p.state === 'suspended' ? '#cf1322' : '#1677ff'}`,
              }}
              onClick={() => void navigate(`/permits/${p.id}`)}
              data-testid={`permit-row-${p.id}`}
            >
              <Flex vertical gap={4}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text strong>{p.title}</Typography.Text>
                  <StateTag state={p.state} />
                </Flex>
                <Space size={4} wrap>
                  <span>{typeWord(p.type)}</span>
                  <GradeTag requested={p.requestedGrade} effective={p.effectiveGrade} />
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p.code} · {p.location}
                </Typography.Text>
                <Typography.Text style={{ fontSize: 12 }}>
                  {windowText(p.validFrom, p.validTo)}
                </Typography.Text>
              </Flex>
            </Card>
          )}
        />
      ) : (
        <Table<Permit>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('permit.empty') }}
          onRow={(p) => ({ 'data-testid': `permit-row-${p.id}` }) as React.HTMLAttributes<HTMLElement>}
          pagination={{ ...pagination, showSizeChanger: false }}
          scroll={{ x: 1000 }}
          columns={[
            {
              title: t('permit.col.code'),
              dataIndex: 'code',
              width: 190,
              render: (c: string, p) => <Link to={`/permits/${p.id}`}>{c}</Link>,
            },
            {
              title: t('permit.col.type'),
              dataIndex: 'type',
              width: 150,
              render: (_: unknown, p) => (
                <Space size={4}>
                  {typeWord(p.type)}
                  <GradeTag requested={p.requestedGrade} effective={p.effectiveGrade} />
                </Space>
              ),
            },
            {
              title: t('permit.col.title'),
              dataIndex: 'title',
              render: (x: string, p) => <Link to={`/permits/${p.id}`}>{x}</Link>,
            },
            { title: t('permit.col.location'), dataIndex: 'location' },
            {
              title: t('permit.col.window'),
              dataIndex: 'validFrom',
              width: 210,
              render: (_: unknown, p) => windowText(p.validFrom, p.validTo),
            },
            {
              title: t('permit.col.applicant'),
              dataIndex: 'applicant',
              width: 140,
              render: (_: unknown, p) => `${p.applicant.name}（${p.applicantUnit}）`,
            },
            {
              title: t('permit.col.state'),
              dataIndex: 'state',
              width: 110,
              render: (s: PermitState) => <StateTag state={s} />,
            },
            {
              title: t('permit.col.created'),
              dataIndex: 'createdAt',
              width: 150,
              render: (x: string) => when(x),
            },
          ]}
        />
      )}
    </Flex>
  );
}
