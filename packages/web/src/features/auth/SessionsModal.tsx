import { useQuery } from '@tanstack/react-query';
import { Button, Modal, Popconfirm, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { type Session, sessionsQuery, useRevokeSession } from './api';

export function SessionsModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const sessions = useQuery({ ...sessionsQuery, enabled: open });
  const revoke = useRevokeSession();
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('header.sessions')} width={760}>
      <Table<Session>
        rowKey="id"
        size="small"
        loading={sessions.isFetching}
        dataSource={sessions.data ?? []}
        pagination={false}
        scroll={{ x: 640 }}
        columns={[
          {
            title: t('sessions.createdAt'),
            dataIndex: 'createdAt',
            render: (v: string, s) => (
              <>
                {dayjs(v).format('YYYY-MM-DD HH:mm')}{' '}
                {s.current && <Tag color="green">{t('sessions.current')}</Tag>}
              </>
            ),
          },
          {
            title: t('sessions.lastSeenAt'),
            dataIndex: 'lastSeenAt',
            render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm'),
          },
          { title: t('sessions.ip'), dataIndex: 'ip' },
          { title: t('sessions.userAgent'), dataIndex: 'userAgent', ellipsis: true },
          {
            title: '',
            key: 'actions',
            width: 90,
            render: (_, s) =>
              s.current ? null : (
                <Popconfirm title={t('sessions.revokeConfirm')} onConfirm={() => revoke.mutateAsync(s.id)}>
                  <Button size="small" danger>
                    {t('sessions.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Modal>
  );
}
