import type { Plan } from '@aegis/shared';
import { CalendarOutlined, EditOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Drawer, Grid, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { NewButton } from '../../app/FormParts';
import { CardList } from '../realtime/CardList';
import { plansQuery, routesQuery, templatesQuery, useGenerate } from './api';
import { PlanEditor } from './PlanEditor';
import { PlanPreviewList } from './PlanPreviewList';
import { useAssignees, useNodeName, useShifts } from './parts';
import { describeSchedule, describeWindow } from './planForm';

/** 计划: what is checked where, when and by whom; the generator turns plans into tasks. */
export function PlansTab() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const manage = canAnywhere(me, 'inspection.manage');
  const list = useQuery(plansQuery);
  const templates = useQuery(templatesQuery);
  const routes = useQuery(routesQuery);
  const nodeName = useNodeName();
  const shifts = useShifts();
  const assignees = useAssignees();
  const generate = useGenerate();
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const [preview, setPreview] = useState<Plan | null>(null);
  const rows = list.data ?? [];

  const templateName = (id: number) => templates.data?.find((x) => x.id === id)?.name ?? `#${id}`;
  const where = (p: Plan) =>
    p.routeId !== null
      ? t('inspection.plan.onRoute', {
          name: routes.data?.find((r) => r.id === p.routeId)?.name ?? `#${p.routeId}`,
        })
      : t('inspection.route.count', { n: p.stops.length });
  const schedule = (p: Plan) => describeSchedule(p.schedule, i18n.language, shifts.name);
  const rules = (p: Plan) => (
    <Space size={[0, 4]} wrap>
      {p.requireScan && (
        <Tag color={p.onMissingScan === 'refuse' ? 'blue' : 'default'}>
          {p.onMissingScan === 'refuse'
            ? t('inspection.plan.scanRequired')
            : t('inspection.plan.scanFlagged')}
        </Tag>
      )}
      {p.requirePhotoOnAbnormal && <Tag>{t('inspection.plan.photoTag')}</Tag>}
      {p.controlMeasureIds.length > 0 && (
        <Tag color="purple">{t('inspection.plan.measureCount', { n: p.controlMeasureIds.length })}</Tag>
      )}
    </Space>
  );
  const state = (p: Plan) =>
    p.active ? <Tag color="green">{t('inspection.active')}</Tag> : <Tag>{t('inspection.inactive')}</Tag>;
  const actions = (p: Plan) => (
    <Space size={4}>
      {manage && (
        <Button
          size="small"
          icon={<EditOutlined />}
          aria-label={t('common.edit')}
          onClick={() => setEditing(p)}
        />
      )}
      <Tooltip title={t('inspection.plan.preview')}>
        <Button
          size="small"
          icon={<CalendarOutlined />}
          aria-label={t('inspection.plan.preview')}
          onClick={() => setPreview(p)}
        />
      </Tooltip>
    </Space>
  );

  const runGenerator = async () => {
    const r = await generate.mutateAsync();
    void message.success(t('inspection.plan.generated', r));
  };

  return (
    <Card
      size="small"
      title={t('inspection.plan.title')}
      extra={
        manage && (
          <Space>
            <Tooltip title={t('inspection.plan.generateHint')}>
              <Button
                icon={<ThunderboltOutlined />}
                loading={generate.isPending}
                onClick={() => void runGenerator().catch(() => {})}
                data-testid="plan-generate"
              >
                {phone ? null : t('inspection.plan.generate')}
              </Button>
            </Tooltip>
            <NewButton
              label={t('inspection.plan.new')}
              phone={phone}
              onClick={() => setEditing('new')}
              testId="plan-new"
            />
          </Space>
        )
      }
    >
      {phone ? (
        <CardList
          items={rows}
          loading={list.isLoading}
          rowKey={(p) => p.id}
          empty={<Typography.Text type="secondary">{t('inspection.plan.none')}</Typography.Text>}
          render={(p) => (
            <Card size="small" data-plan-code={p.code}>
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Typography.Text strong>{p.name}</Typography.Text>
                  {state(p)}
                </Space>
                <Typography.Text style={{ fontSize: 12 }}>{schedule(p)}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {templateName(p.templateId)} · {where(p)} · {assignees.label(p.assignee)}
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {describeWindow(p.window, i18n.language)}
                </Typography.Text>
                {rules(p)}
                {actions(p)}
              </Space>
            </Card>
          )}
        />
      ) : (
        <Table<Plan>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: t('inspection.field.name'),
              key: 'name',
              render: (_, p) => (
                <Space orientation="vertical" size={0}>
                  {manage ? (
                    <Typography.Link onClick={() => setEditing(p)}>{p.name}</Typography.Link>
                  ) : (
                    p.name
                  )}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <code>{p.code}</code> · {nodeName(p.nodeId)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('inspection.plan.what'),
              key: 'what',
              render: (_, p) => (
                <Space orientation="vertical" size={0}>
                  <span>{templateName(p.templateId)}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {where(p)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('inspection.plan.when'),
              key: 'when',
              render: (_, p) => (
                <Space orientation="vertical" size={0} style={{ maxWidth: 300 }}>
                  <span>{schedule(p)}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {describeWindow(p.window, i18n.language)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('inspection.plan.assignee'),
              key: 'who',
              render: (_, p) => assignees.label(p.assignee),
            },
            { title: t('inspection.plan.rules'), key: 'rules', render: (_, p) => rules(p) },
            { title: t('inspection.field.active'), key: 'active', render: (_, p) => state(p) },
            { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_, p) => actions(p) },
          ]}
        />
      )}
      <PlanEditor
        open={editing !== null}
        plan={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
      <Drawer
        open={!!preview}
        onClose={() => setPreview(null)}
        size={phone ? '100%' : 620}
        title={t('inspection.plan.previewOf', { name: preview?.name ?? '' })}
      >
        {preview && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>{schedule(preview)}</Typography.Text>
            <PlanPreviewList planId={preview.id} />
          </Space>
        )}
      </Drawer>
    </Card>
  );
}
