import { useQuery } from '@tanstack/react-query';
import { Empty, Spin, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { planPreviewQuery } from './api';

/** The next occurrences of a saved plan, as the server computes them (opens, due, missed). */
export function PlanPreviewList({ planId, hours = 24 * 7 }: { planId: number; hours?: number }) {
  const { t } = useTranslation();
  const preview = useQuery(planPreviewQuery(planId, hours));
  if (preview.isLoading) return <Spin style={{ display: 'block', margin: '12px auto' }} />;
  const items = (preview.data?.occurrences ?? []).slice(0, 20);
  if (items.length === 0) return <Empty description={t('inspection.plan.noOccurrence')} />;
  const f = (iso: string) => dayjs(iso).format('MM-DD dd HH:mm');
  return (
    <div data-testid="plan-preview">
      <Table
        size="small"
        rowKey="at"
        pagination={false}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('inspection.plan.occurrence'), dataIndex: 'at', render: f },
          { title: t('inspection.window.opens'), dataIndex: 'opensAt', render: f },
          { title: t('inspection.window.dueAt'), dataIndex: 'dueAt', render: f },
          { title: t('inspection.window.missedAt'), dataIndex: 'missedAt', render: f },
        ]}
      />
      {preview.data && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('inspection.plan.timezone', { tz: preview.data.timezone })}
        </Typography.Text>
      )}
    </div>
  );
}
