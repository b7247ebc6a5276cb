import type { PlantNode, PlantTreeNode } from '@aegis/shared';
import { DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Grid,
  Input,
  Result,
  Row,
  Space,
  Spin,
  Tooltip,
  Tree,
  type TreeDataNode,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { canAt, canGlobally, pathIds, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { plantTreeQuery, useDeleteNode, useUpdateNode } from './api';
import { childLevels, LEVEL_ICON, LevelTag, StatusTag } from './levels';
import { CreateNodeModal, NodeFields } from './NodeForms';

const EDITABLE = ['code', 'nameZh', 'nameEn', 'status', 'description'] as const;
type Editable = Pick<PlantNode, (typeof EDITABLE)[number]>;

function index(tree: PlantTreeNode[]): Map<number, PlantTreeNode> {
  const map = new Map<number, PlantTreeNode>();
  const walk = (n: PlantTreeNode) => {
    map.set(n.id, n);
    n.children.forEach(walk);
  };
  tree.forEach(walk);
  return map;
}

export function PlantPage() {
  const { t } = useTranslation();
  const name = useLocalName();
  const { data: me } = useMe();
  const tree = useQuery(plantTreeQuery);
  const [params, setParams] = useSearchParams();
  const [filter, setFilter] = useState('');
  // null: everything expanded, including nodes added later; set once the user folds a branch
  const [expanded, setExpanded] = useState<number[] | null>(null);
  const [creatingRoot, setCreatingRoot] = useState(false);
  const detailRef = useRef<HTMLDivElement>(null);
  const phone = Grid.useBreakpoint().lg === false;

  const byId = useMemo(() => index(tree.data ?? []), [tree.data]);
  const selectedId = Number(params.get('node')) || null;
  const selected = selectedId ? (byId.get(selectedId) ?? null) : null;
  const select = (id: number | null) => setParams(id ? { node: String(id) } : {}, { replace: true });

  // A selected node (one just added, or one opened by a link) is never hidden in a folded branch.
  useEffect(() => {
    if (!selected) return;
    const ancestors = pathIds(selected.path).filter((id) => id !== selected.id);
    setExpanded((keys) =>
      keys === null || ancestors.every((id) => keys.includes(id))
        ? keys
        : [...new Set([...keys, ...ancestors])],
    );
  }, [selected]);

  // On a phone the detail sits below the tree: bring it into view when a node is picked.
  useEffect(() => {
    if (phone && selectedId) detailRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [phone, selectedId]);

  const treeData = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const matches = (n: PlantTreeNode): boolean =>
      !q || `${n.code} ${n.nameZh} ${n.nameEn}`.toLowerCase().includes(q) || n.children.some(matches);
    const toData = (n: PlantTreeNode): TreeDataNode => ({
      key: n.id,
      icon: LEVEL_ICON[n.level],
      title: (
        <span data-testid={`plant-node-${n.id}`}>
          {name(n)}{' '}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {n.code}
          </Typography.Text>
          {n.status !== 'in_service' && (
            <span style={{ marginLeft: 6 }}>
              <StatusTag status={n.status} />
            </span>
          )}
        </span>
      ),
      children: n.children.filter(matches).map(toData),
    });
    return (tree.data ?? []).filter(matches).map(toData);
  }, [tree.data, filter, name]);

  if (tree.isError)
    return <Result status="error" title={t('common.loadFailed')} subTitle={tree.error.message} />;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={10} xl={9}>
        <Card
          title={t('plant.title')}
          size="small"
          extra={
            canGlobally(me, 'plant.write') && (
              <Button size="small" icon={<PlusOutlined />} onClick={() => setCreatingRoot(true)}>
                {t('plant.addEnterprise')}
              </Button>
            )
          }
        >
          <Input.Search
            allowClear
            placeholder={t('plant.filter')}
            onChange={(e) => setFilter(e.target.value)}
            style={{ marginBottom: 8 }}
          />
          {tree.isLoading ? (
            <Spin />
          ) : treeData.length === 0 ? (
            <Empty description={t('plant.empty')} />
          ) : (
            <div data-testid="plant-tree" style={{ overflowX: 'auto' }}>
              <Tree
                showIcon
                blockNode
                treeData={treeData}
                // while filtering, every match is shown unfolded
                expandedKeys={filter || expanded === null ? [...byId.keys()] : expanded}
                onExpand={(keys) => {
                  if (!filter) setExpanded(keys.map(Number));
                }}
                selectedKeys={selectedId ? [selectedId] : []}
                onSelect={(keys) => select(keys.length ? Number(keys[0]) : null)}
              />
            </div>
          )}
        </Card>
      </Col>
      <Col xs={24} lg={14} xl={15} ref={detailRef}>
        {selected ? (
          <NodeDetail
            key={selected.id}
            node={selected}
            onSelect={select}
            parentName={selected.parentId ? byId.get(selected.parentId) : undefined}
          />
        ) : (
          <Card size="small">
            <Empty description={t('plant.selectHint')} />
          </Card>
        )}
      </Col>
      <CreateNodeModal
        open={creatingRoot}
        parent={null}
        levels={['enterprise']}
        onClose={() => setCreatingRoot(false)}
        onCreated={(n) => {
          setCreatingRoot(false);
          select(n.id);
        }}
      />
    </Row>
  );
}

