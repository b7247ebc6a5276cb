import type { Checkpoint, Route } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Card,
  Drawer,
  Form,
  Grid,
  Input,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { CodeNameCols, EditDeleteButtons, NewButton, ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { CardList } from '../realtime/CardList';
import { checkpointsQuery, routesQuery, useDeleteRoute, useSaveRoute } from './api';
import { OrderedList } from './OrderedList';
import { NodeField, useNodeName } from './parts';

interface RouteValues {
  nodeId: number | null;
  code: string;
  name: string;
  description: string;
  checkpointIds: number[];
  active: boolean;
  reason?: string;
}

/** The checkpoints of a route as "1. A → 2. B → …". */
function Walk({ ids, checkpoints }: { ids: number[]; checkpoints: Map<number, Checkpoint> }) {
  return (
    <Typography.Text style={{ fontSize: 12 }}>
      {ids.map((id, i) => `${i + 1}. ${checkpoints.get(id)?.name ?? `#${id}`}`).join(' → ')}
    </Typography.Text>
  );
}

/** 巡检路线: checkpoints in walking order; the inspector's task list follows it. */
export function RoutesTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const manage = canAnywhere(me, 'inspection.manage');
  const list = useQuery(routesQuery);
  const cps = useQuery(checkpointsQuery);
  const remove = useDeleteRoute();
  const nodeName = useNodeName();
  const [editing, setEditing] = useState<Route | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Route | null>(null);
  const byId = new Map((cps.data ?? []).map((c) => [c.id, c]));
  const rows = list.data ?? [];
  const state = (r: Route) =>
    r.active ? <Tag color="green">{t('inspection.active')}</Tag> : <Tag>{t('inspection.inactive')}</Tag>;
  const actions = (r: Route) =>
    manage && (
      <Space size={4}>
        <EditDeleteButtons onEdit={() => setEditing(r)} onDelete={() => setDeleting(r)} />
      </Space>
    );

  return (
    <Card
      size="small"
      title={t('inspection.route.title')}
      extra={
        manage && (
          <NewButton
            label={t('inspection.route.new')}
            phone={phone}
            onClick={() => setEditing('new')}
            testId="route-new"
          />
        )
      }
    >
      {phone ? (
        <CardList
          items={rows}
          loading={list.isLoading}
          rowKey={(r) => r.id}
          empty={<Typography.Text type="secondary">{t('inspection.route.none')}</Typography.Text>}
          render={(r) => (
            <Card size="small" data-route-code={r.code}>
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Typography.Text strong>{r.name}</Typography.Text>
                  {state(r)}
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {r.code} · {nodeName(r.nodeId)} ·{' '}
                  {t('inspection.route.count', { n: r.checkpointIds.length })}
                </Typography.Text>
                <Walk ids={r.checkpointIds} checkpoints={byId} />
                {actions(r)}
              </Space>
            </Card>
          )}
        />
      ) : (
        <Table<Route>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('inspection.field.code'), dataIndex: 'code', render: (v: string) => <code>{v}</code> },
            { title: t('inspection.field.name'), dataIndex: 'name' },
            { title: t('inspection.field.node'), key: 'node', render: (_, r) => nodeName(r.nodeId) },
            {
              title: t('inspection.route.checkpoints'),
              key: 'walk',
              render: (_, r) => (
                <div style={{ maxWidth: 520 }}>
                  <Walk ids={r.checkpointIds} checkpoints={byId} />
                </div>
              ),
            },
            { title: t('inspection.field.active'), key: 'active', render: (_, r) => state(r) },
            ...(manage
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    fixed: 'right' as const,
                    render: (_: unknown, r: Route) => actions(r),
                  },
                ]
              : []),
          ]}
        />
      )}
      <RouteEditor
        open={editing !== null}
        route={editing === 'new' ? null : editing}
        checkpoints={cps.data ?? []}
        onClose={() => setEditing(null)}
      />
      <ReasonModal
        open={!!deleting}
        danger
        title={t('inspection.route.deleteTitle', { name: deleting?.name ?? '' })}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      />
    </Card>
  );
}

