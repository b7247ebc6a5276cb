import { useQuery } from '@tanstack/react-query';
import { Empty, Spin, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { type PlanDraftPreview, type PlanPreview, planDraftPreviewQuery, planPreviewQuery } from './api';

/** The next occurrences of a saved plan, as the server computes them (opens, due, missed). */
export function PlanPreviewList({ planId, hours = 24 * 7 }: { planId: number; hours?: number }) {
  const preview = useQuery(planPreviewQuery(planId, hours));
  return <PreviewTable preview={preview.data} loading={preview.isLoading} />;
}

/**
 * The next occurrences of the plan being edited (POST /plans/preview), asked again a moment after
 * the schedule or window stops changing; a refusal (bad cron, unknown shift) shows quietly below.
 */
export function PlanDraftPreviewList({ draft }: { draft: PlanDraftPreview | null }) {
  const { t } = useTranslation();
  const settled = useDebounced(draft, 400);
  const preview = useQuery(planDraftPreviewQuery(settled));
  if (settled === null) return <Empty description={t('inspection.plan.previewIncomplete')} />;
  return (
    <>
      <PreviewTable
        preview={preview.isError ? undefined : preview.data}
        loading={preview.isLoading}
        stale={preview.isFetching || JSON.stringify(draft) !== JSON.stringify(settled)}
      />
      {preview.isError && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="plan-preview-error">
          {t('inspection.plan.previewFailed', { why: errorText(t, preview.error) })}
        </Typography.Text>
      )}
    </>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const key = JSON.stringify(value);
  const [v, setV] = useState(value);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the value is compared by its JSON
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [key, ms]);
  return v;
}

function PreviewTable({
  preview,
  loading,
  stale = false,
}: {
  preview: PlanPreview | undefined;
  loading: boolean;
  stale?: boolean;
}) {
  const { t } = useTranslation();
  if (loading) return <Spin style={{ display: 'block', margin: '12px auto' }} />;
  const items = (preview?.occurrences ?? []).slice(0, 20);
  if (!preview) return null;
  if (items.length === 0) return <Empty description={t('inspection.plan.noOccurrence')} />;
  const f = (iso: string) => dayjs(iso).format('MM-DD dd HH:mm');
  return (
    <div data-testid="plan-preview" style={{ opacity: stale ? 0.6 : 1 }}>
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
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('inspection.plan.timezone', { tz: preview.timezone })}
      </Typography.Text>
    </div>
  );
}
