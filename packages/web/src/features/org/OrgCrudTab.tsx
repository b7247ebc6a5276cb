import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Form,
  type FormInstance,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  type TableColumnsType,
} from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, canGlobally, useMe } from '../../app/auth';
import { type OrgKind, type OrgRecords, orgListQuery, useDeleteOrgRecord, useSaveOrgRecord } from './api';

type Values = Record<string, unknown>;

/**
 * One kind of organisation record: a table plus a modal form. Each kind supplies its extra
 * columns, its extra fields, and how a record maps to form values and back to a request body.
 */
export function OrgCrudTab<K extends OrgKind>(props: {
  kind: K;
  columns: TableColumnsType<OrgRecords[K]>;
  fields: (form: FormInstance<Values>) => ReactNode;
  toValues?: (r: OrgRecords[K]) => Values;
  toBody?: (v: Values) => Values;
  /** posts and shifts have no plant node, so changing them needs an enterprise-wide grant */
  global?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const list = useQuery(orgListQuery(props.kind));
  const save = useSaveOrgRecord(props.kind);
  const remove = useDeleteOrgRecord(props.kind);
  const [form] = Form.useForm<Values>();
  const [editing, setEditing] = useState<OrgRecords[K] | 'new' | null>(null);
  const writable = props.global ? canGlobally(me, 'org.write') : canAnywhere(me, 'org.write');

  const open = (r: OrgRecords[K] | 'new') => {
    setEditing(r);
    form.resetFields();
    if (r !== 'new') form.setFieldsValue(props.toValues ? props.toValues(r) : (r as unknown as Values));
  };

  const submit = async () => {
    const v = await form.validateFields();
    const body = props.toBody ? props.toBody(v) : v;
    save.mutate(
      { id: editing === 'new' || editing === null ? null : editing.id, body },
      {
        onSuccess: () => {
          void message.success(t('common.saved'));
          setEditing(null);
        },
      },
    );
  };

  const columns: TableColumnsType<OrgRecords[K]> = [
    { title: t('org.field.code'), dataIndex: 'code', width: 140 },
    { title: t('org.field.name'), dataIndex: 'name', width: 180 },
    ...props.columns,
  ];
  if (writable) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      width: 110,
      render: (_, r) => (
        <Space size={0}>
          <Button
            type="link"
            size="small"
            icon={<EditOutlined />}
            aria-label={t('common.edit')}
            onClick={() => open(r)}
          />
          <Popconfirm
            title={t('org.deleteConfirm', { name: r.name })}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove.mutateAsync(r.id)}
          >
            <Button
              type="link"
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        </Space>
      ),
    });
  }

  return (
    <>
      {writable && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => open('new')}
          style={{ marginBottom: 12 }}
        >
          {t(`org.new.${props.kind}`)}
        </Button>
      )}
      <Table<OrgRecords[K]>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data ?? []}
        columns={columns}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
      />
      <Modal
        open={editing !== null}
        title={t(editing === 'new' ? `org.new.${props.kind}` : `org.edit.${props.kind}`)}
        okText={t('common.save')}
        okButtonProps={{ loading: save.isPending }}
        onOk={submit}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form form={form} layout="vertical" name={`org-${props.kind}`}>
          <Form.Item
            name="code"
            label={t('org.field.code')}
            rules={[
              { required: true },
              { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('plant.codeHint') },
            ]}
          >
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="name" label={t('org.field.name')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          {props.fields(form)}
        </Form>
      </Modal>
    </>
  );
}
