import { AUDIT_OUTCOMES, type AuditEntry } from '@aegis/shared';
import {
  DownloadOutlined,
  ReloadOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canGlobally, useMe } from '../../app/auth';
import { errorText } from '../../app/notify';
import { AuditDiff } from './AuditDiff';
import { type AuditFilters, auditCsvUrl, auditQuery, auditXlsxUrl, useVerifyChain } from './api';

interface FilterValues {
  range?: [Dayjs | null, Dayjs | null] | null;
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditEntry['outcome'];
}

const OUTCOME_COLOUR: Record<AuditEntry['outcome'], string> = {
  success: 'green',
  failure: 'orange',
  denied: 'red',
};

function toFilters(v: FilterValues): AuditFilters {
  const text = (s?: string) => s?.trim() || undefined;
  return {
    from: v.range?.[0]?.toISOString(),
    to: v.range?.[1]?.toISOString(),
    actor: text(v.actor),
    action: text(v.action),
    targetType: text(v.targetType),
    targetId: text(v.targetId),
    outcome: v.outcome,
  };
}

export function AuditPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const list = useQuery(
    auditQuery(filters, { limit: page.pageSize, offset: (page.current - 1) * page.pageSize }),
  );
  const verify = useVerifyChain();

  // Names for people: the server's labels where it sends them, else the type in words and the id.
  const actorText = (e: AuditEntry) =>
    e.actorDisplayName && e.actorDisplayName !== e.actorName
      ? `${e.actorDisplayName} (${e.actorName})`
      : e.actorName;
  const targetText = (e: AuditEntry) => {
    const label = e.targetLabel;
    if (!e.targetType) return '—';
    const type = t(`audit.targetType.${e.targetType}`, { defaultValue: e.targetType });
    if (label) return `${type} ${label}`;
    return e.targetId ? `${type} #${e.targetId}` : type;
  };

  const apply = (v: FilterValues) => {
    setFilters(toFilters(v));
    setPage((p) => ({ ...p, current: 1 }));
  };

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Card
        size="small"
        title={t('audit.title')}
        extra={
          <Space wrap size={4}>
            <Button
              icon={<SafetyCertificateOutlined />}
              loading={verify.isPending}
              onClick={() => verify.mutate()}
              data-testid="audit-verify"
            >
              {t('audit.verify')}
            </Button>
            {canGlobally(me, 'audit.export') && (
              <Button icon={<DownloadOutlined />} href={auditCsvUrl(filters)} data-testid="audit-export">
                {t('audit.export')}
              </Button>
            )}
            {canGlobally(me, 'audit.export') && (
              <Button
                icon={<DownloadOutlined />}
                href={auditXlsxUrl(filters)}
                data-testid="audit-export-xlsx"
              >
                XLSX
              </Button>
            )}
          </Space>
        }
      >
        {verify.data && (
          <Alert
            style={{ marginBottom: 12 }}
            showIcon
            closable={{ onClose: () => verify.reset() }}
            type={verify.data.ok ? 'success' : 'error'}
            title={
              verify.data.ok
                ? t('audit.verifyOk', { checked: verify.data.checked, head: verify.data.headSeq ?? '—' })
                : t('audit.verifyBroken', { seq: verify.data.firstBrokenSeq ?? '?' })
            }
            description={verify.data.ok ? null : verify.data.problem}
          />
        )}
        {verify.isError && (
          <Alert style={{ marginBottom: 12 }} showIcon type="error" title={errorText(t, verify.error)} />
        )}
        <Form form={form} layout="vertical" onFinish={apply}>
          <Row gutter={12}>
            <Col xs={24} md={12} xl={8}>
              <Form.Item name="range" label={t('audit.field.time')}>
                <DatePicker.RangePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  allowEmpty={[true, true]}
                  style={{ width: '100%' }}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="actor" label={t('audit.field.actor')}>
                <Input allowClear />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="action" label={t('audit.field.action')}>
                <Input allowClear placeholder="plant.node.update" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={3}>
              <Form.Item name="targetType" label={t('audit.field.targetType')}>
                <Input allowClear placeholder="plant_node" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={2}>
              <Form.Item name="targetId" label={t('audit.field.targetId')}>
                <Input allowClear />
              </Form.Item>
            </Col>
            <Col xs={24} md={6} xl={3}>
              <Form.Item name="outcome" label={t('audit.field.outcome')}>
                <Select
                  allowClear
                  options={AUDIT_OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))}
                />
              </Form.Item>
            </Col>
          </Row>
          <Space wrap>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                apply({});
              }}
            >
              {t('common.reset')}
            </Button>
            <Button
              icon={<ReloadOutlined />}
              onClick={() => void list.refetch()}
              aria-label={t('common.refresh')}
            />
          </Space>
        </Form>
      </Card>
      <Card size="small">
        <Table<AuditEntry>
          rowKey="seq"
          size="small"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{
            ...page,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100, 200],
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (current, pageSize) => setPage({ current, pageSize }),
          }}
          expandable={{
            // width 0 / min-width 100%: the details take the row's width without widening the
            // table's columns (their long ids and values used to push every column after the time out of view).
            expandedRowRender: (e) => (
              <Space
                orientation="vertical"
                style={{ width: 0, minWidth: '100%', overflowWrap: 'anywhere' }}
                data-testid="audit-details"
              >
                <AuditDiff before={e.before} after={e.after} />
                <Descriptions
                  size="small"
                  column={{ xs: 1, md: 3 }}
                  items={[
                    { key: 'request', label: t('audit.field.requestId'), children: e.requestId ?? '—' },
                    { key: 'node', label: t('audit.field.nodeId'), children: e.nodeId ?? '—' },
                    {
                      key: 'hash',
                      label: t('audit.field.hash'),
                      children: (
                        <Typography.Text code copyable={{ text: e.hash }}>
                          {e.hash.slice(0, 16)}…
                        </Typography.Text>
                      ),
                    },
                  ]}
                />
              </Space>
            ),
          }}
          columns={[
            { title: '#', dataIndex: 'seq', width: 70 },
            {
              title: t('audit.field.time'),
              dataIndex: 'at',
              render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss'),
            },
            { title: t('audit.field.actor'), key: 'actor', render: (_, e) => actorText(e) },
            {
              title: t('audit.field.action'),
              dataIndex: 'action',
              render: (v: string) => (
                <span title={v}>{t(`audit.actionName.${v.replaceAll('.', '_')}`, { defaultValue: v })}</span>
              ),
            },
            { title: t('audit.field.target'), key: 'target', render: (_, e) => targetText(e) },
            {
              title: t('audit.field.outcome'),
              dataIndex: 'outcome',
              render: (o: AuditEntry['outcome']) => (
                <Tag color={OUTCOME_COLOUR[o]}>{t(`audit.outcome.${o}`)}</Tag>
              ),
            },
            {
              title: t('audit.field.reason'),
              dataIndex: 'reason',
              render: (v: string | null) => (
                <Typography.Text ellipsis={{ tooltip: v }} style={{ maxWidth: 240 }}>
                  {v ?? ''}
                </Typography.Text>
              ),
            },
            { title: t('audit.field.ip'), dataIndex: 'ip' },
          ]}
        />
      </Card>
    </Space>
  );
}
