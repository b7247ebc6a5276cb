import { type Channel, PERSONAL_CHANNEL_KINDS } from '@aegis/shared';
import { SendOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Grid, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EditDeleteButtons, NewButton } from '../../app/FormParts';
import { errorText } from '../../app/notify';
import { ReasonModal } from '../../app/ReasonField';
import { CardList } from '../realtime/CardList';
import { UserSelect } from '../users/UserSelect';
import { channelsQuery, type TestChannelResult, useDeleteChannel, useTestChannel } from './api';
import { ChannelFormDrawer } from './ChannelForm';
import { ChannelName } from './KindIcon';

/** 通知渠道: each channel, whether it is on and which secrets it holds; create, edit, test, delete. */
export function ChannelsTab() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const list = useQuery(channelsQuery);
  const remove = useDeleteChannel();
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [testing, setTesting] = useState<Channel | null>(null);
  const rows = list.data ?? [];

  const secrets = (c: Channel) =>
    c.secretsSet.length ? (
      <Space size={4} wrap>
        {c.secretsSet.map((s) => (
          <Tag key={s} color="green">
            {t(`notify.channel.field.${s}`, { defaultValue: s })} · {t('notify.channel.secretSet')}
          </Tag>
        ))}
      </Space>
    ) : (
      <Typography.Text type="secondary">—</Typography.Text>
    );
  const state = (c: Channel) =>
    c.enabled ? <Tag color="green">{t('notify.enabled')}</Tag> : <Tag>{t('notify.disabled')}</Tag>;
  const actions = (c: Channel) => (
    <Space size={4}>
      <Tooltip title={t('notify.channel.test')}>
        <Button
          size="small"
          icon={<SendOutlined />}
          aria-label={t('notify.channel.test')}
          onClick={() => setTesting(c)}
          data-testid="channel-test"
        >
          {phone ? null : t('notify.channel.test')}
        </Button>
      </Tooltip>
      <EditDeleteButtons onEdit={() => setEditing(c)} onDelete={() => setDeleting(c)} />
    </Space>
  );

  return (
    <Card
      size="small"
      title={t('notify.channel.title')}
      extra={
        <NewButton
          label={t('notify.channel.new')}
          phone={phone}
          onClick={() => setEditing('new')}
          testId="channel-new"
        />
      }
    >
      {phone ? (
        <CardList
          items={rows}
          loading={list.isLoading}
          rowKey={(c) => c.id}
          empty={<Typography.Text type="secondary">{t('notify.channel.none')}</Typography.Text>}
          render={(c) => (
            <Card size="small" data-channel-code={c.code}>
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <ChannelName kind={c.kind} name={c.name} />
                  {state(c)}
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  <code>{c.code}</code> · {t(`notify.kind.${c.kind}`)}
                  {c.ratePerMinute ? ` · ${t('notify.channel.rate', { count: c.ratePerMinute })}` : ''}
                </Typography.Text>
                {secrets(c)}
                {actions(c)}
              </Space>
            </Card>
          )}
        />
      ) : (
        <Table<Channel>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(c) => ({ 'data-channel-code': c.code }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: t('notify.field.name'),
              key: 'name',
              render: (_, c) => (
                <Space orientation="vertical" size={0}>
                  <ChannelName kind={c.kind} name={c.name} />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <code>{c.code}</code> · {t(`notify.kind.${c.kind}`)}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t('notify.field.enabled'), key: 'enabled', render: (_, c) => state(c) },
            { title: t('notify.channel.secrets'), key: 'secrets', render: (_, c) => secrets(c) },
            {
              title: t('notify.channel.rateLimit'),
              key: 'rate',
              render: (_, c) =>
                c.ratePerMinute ? t('notify.channel.rate', { count: c.ratePerMinute }) : '—',
            },
            { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_, c) => actions(c) },
          ]}
        />
      )}
      <ChannelFormDrawer
        open={editing !== null}
        channel={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
      <TestChannelModal channel={testing} onClose={() => setTesting(null)} />
      <ReasonModal
        open={!!deleting}
        danger
        title={t('notify.channel.deleteTitle', { name: deleting?.name ?? '' })}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      >
        <Typography.Paragraph type="secondary">{t('notify.channel.deleteHint')}</Typography.Paragraph>
      </ReasonModal>
    </Card>
  );
}

/** 发送测试: to a chosen person for personal channels, to the group chat or endpoint for the others. */
function TestChannelModal({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const test = useTestChannel();
  const [userId, setUserId] = useState<number | null>(null);
  const [result, setResult] = useState<TestChannelResult | null>(null);
  const personal = !!channel && (PERSONAL_CHANNEL_KINDS as readonly string[]).includes(channel.kind);
  const close = () => {
    setResult(null);
    setUserId(null);
    test.reset();
    onClose();
  };
  return (
    <Modal
      open={!!channel}
      title={channel ? t('notify.channel.testTitle', { name: channel.name }) : null}
      onCancel={close}
      okText={t('notify.channel.sendTest')}
      okButtonProps={{ icon: <SendOutlined />, loading: test.isPending, 'data-testid': 'channel-test-send' }}
      cancelText={t('common.close')}
      onOk={() => {
        if (!channel) return;
        setResult(null);
        test.mutate(
          { id: channel.id, ...(personal && userId ? { userId } : {}) },
          { onSuccess: (r) => setResult(r) },
        );
      }}
    >
      <Form layout="vertical">
        {personal && (
          <Form.Item label={t('notify.channel.testTo')} extra={t('notify.channel.testToHint')}>
            <UserSelect value={userId} onChange={setUserId} />
          </Form.Item>
        )}
      </Form>
      {test.isError && (
        <div data-testid="channel-test-result" data-ok="false">
          <Alert
            type="error"
            showIcon
            title={t('notify.channel.testRefused')}
            description={errorText(t, test.error)}
          />
        </div>
      )}
      {result && (
        <div data-testid="channel-test-result" data-ok={result.ok ? 'true' : 'false'}>
          <Alert
            type={result.ok ? 'success' : 'error'}
            showIcon
            title={
              result.ok
                ? t('notify.channel.testOk', { ms: Math.round(result.latencyMs) })
                : t('notify.channel.testFailed', { ms: Math.round(result.latencyMs) })
            }
            description={result.error ?? undefined}
            style={{ marginBottom: 8 }}
          />
          {result.preview && (
            <>
              <Typography.Text type="secondary">{t('notify.channel.testPreview')}</Typography.Text>
              <pre
                style={{
                  whiteSpace: 'pre-wrap',
                  wordBreak: 'break-word',
                  fontSize: 12,
                  maxHeight: 240,
                  overflow: 'auto',
                  background: 'rgba(0,0,0,0.04)',
                  padding: 8,
                  margin: '4px 0 0',
                }}
              >
                {result.preview}
              </pre>
            </>
          )}
        </div>
      )}
    </Modal>
  );
}
