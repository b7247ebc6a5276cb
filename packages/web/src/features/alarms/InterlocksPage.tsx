import { renderAlarmText } from '@aegis/shared';
import { ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Grid, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { TagName } from '../tags/TagSelect';
import { AlarmsTabs } from './AlarmsTabs';
import { type InterlockCommand, interlocksQuery } from './api';
import { formatAlarmValue } from './present';

const STATUS_COLOR: Record<InterlockCommand['status'], string> = {
  sent: 'processing',
  confirmed: 'success',
  failed: 'error',
  unconfirmed: 'warning',
};

/** 联锁 interlock commands written by alarm rules, and whether the equipment confirmed them. */
export function InterlocksPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  const name = (n: { zh: string; en: string }) => (locale === 'en-US' ? n.en || n.zh : n.zh || n.en);
  const phone = Grid.useBreakpoint().md === false;
  const list = useQuery({ ...interlocksQuery, refetchInterval: 10_000 });
  const time = (v: string | null) => (v ? dayjs(v).format('MM-DD HH:mm:ss') : '—');
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <AlarmsTabs />
      <Card
        size="small"
        title={t('alarms.interlocksTitle')}
        extra={
          <Button
            icon={<ReloadOutlined />}
            onClick={() => void list.refetch()}
            aria-label={t('common.refresh')}
          />
        }
      >
        <Table<InterlockCommand>
          rowKey="id"
          size="small"
          loading={list.isFetching && !list.data}
          dataSource={list.data ?? []}
          scroll={{ x: 'max-content' }}
          onRow={(c) => ({ ...({ 'data-interlock-status': c.status } as Record<string, string>) })}
          pagination={{ defaultPageSize: 50, size: phone ? 'small' : undefined }}
          columns={[
            { title: t('alarms.field.time'), dataIndex: 'at', render: time },
            {
              title: t('alarms.interlock.status'),
              dataIndex: 'status',
              render: (s: InterlockCommand['status']) => (
                <Tag color={STATUS_COLOR[s]}>{t(`alarms.interlock.${s}`)}</Tag>
              ),
            },
            {
              title: t('alarms.field.message'),
              key: 'alarm',
              // The alarm that tripped it, in words (names, units, limit); the key for old rules.
              render: (_: unknown, c: InterlockCommand) =>
                c.alarmText ? renderAlarmText(c.alarmText, null, locale) : <code>{c.alarmKey}</code>,
            },
            {
              title: t('alarms.interlock.tag'),
              key: 'tag',
              render: (_: unknown, c: InterlockCommand) =>
                c.target ? `${name(c.target.equipment)} ${name(c.target.tag)}` : <TagName id={c.tagId} />,
            },
            {
              title: t('alarms.interlock.value'),
              dataIndex: 'value',
              render: (v: InterlockCommand['value']) => formatAlarmValue(v),
            },
            ...(phone
              ? []
              : [
                  { title: t('alarms.interlock.confirmedAt'), dataIndex: 'confirmedAt', render: time },
                  {
                    title: t('alarms.interlock.detail'),
                    dataIndex: 'detail',
                    render: (v: string | null) => (
                      <Typography.Text ellipsis={{ tooltip: v }} style={{ maxWidth: 320 }}>
                        {v ?? ''}
                      </Typography.Text>
                    ),
                  },
                ]),
          ]}
        />
      </Card>
    </Space>
  );
}