/** Picks checkpoints and puts them in walking order. */
export function CheckpointPicker(props: {
  value?: number[];
  onChange?: (v: number[]) => void;
  checkpoints: Checkpoint[];
  testId?: string;
}) {
  const { t } = useTranslation();
  const ids = props.value ?? [];
  const byId = new Map(props.checkpoints.map((c) => [c.id, c]));
  return (
    <Space orientation="vertical" size={8} style={{ width: '100%' }}>
      <Select<number>
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('inspection.route.add')}
        value={null as unknown as number}
        style={{ width: '100%' }}
        data-testid={props.testId ? `${props.testId}-add` : undefined}
        onChange={(id) => id && props.onChange?.([...ids, id])}
        options={props.checkpoints
          .filter((c) => c.active && !ids.includes(c.id))
          .map((c) => ({ value: c.id, label: `${c.name} (${c.code})` }))}
      />
      <OrderedList<number>
        value={ids}
        onChange={props.onChange}
        keyOf={(id) => id}
        testId={props.testId}
        empty={<Typography.Text type="secondary">{t('inspection.route.empty')}</Typography.Text>}
        render={(id) => {
          const c = byId.get(id);
          return (
            <Typography.Text ellipsis>
              {c ? c.name : `#${id}`} <Typography.Text type="secondary">{c?.code}</Typography.Text>
            </Typography.Text>
          );
        }}
      />
    </Space>
  );
}

function RouteEditor({
  open,
  route,
  checkpoints,
  onClose,
}: {
  open: boolean;
  route: Route | null;
  checkpoints: Checkpoint[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<RouteValues>();
  const save = useSaveRoute();
  const [problems, setProblems] = useState<string[]>([]);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(
      route
        ? { ...route, checkpointIds: [...route.checkpointIds] }
        : { nodeId: null, code: '', name: '', description: '', checkpointIds: [], active: true },
    );
  }, [open, route, form]);

  const submit = async () => {
    const v = await form.validateFields();
    if (!v.checkpointIds?.length) {
      setProblems([t('inspection.route.needCheckpoint')]);
      return;
    }
    const common = {
      name: v.name.trim(),
      description: (v.description ?? '').trim(),
      checkpointIds: v.checkpointIds,
    };
    if (route)
      await save.mutateAsync({
        id: route.id,
        body: { ...common, active: v.active, reason: (v.reason ?? '').trim() },
      });
    else
      await save.mutateAsync({ id: null, body: { ...common, code: v.code.trim(), nodeId: v.nodeId ?? 0 } });
    setProblems([]);
    void message.success(t('common.saved'));
    onClose();
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 620}
      title={route ? t('inspection.route.edit', { name: route.name }) : t('inspection.route.new')}
      data-testid="route-editor"
      extra={
        <SaveActions
          saving={save.isPending}
          onSave={submit}
          onCancel={phone ? undefined : onClose}
          testId="route-save"
        />
      }
    >
      <ProblemsAlert title={t('inspection.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="inspection-route">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('inspection.field.code')}
            nameLabel={t('inspection.field.name')}
            locked={!!route}
          />
        </Row>
        <Form.Item name="nodeId" label={t('inspection.field.node')} rules={[{ required: true }]}>
          <NodeField locked={!!route} />
        </Form.Item>
        <Form.Item name="description" label={t('inspection.field.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item
          name="checkpointIds"
          label={t('inspection.route.checkpoints')}
          extra={t('inspection.route.orderHint')}
        >
          <CheckpointPicker checkpoints={checkpoints} testId="route-checkpoints" />
        </Form.Item>
        {route && (
          <>
            <Form.Item name="active" label={t('inspection.field.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <ReasonField />
          </>
        )}
      </Form>
    </Drawer>
  );
}
