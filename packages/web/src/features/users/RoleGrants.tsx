import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Form, Select, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { plantNodesQuery } from '../plant/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { grantsQuery, type RoleAssignment, rolesQuery, useGrantRole, useRevokeRole } from './api';

interface GrantValues {
  roleId: number;
  nodeId: number | null;
  reason: string;
}

/** A user's roles, each held at a plant node (its subtree) or across the whole enterprise. */
export function RoleGrants({ userId }: { userId: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const name = useLocalName();
  const { data: me } = useMe();
  const grants = useQuery(grantsQuery(userId));
  const roles = useQuery(rolesQuery);
  const nodes = useQuery(plantNodesQuery);
  const grant = useGrantRole();
  const revoke = useRevokeRole();
  const [form] = Form.useForm<GrantValues>();
  const [revoking, setRevoking] = useState<RoleAssignment | null>(null);
  const writable = canAnywhere(me, 'role.write');

  const roleName = (a: RoleAssignment) => {
    const r = roles.data?.find((x) => x.id === a.roleId);
    return r ? name(r) : a.roleCode;
  };
  const scopeName = (nodeId: number | null) => {
    if (nodeId === null) return <Tag color="purple">{t('scope.wholeEnterprise')}</Tag>;
    const n = nodes.data?.find((x) => x.id === nodeId);
    return n ? name(n) : `#${nodeId}`;
  };

  return (
    <div data-testid="role-grants">
      <Table<RoleAssignment>
        rowKey="id"
        size="small"
        loading={grants.isLoading}
        dataSource={grants.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('grants.none') }}
        columns={[
          { title: t('grants.role'), key: 'role', render: (_, a) => roleName(a) },
          { title: t('grants.scope'), dataIndex: 'nodeId', render: scopeName },
          {
            title: t('grants.since'),
            dataIndex: 'createdAt',
            render: (v: string) => dayjs(v).format('YYYY-MM-DD'),
          },
          ...(writable
            ? [
                {
                  title: '',
                  key: 'revoke',
                  width: 48,
                  render: (_: unknown, a: RoleAssignment) => (
                    <Button
                      type="link"
                      danger
                      size="small"
                      icon={<DeleteOutlined />}
                      aria-label={t('grants.revoke')}
                      onClick={() => setRevoking(a)}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
      {writable && (
        <Form
          form={form}
          name="grant"
          layout="vertical"
          style={{ marginTop: 16 }}
          onFinish={(v) =>
            grant.mutate(
              { userId, roleId: v.roleId, nodeId: v.nodeId, reason: v.reason.trim() },
              {
                onSuccess: () => {
                  void message.success(t('grants.granted'));
                  form.resetFields();
                },
              },
            )
          }
        >
          <Form.Item name="roleId" label={t('grants.role')} rules={[{ required: true }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={(roles.data ?? []).map((r) => ({ value: r.id, label: `${name(r)} (${r.code})` }))}
            />
          </Form.Item>
          <Form.Item
            name="nodeId"
            label={t('grants.scope')}
            extra={t('grants.scopeHint')}
            rules={[
              {
                validator: (_, v) =>
                  v === undefined ? Promise.reject(new Error(t('grants.scopeRequired'))) : Promise.resolve(),
              },
            ]}
          >
            <PlantNodeSelect wholeEnterprise />
          </Form.Item>
          <ReasonField />
          <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={grant.isPending}>
            {t('grants.grant')}
          </Button>
        </Form>
      )}
      <ReasonModal
        open={revoking !== null}
        danger
        title={revoking ? t('grants.revokeTitle', { role: roleName(revoking) }) : ''}
        okText={t('grants.revoke')}
        onClose={() => setRevoking(null)}
        onConfirm={(reason) => revoke.mutateAsync({ userId, assignmentId: revoking!.id, reason })}
      />
    </div>
  );
}
