import type { User } from '@aegis/shared';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Input, Space, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { orgListQuery } from '../org/api';
import { plantNodesQuery } from '../plant/api';
import { usersQuery } from './api';
import { UserDrawer } from './UserDrawer';

export function UsersPage() {
  const { t } = useTranslation();
  const name = useLocalName();
  const { data: me } = useMe();
  const [q, setQ] = useState('');
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const users = useQuery(
    usersQuery({ q: q || undefined, limit: page.pageSize, offset: (page.current - 1) * page.pageSize }),
  );
  const teams = useQuery({ ...orgListQuery('teams'), enabled: canAnywhere(me, 'org.read') });
  const nodes = useQuery(plantNodesQuery);

  return (
    <Card
      size="small"
      title={t('users.title')}
      extra={
        canAnywhere(me, 'user.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('users.new')}
          </Button>
        )
      }
    >
      <Input.Search
        allowClear
        placeholder={t('users.search')}
        onSearch={(v) => {
          setQ(v.trim());
          setPage((p) => ({ ...p, current: 1 }));
        }}
        style={{ maxWidth: 360, marginBottom: 12 }}
      />
      <Table<User>
        rowKey="id"
        size="small"
        loading={users.isFetching}
        dataSource={users.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        onRow={(u) => ({ onClick: () => setEditing(u), style: { cursor: 'pointer' } })}
        pagination={{
          ...page,
          total: users.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { count: total }),
          onChange: (current, pageSize) => setPage({ current, pageSize }),
        }}
        columns={[
          {
            title: t('users.field.username'),
            dataIndex: 'username',
            render: (v: string, u) => (
              <Space size={4}>
                {v}
                {u.kind === 'machine' && <Tag>{t('users.kind.machine')}</Tag>}
              </Space>
            ),
          },
          { title: t('users.field.displayName'), dataIndex: 'displayName' },
          { title: t('users.field.employeeNo'), dataIndex: 'employeeNo' },
          {
            title: t('users.field.team'),
            dataIndex: 'teamId',
            render: (id: number | null) =>
              id ? (teams.data?.find((x) => x.id === id)?.name ?? `#${id}`) : null,
          },
          {
            title: t('users.field.homeNode'),
            dataIndex: 'homeNodeId',
            render: (id: number | null) => {
              const n = id ? nodes.data?.find((x) => x.id === id) : undefined;
              return n ? name(n) : id ? `#${id}` : null;
            },
          },
          {
            title: t('users.field.status'),
            key: 'status',
            render: (_, u) => (
              <Space size={0}>
                {u.active ? <Tag color="green">{t('users.active')}</Tag> : <Tag>{t('users.inactive')}</Tag>}
                {u.locked && <Tag color="red">{t('users.locked')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('users.field.lastLoginAt'),
            dataIndex: 'lastLoginAt',
            render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—'),
          },
        ]}
      />
      <UserDrawer
        open={editing !== null}
        user={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
        onCreated={setEditing}
      />
    </Card>
  );
}
