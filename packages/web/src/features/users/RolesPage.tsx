import type { Permission, Role } from '@aegis/shared';
import { DeleteOutlined, EditOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  Modal,
  Row,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canGlobally, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { permissionsQuery, rolesQuery, useDeleteRole, useSaveRole } from './api';

interface Values {
  code: string;
  nameZh: string;
  nameEn: string;
  permissions: Permission[];
  reason: string;
}

/** Permissions grouped by their domain, the part before the dot ("plant" in "plant.read"). */
function usePermissionGroups() {
  const { i18n } = useTranslation();
  const catalogue = useQuery(permissionsQuery);
  const groups = new Map<string, { key: Permission; label: string }[]>();
  for (const p of catalogue.data ?? []) {
    const domain = p.key.split('.')[0]!;
    const list = groups.get(domain) ?? [];
    list.push({ key: p.key, label: i18n.language === 'en-US' ? p.en : p.zh });
    groups.set(domain, list);
  }
  return {
    groups: [...groups],
    labelOf: (k: Permission) => [...groups.values()].flat().find((p) => p.key === k)?.label ?? k,
  };
}

export function RolesPage() {
  const { t } = useTranslation();
  const name = useLocalName();
  const { data: me } = useMe();
  const roles = useQuery(rolesQuery);
  const remove = useDeleteRole();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  // Roles apply anywhere in the plant, so editing them needs an enterprise-wide grant.
  const writable = canGlobally(me, 'role.write');
  const { labelOf } = usePermissionGroups();

  return (
    <Card
      size="small"
      title={t('roles.title')}
      extra={
        writable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('roles.new')}
          </Button>
        )
      }
    >
      <Table<Role>
        rowKey="id"
        size="small"
        loading={roles.isLoading}
        dataSource={roles.data ?? []}
        scroll={{ x: 'max-content' }}
        pagination={false}
        columns={[
          { title: t('roles.field.code'), dataIndex: 'code' },
          {
            title: t('roles.field.name'),
            key: 'name',
            render: (_, r) => (
              <Space size={4}>
                {name(r)}
                {r.builtin && <Tag color="blue">{t('roles.builtin')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('roles.field.permissions'),
            dataIndex: 'permissions',
            render: (ps: Permission[]) => (
              <Typography.Text
                type="secondary"
                style={{ display: 'block', maxWidth: 520 }}
                ellipsis={{ tooltip: ps.map(labelOf).join('、') }}
              >
                {t('roles.permissionCount', { count: ps.length })}: {ps.map(labelOf).join('、')}
              </Typography.Text>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: 'right',
            width: 100,
            render: (_, r) => (
              <Space size={0}>
                <Button
                  type="link"
                  size="small"
                  icon={r.builtin || !writable ? <EyeOutlined /> : <EditOutlined />}
                  aria-label={t('common.edit')}
                  onClick={() => setEditing(r)}
                />
                {!r.builtin && writable && (
                  <Button
                    type="link"
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('common.delete')}
                    onClick={() => setDeleting(r)}
                  />
                )}
              </Space>
            ),
          },
        ]}
      />
      <RoleModal
        role={editing === 'new' ? null : editing}
        open={editing !== null}
        readOnly={!writable || (editing !== 'new' && !!editing?.builtin)}
        onClose={() => setEditing(null)}
      />
      <ReasonModal
        open={deleting !== null}
        danger
        title={deleting ? t('roles.deleteTitle', { name: name(deleting) }) : ''}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      />
    </Card>
  );
}

function RoleModal(props: { open: boolean; role: Role | null; readOnly: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveRole();
  const { groups } = usePermissionGroups();
  const { role, open } = props;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(role ?? { permissions: [] });
  }, [open, role, form]);

  return (
    <Modal
      open={props.open}
      width={760}
      title={role ? (props.readOnly ? role.code : t('roles.edit', { code: role.code })) : t('roles.new')}
      okText={t('common.save')}
      okButtonProps={{ loading: save.isPending, style: props.readOnly ? { display: 'none' } : undefined }}
      cancelText={props.readOnly ? t('common.close') : t('common.cancel')}
      onCancel={props.onClose}
      forceRender
      onOk={async () => {
        const v = await form.validateFields();
        const body = role
          ? {
              nameZh: v.nameZh.trim(),
              nameEn: v.nameEn.trim(),
              permissions: v.permissions,
              reason: v.reason.trim(),
            }
          : { ...v, code: v.code.trim(), reason: v.reason.trim() };
        save.mutate(
          { id: role?.id ?? null, body },
          {
            onSuccess: () => {
              void message.success(t('common.saved'));
              form.resetFields();
              props.onClose();
            },
          },
        );
      }}
    >
      <Form form={form} layout="vertical" name="role" disabled={props.readOnly}>
        <Row gutter={16}>
          <Col xs={24} sm={8}>
            <Form.Item
              name="code"
              label={t('roles.field.code')}
              rules={[
                { required: true },
                { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('plant.codeHint') },
              ]}
            >
              <Input disabled={!!role} maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item
              name="nameZh"
              label={t('roles.field.nameZh')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item
              name="nameEn"
              label={t('roles.field.nameEn')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="permissions"
          label={t('roles.field.permissions')}
          rules={[{ required: true, type: 'array', min: 1, message: t('roles.permissionsRequired') }]}
        >
          <Checkbox.Group style={{ display: 'block' }}>
            {groups.map(([domain, perms]) => (
              <Row
                key={domain}
                gutter={[8, 4]}
                style={{ padding: '6px 0', borderBottom: '1px solid rgba(5,5,5,0.06)' }}
              >
                <Col xs={24} sm={6}>
                  <Typography.Text strong>
                    {t(`roles.domain.${domain}`, { defaultValue: domain })}
                  </Typography.Text>
                </Col>
                <Col xs={24} sm={18}>
                  <Space wrap size={[12, 4]}>
                    {perms.map((p) => (
                      <Checkbox key={p.key} value={p.key}>
                        {p.label}
                      </Checkbox>
                    ))}
                  </Space>
                </Col>
              </Row>
            ))}
          </Checkbox.Group>
        </Form.Item>
        {!props.readOnly && <ReasonField />}
      </Form>
    </Modal>
  );
}
