import { RAW_EXPORT_MAX_DAYS } from '@aegis/shared';
import { DownloadOutlined, LinkOutlined, ReloadOutlined } from '@ant-design/icons';
import { type UseQueryResult, useQueries, useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Dropdown,
  Empty,
  Grid,
  Segmented,
  Select,
  Space,
  Switch,
  Tag,
  Tooltip,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { alarmRulesQuery } from '../alarms/api';
import { type LivePoint, useLivePoints, useLiveStatus } from '../realtime/hooks';
import { LiveBadge } from '../realtime/LiveBadge';
import { type TagRow, tagQuery, trendsQuery } from '../tags/api';
import { TagSelect } from '../tags/TagSelect';
import { type LimitLine, limitLines } from './gaps';
import {
  MAX_TREND_TAGS,
  PRESET_MS,
  PRESETS,
  parseSelection,
  type RangeKey,
  selectionParams,
  type TrendSelection,
} from './selection';
import { TrendChart, type TrendPoint } from './TrendChart';

/** 趋势 trends: up to eight tags over a chosen time range, zoomable, optionally following live values. */
export function TrendsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const sel = useMemo(() => parseSelection(params), [params]);
  const update = (next: Partial<TrendSelection>) =>
    setParams(selectionParams({ ...sel, ...next }), { replace: next.tagIds === undefined });

  // Relative ranges end "now" as of the last refresh; the live view slides on its own.
  const anchorKey = `${sel.range}|${sel.tagIds.join(',')}`;
  const [anchor, setAnchor] = useState(() => ({ key: anchorKey, at: Date.now() }));
  if (anchor.key !== anchorKey) setAnchor({ key: anchorKey, at: Date.now() });
  const from = sel.range === 'custom' ? sel.from! : anchor.at - PRESET_MS[sel.range];
  const to = sel.range === 'custom' ? sel.to! : anchor.at;

  const tags = useQueries({ queries: sel.tagIds.map((id) => tagQuery(id)), combine: indexTags });
  // The alarm limits of each tag, drawn on its line.
  const limitList = useQueries({
    queries: sel.tagIds.map((id) => ({ ...alarmRulesQuery(id), meta: { silent: true } })),
    combine: (results) => JSON.stringify(results.map((r) => limitLines(r.data ?? []))),
  });
  // Keyed on the limits themselves, so the chart is not rebuilt on every render.
  const limits = useMemo(() => {
    const lists = JSON.parse(limitList) as LimitLine[][];
    return new Map(sel.tagIds.map((id, i) => [id, lists[i] ?? []]));
  }, [limitList, sel.tagIds]);

  const trend = useQuery(
    trendsQuery({
      tagIds: sel.tagIds,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      maxPoints: phone ? 400 : 1000,
    }),
  );

  // Live mode: pushed values are appended and the window slides every second.
  const [livePoints, setLivePoints] = useState<Map<number, TrendPoint[]>>(() => new Map());
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!sel.live) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [sel.live]);
  useLivePoints(
    sel.tagIds,
    (points: LivePoint[]) =>
      setLivePoints((prev) => {
        const cutoff = Date.now() - PRESET_MS['15m'];
        const next = new Map(prev);
        for (const p of points) {
          const v =
            typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? Number(p.value) : null;
          next.set(p.tagId, [...(next.get(p.tagId) ?? []).filter((x) => x[0] >= cutoff), [p.ts, v]]);
        }
        return next;
      }),
    sel.live,
  );
  const status = useLiveStatus();
  const view = sel.live ? { from: now - PRESET_MS['15m'], to: now } : { from, to };
  // The raw export streams at most 31 days (RAW_EXPORT_MAX_DAYS) per request.
  const tooLong = view.to - view.from > RAW_EXPORT_MAX_DAYS * 86_400_000;

  const resolution = trend.data?.series.find((s) => s.resolution !== 'raw');
  const pickRange = (range: RangeKey) => {
    if (range === 'custom') update({ range, from, to, live: false });
    else update({ range, from: undefined, to: undefined, live: range === '15m' ? sel.live : false });
  };
  const rangeOptions = [
    ...PRESETS.map((p) => ({ value: p as RangeKey, label: t(`trends.preset.${p}`) })),
    { value: 'custom' as RangeKey, label: t('trends.preset.custom') },
  ];

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Card
        size="small"
        title={t('trends.title')}
        extra={
          <Space size={4}>
            {sel.tagIds.length > 0 && (
              <Tooltip title={tooLong ? t('trends.downloadRawTooLong') : t('trends.downloadRawHint')}>
                <Dropdown
                  disabled={tooLong}
                  menu={{
                    items: sel.tagIds.map((id) => {
                      const tag = tags.get(id);
                      const q = new URLSearchParams({
                        tagId: String(id),
                        from: new Date(view.from).toISOString(),
                        to: new Date(view.to).toISOString(),
                      });
                      return {
                        key: String(id),
                        label: (
                          <a href={`/api/values/raw.csv?${q}`} download>
                            {tag ? `${tag.equipmentCode}.${tag.code}` : `#${id}`}
                          </a>
                        ),
                      };
                    }),
                  }}
                >
                  <Button
                    icon={<DownloadOutlined />}
                    aria-label={t('trends.downloadRaw')}
                    data-testid="trend-download-raw"
                  />
                </Dropdown>
              </Tooltip>
            )}
            <Tooltip title={t('trends.copyLink')}>
              <Button
                icon={<LinkOutlined />}
                aria-label={t('trends.copyLink')}
                onClick={() =>
                  void navigator.clipboard
                    ?.writeText(window.location.href)
                    .then(() => message.success(t('trends.linkCopied')))
                }
              />
            </Tooltip>
            <Button
              icon={<ReloadOutlined />}
              aria-label={t('common.refresh')}
              onClick={() =>
                sel.range === 'custom' ? void trend.refetch() : setAnchor({ key: anchorKey, at: Date.now() })
              }
            />
          </Space>
        }
      >
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          <TagSelect
            mode="multiple"
            maxCount={MAX_TREND_TAGS}
            value={sel.tagIds}
            onChange={(tagIds) => update({ tagIds })}
            placeholder={t('trends.pickTags', { max: MAX_TREND_TAGS })}
            aria-label={t('trends.pickTags', { max: MAX_TREND_TAGS })}
          />
          <Space wrap size={8}>
            {/* Seven ranges side by side are wider than a phone: a select there. */}
            {phone ? (
              <Select<RangeKey>
                value={sel.range}
                options={rangeOptions}
                onChange={pickRange}
                style={{ minWidth: 140 }}
                aria-label={t('trends.range')}
                data-testid="trend-range"
              />
            ) : (
              <Segmented<RangeKey>
                value={sel.range}
                options={rangeOptions}
                onChange={pickRange}
                data-testid="trend-range"
              />
            )}
            {sel.range === 'custom' && (
              <DatePicker.RangePicker
                showTime={{ format: 'HH:mm' }}
                format="YYYY-MM-DD HH:mm"
                value={[dayjs(from), dayjs(to)]}
                allowClear={false}
                onChange={(v) => {
                  if (v?.[0] && v[1]) update({ range: 'custom', from: v[0].valueOf(), to: v[1].valueOf() });
                }}
              />
            )}
            {sel.range === '15m' && (
              <Space size={6}>
                <Switch
                  checked={sel.live}
                  onChange={(live) => update({ live })}
                  aria-label={t('trends.live')}
                  data-testid="trend-live"
                />
                <span>{t('trends.live')}</span>
                {sel.live && <LiveBadge status={status} />}
              </Space>
            )}
            {resolution && (
              <Tooltip title={t('trends.bucketHint')}>
                <Tag color="blue">
                  {t('trends.bucket', {
                    size: resolution.bucketMs ? formatSpan(resolution.bucketMs) : resolution.resolution,
                  })}
                </Tag>
              </Tooltip>
            )}
          </Space>
        </Space>
      </Card>
      <Card size="small" styles={{ body: { padding: phone ? 4 : 12 } }}>
        {trend.isError && (
          <Alert type="error" showIcon title={t('common.loadFailed')} description={trend.error.message} />
        )}
        {sel.tagIds.length === 0 ? (
          <Empty description={t('trends.empty')} />
        ) : (
          <TrendChart
            tagIds={sel.tagIds}
            series={trend.data?.series ?? []}
            tags={tags}
            live={livePoints}
            from={view.from}
            to={view.to}
            height={phone ? 340 : 500}
            compact={phone}
            onZoom={(a, b) => update({ range: 'custom', from: a, to: b, live: false })}
            limits={limits}
          />
        )}
        {trend.isFetching && sel.tagIds.length > 0 && (
          <div style={{ textAlign: 'center', fontSize: 12, opacity: 0.6 }}>{t('trends.loading')}</div>
        )}
      </Card>
    </Space>
  );
}

/** Tags by id; a stable function, so react-query keeps the map while no tag changes. */
function indexTags(results: Array<UseQueryResult<TagRow>>): Map<number, TagRow> {
  return new Map(results.flatMap((r) => (r.data ? [[r.data.id, r.data] as const] : [])));
}

/** 60000 → "1 min", 3600000 → "1 h". */
function formatSpan(ms: number): string {
  if (ms % 3600_000 === 0) return `${ms / 3600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
