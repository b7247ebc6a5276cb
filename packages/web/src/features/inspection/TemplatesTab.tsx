import {
  CreateTemplateSchema,
  type Template,
  type TemplateVersion,
  UpdateTemplateSchema,
} from '@aegis/shared';
import { EditOutlined, HistoryOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Collapse,
  Divider,
  Drawer,
  Empty,
  Form,
  Grid,
  Input,
  Row,
  Space,
  Spin,
  Switch,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { CodeNameCols, NewButton, ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField } from '../../app/ReasonField';
import { CardList } from '../realtime/CardList';
import { useUserNames } from '../users/UserSelect';
import { templatesQuery, templateVersionsQuery, useSaveTemplate } from './api';
import { ItemEditor, ItemKindTag } from './ItemEditor';
import { NodeField, shortTime, useNodeName } from './parts';
import {
  createFromValues,
  diffItems,
  limitsText,
  newTemplateValues,
  type TemplateFormWithReason,
  updateFromValues,
  valuesFromTemplate,
} from './templateForm';

/** 点检表: checklists; each save that changes the items makes a new version, tasks keep theirs. */
export function TemplatesTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const manage = canAnywhere(me, 'inspection.manage');
  const list = useQuery(templatesQuery);
  const nodeName = useNodeName();
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [history, setHistory] = useState<Template | null>(null);
  const rows = list.data ?? [];

  const state = (x: Template) =>
    x.active ? <Tag color="green">{t('inspection.active')}</Tag> : <Tag>{t('inspection.inactive')}</Tag>;
  const version = (x: Template) => (
    <Tag color="geekblue" style={{ cursor: 'pointer' }} onClick={() => setHistory(x)}>
      v{x.version}
    </Tag>
  );
  const actions = (x: Template) => (
    <Space size={4}>
      {manage && (
        <Button
          size="small"
          icon={<EditOutlined />}
          aria-label={t('common.edit')}
          onClick={() => setEditing(x)}
        />
      )}
      <Button
        size="small"
        icon={<HistoryOutlined />}
        onClick={() => setHistory(x)}
        data-testid="template-history"
      >
        {phone ? null : t('inspection.template.history')}
      </Button>
    </Space>
  );
  const kinds = (x: Template) => (
    <Space size={[0, 4]} wrap>
      {[...new Set(x.items.map((i) => i.kind))].map((k) => (
        <ItemKindTag key={k} kind={k} />
      ))}
    </Space>
  );

  return (
    <Card
      size="small"
      title={t('inspection.template.title')}
      extra={
        manage && (
          <NewButton
            label={t('inspection.template.new')}
            phone={phone}
            onClick={() => setEditing('new')}
            testId="template-new"
          />
        )
      }
    >
      {phone ? (
        <CardList
          items={rows}
          loading={list.isLoading}
          rowKey={(x) => x.id}
          empty={<Typography.Text type="secondary">{t('inspection.template.none')}</Typography.Text>}
          render={(x) => (
            <Card size="small" data-template-code={x.code}>
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Typography.Text strong>{x.name}</Typography.Text>
                  <Space size={0}>
                    {version(x)}
                    {state(x)}
                  </Space>
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {x.code} · {nodeName(x.nodeId)} ·{' '}
                  {t('inspection.template.itemCount', { n: x.items.length })}
                </Typography.Text>
                {kinds(x)}
                {actions(x)}
              </Space>
            </Card>
          )}
        />
      ) : (
        <Table<Template>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('inspection.field.code'), dataIndex: 'code', render: (v: string) => <code>{v}</code> },
            {
              title: t('inspection.field.name'),
              key: 'name',
              render: (_, x) =>
                manage ? <Typography.Link onClick={() => setEditing(x)}>{x.name}</Typography.Link> : x.name,
            },
            { title: t('inspection.field.node'), key: 'node', render: (_, x) => nodeName(x.nodeId) },
            { title: t('inspection.template.version'), key: 'version', render: (_, x) => version(x) },
            {
              title: t('inspection.template.items'),
              key: 'items',
              render: (_, x) => (
                <Space size={4} wrap>
                  <span>{x.items.length}</span>
                  {kinds(x)}
                </Space>
              ),
            },
            { title: t('inspection.field.active'), key: 'active', render: (_, x) => state(x) },
            { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_, x) => actions(x) },
          ]}
        />
      )}
      <TemplateEditor
        open={editing !== null}
        template={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
      <VersionHistory template={history} onClose={() => setHistory(null)} />
    </Card>
  );
}

