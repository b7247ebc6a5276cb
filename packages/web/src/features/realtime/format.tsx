import type { Quality } from '@aegis/shared';
import { Badge, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

type Value = number | boolean | string | null | undefined;

/** A value as an operator reads it: state labels for state tags, a few significant decimals for numbers. */
export function formatValue(
  value: Value,
  tag?: { type?: string; states?: Record<string, string> | null },
  yesNo: [string, string] = ['1', '0'],
): string {
  if (value === null || value === undefined) return '—';
  if (tag?.type === 'state' && tag.states) {
    const label = tag.states[String(value)];
    if (label) return label;
  }
  if (typeof value === 'boolean') return value ? yesNo[0] : yesNo[1];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    const digits = abs >= 1000 ? 1 : abs >= 100 ? 2 : abs >= 1 ? 3 : 4;
    return value.toFixed(digits).replace(/\.?0+$/, '');
  }
  return String(value);
}

/** Value time: time of day when today, with the date otherwise. */
export function formatTs(ts: number | undefined): string {
  if (!ts) return '—';
  const d = dayjs(ts);
  return d.isSame(dayjs(), 'day') ? d.format('HH:mm:ss') : d.format('MM-DD HH:mm:ss');
}

const QUALITY_STATUS: Record<Quality, 'success' | 'warning' | 'error'> = {
  good: 'success',
  uncertain: 'warning',
  bad: 'error',
};

export function QualityBadge({
  quality,
  compact = false,
}: {
  quality: Quality | undefined;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  if (!quality) return <Badge status="default" text={compact ? null : '—'} />;
  const text = t(`realtime.quality.${quality}`);
  const badge = (
    <span data-quality={quality}>
      <Badge status={QUALITY_STATUS[quality]} text={compact ? null : text} />
    </span>
  );
  return compact ? <Tooltip title={text}>{badge}</Tooltip> : badge;
}