function NodeDetail({
  node,
  parentName,
  onSelect,
}: {
  node: PlantTreeNode;
  parentName?: PlantTreeNode;
  onSelect: (id: number | null) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const name = useLocalName();
  const { data: me } = useMe();
  const [form] = Form.useForm<Editable & { reason: string }>();
  const update = useUpdateNode();
  const remove = useDeleteNode();
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const writable = canAt(me, 'plant.write', node);
  const levels = childLevels(node.level);
  const isLeaf = node.children.length === 0;

  const save = (v: Editable & { reason: string }) => {
    const changes: Partial<Editable> = {};
    for (const k of EDITABLE) {
      const value = (v[k] ?? '').trim();
      if (value !== node[k]) Object.assign(changes, { [k]: value });
    }
    if (Object.keys(changes).length === 0) {
      void message.info(t('plant.noChanges'));
      return;
    }
    update.mutate(
      { id: node.id, ...changes, reason: v.reason.trim() },
      {
        onSuccess: () => {
          void message.success(t('common.saved'));
          form.setFieldValue('reason', undefined);
        },
      },
    );
  };

  return (
    <Card
      size="small"
      data-testid="plant-detail"
      title={
        <Space wrap size={4}>
          {LEVEL_ICON[node.level]}
          <span>{name(node)}</span>
        </Space>
      }
      extra={
        <Space size={4} wrap>
          <LevelTag level={node.level} />
          <StatusTag status={node.status} />
        </Space>
      }
    >
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'parent', label: t('plant.parent'), children: parentName ? name(parentName) : '—' },
          {
            key: 'updatedAt',
            label: t('plant.updatedAt'),
            children: dayjs(node.updatedAt).format('YYYY-MM-DD HH:mm'),
          },
        ]}
      />
      <Form
        form={form}
        name="node"
        layout="vertical"
        disabled={!writable}
        initialValues={{
          code: node.code,
          nameZh: node.nameZh,
          nameEn: node.nameEn,
          status: node.status,
          description: node.description,
        }}
        onFinish={save}
      >
        <NodeFields />
        {writable && <ReasonField />}
        {writable && (
          <Space wrap>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SaveOutlined />}
              loading={update.isPending}
              data-testid="plant-save"
            >
              {t('common.save')}
            </Button>
            {levels.length > 0 && (
              <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                {t('plant.addChild')}
              </Button>
            )}
            <Tooltip title={isLeaf ? null : t('plant.deleteOnlyLeaf')}>
              <Button danger icon={<DeleteOutlined />} disabled={!isLeaf} onClick={() => setDeleting(true)}>
                {t('common.delete')}
              </Button>
            </Tooltip>
          </Space>
        )}
      </Form>
      <CreateNodeModal
        open={adding}
        parent={node}
        parentName={name(node)}
        levels={levels}
        onClose={() => setAdding(false)}
        onCreated={(n) => {
          setAdding(false);
          onSelect(n.id);
        }}
      />
      <ReasonModal
        open={deleting}
        danger
        title={t('plant.deleteTitle', { name: name(node) })}
        okText={t('common.delete')}
        onClose={() => setDeleting(false)}
        onConfirm={async (reason) => {
          await remove.mutateAsync({ id: node.id, reason });
          onSelect(node.parentId);
        }}
      />
    </Card>
  );
}
