import type { Screen, ScreenLayout } from '@aegis/shared';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Drawer, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { currentLanguage } from '../../app/i18n';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import {
  kioskLink,
  screensQuery,
  tokensQuery,
  useCreateToken,
  useDeleteScreen,
  useRevokeToken,
  useSaveScreen,
} from './api';

const fmt = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' }) : '—';

/** A new screen starts with one overview page the editor then changes. */
export const STARTER_LAYOUT: ScreenLayout = {
  theme: 'dark',
  pages: [
    {
      title: '总览',
      dwellSeconds: 30,
      widgets: [
        { id: 'clock', kind: 'clock', x: 0, y: 0, w: 24, h: 1, settings: {} },
        { id: 'tiles', kind: 'status_tiles', x: 0, y: 1, w: 12, h: 4, settings: {} },
        { id: 'prio', kind: 'alarms_by_priority', x: 12, y: 1, w: 12, h: 4, settings: {} },
        { id: 'list', kind: 'alarm_list', x: 0, y: 5, w: 12, h: 8, settings: { limit: 10 } },
        { id: 'rate', kind: 'alarm_rate', x: 12, y: 5, w: 6, h: 4, settings: {} },
        { id: 'safe', kind: 'safe_days', x: 18, y: 5, w: 6, h: 4, settings: {} },
        { id: 'insp', kind: 'inspections', x: 12, y: 9, w: 6, h: 4, settings: {} },
        { id: 'haz', kind: 'hazards', x: 18, y: 9, w: 6, h: 4, settings: {} },
      ],
    },
  ],
};

/** 大屏: the screens in scope; open full-screen, edit, and manage their kiosk tokens. */
export function ScreensPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const manage = canAnywhere(me, 'screen.manage');
  const screens = useQuery(screensQuery);
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [tokensOf, setTokensOf] = useState<Screen | null>(null);
  const [deleting, setDeleting] = useState<Screen | null>(null);
  const save = useSaveScreen();
  const remove = useDeleteScreen();
  const [form] = Form.useForm<{ name: string; nodeId: number; reason: string }>();
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('screen.title')}
        </Typography.Title>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('screen.new')}
          </Button>
        )}
      </Space>
      <Table<Screen>
        rowKey="id"
        loading={screens.isLoading}
        dataSource={screens.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { title: t('screen.name'), dataIndex: 'name' },
          { title: t('screen.node'), dataIndex: 'nodeName' },
          { title: t('screen.pages'), render: (_, s) => s.layout.pages.length },
          { title: t('screen.version'), dataIndex: 'version' },
          { title: t('screen.updated'), render: (_, s) => `${fmt(s.updatedAt)} ${s.updatedBy ?? ''}` },
          {
            title: '',
            render: (_, s) => (
              <Space wrap>
                <Link to={`/screens/${s.id}/show`} target="_blank">
                  {t('screen.open')}
                </Link>
                {manage && <Link to={`/screens/${s.id}/edit`}>{t('screen.edit')}</Link>}
                {manage && (
                  <Button size="small" onClick={() => setTokensOf(s)}>
                    {t('screen.tokens')}
                  </Button>
                )}
                {manage && (
                  <Button size="small" danger onClick={() => setDeleting(s)}>
                    {t('screen.delete')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('screen.new')}
        onCancel={() => setCreating(false)}
        confirmLoading={save.isPending}
        onOk={async () => {
          const v = await form.validateFields();
          const s = await save.mutateAsync({
            id: null,
            name: v.name,
            nodeId: v.nodeId,
            layout: STARTER_LAYOUT,
            reason: v.reason,
          });
          setCreating(false);
          form.resetFields();
          navigate(`/screens/${s.id}/edit`);
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('screen.name')}
            rules={[{ required: true }]}
            initialValue="中控室大屏"
          >
            <Input />
          </Form.Item>
          <Form.Item name="nodeId" label={t('screen.node')} rules={[{ required: true }]}>
            <PlantNodeSelect />
          </Form.Item>
          <ReasonField />
        </Form>
      </Modal>
      <ReasonModal
        open={deleting !== null}
        title={t('screen.deleteTitle', { name: deleting?.name ?? '' })}
        danger
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      />
      <Drawer
        open={tokensOf !== null}
        width={Math.min(720, window.innerWidth)}
        title={t('screen.tokensOf', { name: tokensOf?.name ?? '' })}
        onClose={() => setTokensOf(null)}
        destroyOnHidden
      >
        {tokensOf && <Tokens screen={tokensOf} />}
      </Drawer>
    </div>
  );
}

function Tokens({ screen }: { screen: Screen }) {
  const { t } = useTranslation();
  const tokens = useQuery(tokensQuery(screen.id));
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<number | null>(null);
  const [form] = Form.useForm<{ name: string; expiresInDays: number | null; reason: string }>();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {secret && (
        <Alert
          type="success"
          showIcon
          message={t('screen.secretOnce')}
          description={
            <Typography.Paragraph
              copyable={{ text: kioskLink(secret) }}
              style={{ marginBottom: 0 }}
              data-testid="kiosk-link"
            >
              {kioskLink(secret)}
            </Typography.Paragraph>
          }
        />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          const res = await create.mutateAsync({
            screenId: screen.id,
            name: v.name,
            expiresInDays: v.expiresInDays ?? null,
            reason: v.reason,
          });
          setSecret(res.secret);
          form.resetFields();
        }}
      >
        <Form.Item
          name="name"
          label={t('screen.tokenName')}
          rules={[{ required: true }]}
          initialValue="中控室"
        >
          <Input />
        </Form.Item>
        <Form.Item name="expiresInDays" label={t('screen.expiresInDays')}>
          <InputNumber min={1} max={3650} placeholder={t('screen.never')} />
        </Form.Item>
        <ReasonField />
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('screen.createToken')}
        </Button>
      </Form>
      <Table
        rowKey="id"
        size="small"
        loading={tokens.isLoading}
        dataSource={tokens.data ?? []}
        pagination={false}
        columns={[
          { title: t('screen.tokenName'), render: (_, k) => `${k.name} (${k.prefix}…)` },
          { title: t('screen.lastUsed'), render: (_, k) => fmt(k.lastUsedAt) },
          { title: t('screen.expires'), render: (_, k) => fmt(k.expiresAt) },
          {
            title: '',
            render: (_, k) =>
              k.revokedAt ? (
                <Tag>{t('screen.revoked')}</Tag>
              ) : (
                <Button size="small" danger onClick={() => setRevoking(k.id)}>
                  {t('screen.revoke')}
                </Button>
              ),
          },
        ]}
      />
      <ReasonModal
        open={revoking !== null}
        title={t('screen.revoke')}
        danger
        onClose={() => setRevoking(null)}
        onConfirm={(reason) => revoke.mutateAsync({ screenId: screen.id, tokenId: revoking!, reason })}
      />
    </Space>
  );
}
