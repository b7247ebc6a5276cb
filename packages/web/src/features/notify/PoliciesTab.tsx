import type { Policy } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { Card, Grid, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EditDeleteButtons, NewButton } from '../../app/FormParts';
import { ReasonModal } from '../../app/ReasonField';
import { PriorityTag } from '../alarms/present';
import { CardList } from '../realtime/CardList';
import { channelsQuery, policiesQuery, useDeletePolicy } from './api';
import { PolicyEditor } from './PolicyEditor';
import { eventLabel } from './present';
import { useRecipients } from './recipients';

/** 升级策略: which events reach whom, when, over what. */
export function PoliciesTab() {
  const { t, i18n } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const list = useQuery(policiesQuery);
  const channels = useQuery(channelsQuery);
  const recipients = useRecipients();
  const remove = useDeletePolicy();
  const [editing, setEditing] = useState<Policy | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Policy | null>(null);
  const rows = list.data ?? [];
  const channelName = (id: number) => channels.data?.find((c) => c.id === id)?.name ?? `#${id}`;

  const match = (p: Policy) => (
    <Space size={[4, 4]} wrap style={{ maxWidth: phone ? undefined : 320 }}>
      {p.match.kinds.map((k) => (
        <Tag key={k}>{eventLabel(k, i18n.language)}</Tag>
      ))}
      {p.match.priorities.map((pr) => (
        <PriorityTag key={pr} priority={pr} />
      ))}
      {p.match.window && <Tag color="geekblue">{t('notify.policy.hasWindow')}</Tag>}
    </Space>
  );
  // One line per level: "+5 分钟 · 当班班组长 · 短信"
  const levels = (p: Policy) => (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 2, maxWidth: phone ? undefined : 420 }}>
      {p.levels.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: levels are an ordered list without ids, shown read-only
        <Typography.Text key={i} style={{ fontSize: 12 }}>
          <Tag color={i === 0 ? 'red' : 'orange'} style={{ marginInlineEnd: 4 }}>
            {l.delayMinutes === 0 ? t('notify.policy.atOnce') : `+${l.delayMinutes}′`}
          </Tag>
          {l.recipients.map(recipients.label).join('、')} · {l.channelIds.map(channelName).join('、')}
        </Typography.Text>
      ))}
      {p.repeat.count > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('notify.policy.repeatSummary', { count: p.repeat.count, minutes: p.repeat.intervalMinutes })}
        </Typography.Text>
      )}
    </div>
  );
  const state = (p: Policy) =>
    p.enabled ? <Tag color="green">{t('notify.enabled')}</Tag> : <Tag>{t('notify.disabled')}</Tag>;
  const actions = (p: Policy) => (
    <Space size={4}>
      <EditDeleteButtons onEdit={() => setEditing(p)} onDelete={() => setDeleting(p)} />
    </Space>
  );

  return (
    <Card
      size="small"
      title={t('notify.policy.title')}
      extra={
        <NewButton
          label={t('notify.policy.new')}
          phone={phone}
          onClick={() => setEditing('new')}
          testId="policy-new"
        />
      }
    >
      {phone ? (
        <CardList
          items={rows}
          loading={list.isLoading}
          rowKey={(p) => p.id}
          empty={<Typography.Text type="secondary">{t('notify.policy.none')}</Typography.Text>}
          render={(p) => (
            <Card size="small" data-policy-code={p.code}>
              <Space orientation="vertical" size={6} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Typography.Text strong>{p.name}</Typography.Text>
                  {state(p)}
                </Space>
                {match(p)}
                {levels(p)}
                {actions(p)}
              </Space>
            </Card>
          )}
        />
      ) : (
        <Table<Policy>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: t('notify.field.name'),
              key: 'name',
              render: (_, p) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Link onClick={() => setEditing(p)}>{p.name}</Typography.Link>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <code>{p.code}</code>
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t('notify.field.enabled'), key: 'enabled', render: (_, p) => state(p) },
            { title: t('notify.policy.match'), key: 'match', render: (_, p) => match(p) },
            { title: t('notify.policy.levels'), key: 'levels', render: (_, p) => levels(p) },
            { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_, p) => actions(p) },
          ]}
        />
      )}
      <PolicyEditor
        open={editing !== null}
        policy={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
      <ReasonModal
        open={!!deleting}
        danger
        title={t('notify.policy.deleteTitle', { name: deleting?.name ?? '' })}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      />
    </Card>
  );
}
