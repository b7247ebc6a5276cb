import {
  BellOutlined,
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  PlusOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Dropdown, Grid, Input, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { ReasonModal } from '../../app/ReasonField';
import { RuleDrawer } from '../alarms/RuleDrawer';
import { EquipmentTree } from '../live/EquipmentTree';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { usePlantIndex } from '../realtime/usePlantIndex';
import { type TagFilters, type TagRow, tagExportUrl, tagsQuery, useDeleteTag } from './api';
import { ImportModal } from './ImportModal';
import { TagFormDrawer } from './TagForm';

/** 位号 tags: the list per plant node, create/edit, import/export, and each tag's alarm rules. */
export function TagsPage() {
  const { t } = useTranslation();
  const name = useLocalName();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().lg === false;
  const plant = usePlantIndex();
  const [params, setParams] = useSearchParams();
  const nodeId = Number(params.get('node')) || null;
  const node = nodeId ? plant.byId.get(nodeId) : undefined;
  const [q, setQ] = useState('');
  const [sourceKind, setSourceKind] = useState<TagFilters['sourceKind']>();
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const [editing, setEditing] = useState<TagRow | 'new' | null>(null);
  const [rulesOf, setRulesOf] = useState<TagRow | null>(null);
  const [deleting, setDeleting] = useState<TagRow | null>(null);
  const [importing, setImporting] = useState(false);
  const manage = canAnywhere(me, 'tag.manage');
  const remove = useDeleteTag();

  const filters =
    node?.level === 'equipment' ? { equipmentId: nodeId ?? undefined } : { nodeId: nodeId ?? undefined };
  const list = useQuery(
    tagsQuery({
      ...filters,
      q: q || undefined,
      limit: page.pageSize,
      offset: (page.current - 1) * page.pageSize,
    }),
  );
  const select = (id: number | null) => {
    setParams(id ? { node: String(id) } : {}, { replace: true });
    setPage((p) => ({ ...p, current: 1 }));
  };

  return (
    <Row gutter={[16, 16]}>
      {!phone && (
        <Col lg={7} xl={6}>
          <Card
            size="small"
            title={t('live.plant')}
            styles={{ body: { maxHeight: 'calc(100vh - 160px)', overflow: 'auto' } }}
          >
            <EquipmentTree value={nodeId} onChange={select} anyLevel />
          </Card>
        </Col>
      )}
      <Col xs={24} lg={17} xl={18}>
        <Card
          size="small"
          title={
            <Space wrap size={8}>
              {t('tags.title')}
              {node && <Tag>{name(node)}</Tag>}
            </Space>
          }
          extra={
            <Space size={4} wrap>
              <Dropdown
                trigger={['click']}
                menu={{
                  items: (['csv', 'xlsx'] as const).map((f) => ({
                    key: f,
                    label: (
                      <a href={tagExportUrl(f, nodeId ?? undefined)} download>
                        {t(`tags.export.${f}`)}
                      </a>
                    ),
                  })),
                }}
              >
                <Button icon={<DownloadOutlined />} data-testid="tag-export">
                  {phone ? null : t('tags.export.button')}
                </Button>
              </Dropdown>
              {manage && (
                <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="tag-import">
                  {phone ? null : t('tags.import.button')}
                </Button>
              )}
              {manage && (
                <Button
                  type="primary"
                  icon={<PlusOutlined />}
                  onClick={() => setEditing('new')}
                  data-testid="tag-new"
                >
                  {phone ? null : t('tags.new')}
                </Button>
              )}
            </Space>
          }
        >
          <Space wrap style={{ marginBottom: 12, width: '100%' }}>
            {phone && (
              <div style={{ minWidth: 240 }}>
                <PlantNodeSelect value={nodeId} onChange={select} allowClear />
              </div>
            )}
            <Input.Search
              allowClear
              placeholder={t('tags.searchList')}
              onSearch={(v) => {
                setQ(v.trim());
                setPage((p) => ({ ...p, current: 1 }));
              }}
              style={{ maxWidth: 320 }}
            />
            <Select<NonNullable<TagFilters['sourceKind']>>
              allowClear
              value={sourceKind}
              onChange={(v) => {
                setSourceKind(v);
                setPage((p) => ({ ...p, current: 1 }));
              }}
              placeholder={t('tags.field.source')}
              aria-label={t('tags.field.source')}
              popupMatchSelectWidth={false}
              style={{ minWidth: 160 }}
              options={(['mqtt', 'sparkplug', 'opcua', 'modbus', 'http'] as const).map((k) => ({
                value: k,
                label: t(`tags.sourceKind.${k}`),
              }))}
            />
          </Space>
          <Table<TagRow>
            rowKey="id"
            size="small"
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            scroll={{ x: 'max-content' }}
            onRow={(tag) => ({
              ...({ 'data-tag-id': String(tag.id) } as Record<string, string>),
              onClick: () => (manage ? setEditing(tag) : setRulesOf(tag)),
              style: { cursor: 'pointer' },
            })}
            pagination={{
              ...page,
              total: list.data?.total ?? 0,
              showSizeChanger: !phone,
              size: phone ? 'small' : undefined,
              showTotal: (total) => t('common.total', { count: total }),
              onChange: (current, pageSize) => setPage({ current, pageSize }),
            }}
            columns={[
              {
                title: t('tags.field.code'),
                key: 'code',
                render: (_, r) => (
                  <Space orientation="vertical" size={0}>
                    <code>{r.code}</code>
                    {phone && <span style={{ fontSize: 12 }}>{name(r)}</span>}
                  </Space>
                ),
              },
              ...(phone
                ? []
                : [
                    { title: t('tags.field.name'), key: 'name', render: (_: unknown, r: TagRow) => name(r) },
                    {
                      title: t('tags.field.equipment'),
                      key: 'equipment',
                      render: (_: unknown, r: TagRow) => (
                        <Typography.Text type="secondary">
                          {name({ nameZh: r.equipmentNameZh, nameEn: r.equipmentNameEn })} ({r.equipmentCode})
                        </Typography.Text>
                      ),
                    },
                    {
                      title: t('tags.field.type'),
                      dataIndex: 'type',
                      render: (v: string) => t(`tags.type.${v}`),
                    },
                    { title: t('tags.field.unit'), dataIndex: 'unit' },
                    {
                      title: t('tags.field.source'),
                      key: 'source',
                      render: (_: unknown, r: TagRow) => <Tag>{t(`tags.sourceKind.${r.source.kind}`)}</Tag>,
                    },
                  ]),
              {
                title: t('common.actions'),
                key: 'actions',
                fixed: 'right',
                render: (_, r) => (
                  <Space size={4}>
                    <Button
                      size="small"
                      icon={<BellOutlined />}
                      aria-label={t('rules.title')}
                      onClick={(e) => {
                        e.stopPropagation();
                        setRulesOf(r);
                      }}
                      data-testid="tag-rules"
                    >
                      {phone ? null : t('rules.title')}
                    </Button>
                    {manage && (
                      <Button
                        size="small"
                        icon={<EditOutlined />}
                        aria-label={t('common.edit')}
                        onClick={(e) => {
                          e.stopPropagation();
                          setEditing(r);
                        }}
                      />
                    )}
                    {manage && (
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('common.delete')}
                        onClick={(e) => {
                          e.stopPropagation();
                          setDeleting(r);
                        }}
                      />
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      </Col>
      <TagFormDrawer
        open={editing !== null}
        tag={editing === 'new' ? null : editing}
        defaultEquipmentId={node?.level === 'equipment' ? nodeId : null}
        onClose={() => setEditing(null)}
      />
      <RuleDrawer tag={rulesOf} onClose={() => setRulesOf(null)} />
      <ImportModal open={importing} onClose={() => setImporting(false)} />
      <ReasonModal
        open={!!deleting}
        danger
        title={t('tags.deleteTitle', { code: deleting?.code ?? '' })}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      >
        <Typography.Paragraph type="secondary">{t('tags.deleteHint')}</Typography.Paragraph>
      </ReasonModal>
    </Row>
  );
}