function TemplateEditor({
  open,
  template,
  onClose,
}: {
  open: boolean;
  template: Template | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<TemplateFormWithReason>();
  const save = useSaveTemplate();
  const [problems, setProblems] = useState<string[]>([]);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(template ? valuesFromTemplate(template) : newTemplateValues());
  }, [open, template, form]);

  const submit = async () => {
    await form.validateFields();
    // all fields, also items not rendered or touched yet
    const v = form.getFieldsValue(true) as TemplateFormWithReason;
    const body = template ? updateFromValues(v, v.reason ?? '') : createFromValues(v);
    const parsed = (template ? UpdateTemplateSchema : CreateTemplateSchema).safeParse(body);
    if (!parsed.success) {
      setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return;
    }
    const saved = template
      ? await save.mutateAsync({ id: template.id, body: updateFromValues(v, v.reason ?? '') })
      : await save.mutateAsync({ id: null, body: createFromValues(v) });
    setProblems([]);
    void message.success(
      template && saved.version !== template.version
        ? t('inspection.template.savedVersion', { version: saved.version })
        : t('common.saved'),
    );
    onClose();
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 820}
      title={template ? t('inspection.template.edit', { name: template.name }) : t('inspection.template.new')}
      data-testid="template-editor"
      extra={
        <SaveActions
          saving={save.isPending}
          onSave={submit}
          onCancel={phone ? undefined : onClose}
          testId="template-save"
        />
      }
    >
      <ProblemsAlert title={t('inspection.invalid')} problems={problems} />
      {template && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('inspection.template.versionNote', {
            version: template.version,
            next: template.version + 1,
          })}
        />
      )}
      <Form form={form} layout="vertical" name="inspection-template">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('inspection.field.code')}
            nameLabel={t('inspection.field.name')}
            locked={!!template}
          />
        </Row>
        <Form.Item name="nodeId" label={t('inspection.field.node')} rules={[{ required: true }]}>
          <NodeField locked={!!template} />
        </Form.Item>
        <Form.Item name="description" label={t('inspection.field.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        {template && (
          <Form.Item name="active" label={t('inspection.field.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
        <Divider titlePlacement="start" style={{ margin: '8px 0 12px' }}>
          {t('inspection.template.items')}
        </Divider>
        <ItemEditor form={form} lockedKeys={new Set(template?.items.map((i) => i.key) ?? [])} />
        {template && (
          <div style={{ marginTop: 16 }}>
            <ReasonField />
          </div>
        )}
      </Form>
    </Drawer>
  );
}

/** The versions of a checklist, newest first: when, who, why, what changed; each version's items on demand. */
function VersionHistory({ template, onClose }: { template: Template | null; onClose: () => void }) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const userName = useUserNames();
  const versions = useQuery({ ...templateVersionsQuery(template?.id ?? 0), enabled: !!template });
  const sorted = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  const previous = (v: TemplateVersion) => sorted.find((x) => x.version === v.version - 1);

  const changes = (v: TemplateVersion) => {
    const p = previous(v);
    if (!p) return t('inspection.template.firstVersion', { n: v.items.length });
    const d = diffItems(p.items, v.items);
    const parts = [
      d.added.length && t('inspection.template.added', { n: d.added.length }),
      d.removed.length && t('inspection.template.removed', { n: d.removed.length }),
      d.changed.length && t('inspection.template.changed', { n: d.changed.length }),
    ].filter(Boolean);
    return parts.length ? parts.join(' · ') : t('inspection.template.sameItems');
  };

  return (
    <Drawer
      open={!!template}
      onClose={onClose}
      size={phone ? '100%' : 640}
      title={t('inspection.template.historyOf', { name: template?.name ?? '' })}
      data-testid="template-versions"
    >
      {versions.isLoading ? (
        <Spin style={{ display: 'block', margin: '24px auto' }} />
      ) : sorted.length === 0 ? (
        <Empty />
      ) : (
        <Timeline
          items={sorted.map((v) => ({
            key: v.version,
            color: v.version === template?.version ? 'green' : 'gray',
            content: (
              <Space orientation="vertical" size={2} style={{ width: '100%' }} data-version={v.version}>
                <Space wrap>
                  <Tag color={v.version === template?.version ? 'green' : 'default'}>v{v.version}</Tag>
                  <Typography.Text>{shortTime(v.createdAt)}</Typography.Text>
                  <Typography.Text type="secondary">
                    {v.createdBy === null ? '—' : userName(v.createdBy)}
                  </Typography.Text>
                </Space>
                {v.reason && (
                  <Typography.Text>{t('inspection.template.reason', { reason: v.reason })}</Typography.Text>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {changes(v)}
                </Typography.Text>
                <Collapse
                  size="small"
                  ghost
                  items={[
                    {
                      key: 'items',
                      label: t('inspection.template.showItems', { n: v.items.length }),
                      children: (
                        <ol style={{ margin: 0, paddingInlineStart: 20 }}>
                          {v.items.map((i) => (
                            <li key={i.key}>
                              <ItemKindTag kind={i.kind} /> {i.label}
                              {i.kind === 'numeric' && limitsText(i) && (
                                <Typography.Text type="secondary"> （{limitsText(i)}）</Typography.Text>
                              )}
                              {i.kind === 'choice' && (
                                <Typography.Text type="secondary">
                                  {' '}
                                  （{i.options.join(' / ')}）
                                </Typography.Text>
                              )}
                            </li>
                          ))}
                        </ol>
                      ),
                    },
                  ]}
                />
              </Space>
            ),
          }))}
        />
      )}
    </Drawer>
  );
}
