import {
  type AlarmPriority,
  type Screen,
  type ScreenData,
  type ScreenWidget,
  WIDGET_LABELS,
} from '@aegis/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../app/i18n';
import { useLivePoints, useLiveStatus } from '../realtime/hooks';
import { live } from '../realtime/live';
import { Sparkline, type SparkPoint } from '../realtime/Sparkline';
import './screen.css';

export const PRIORITY_COLOR: Record<AlarmPriority, string> = {
  critical: '#ff4d4f',
  high: '#fa8c16',
  medium: '#d4b106',
  low: '#1677ff',
};
const OK_COLOR = '#389e0d';
/** Data older than this (no answer, no stream) is marked as such on the screen. */
const STALE_MS = 75_000;

/**
 * Keeps a screen's data current: refetches on every alarm the live stream brings (debounced) and
 * when the stream reopens; tells whether what is shown may be stale.
 */
export function useScreenLive(refetch: () => unknown, dataUpdatedAt: number, failed: boolean) {
  const status = useLiveStatus();
  const again = useRef(refetch);
  again.current = refetch;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void again.current();
      }, 300);
    };
    const stopAlarms = live.onAlarms((f) => {
      if (f.events.length || f.alarms.length) soon();
    });
    const stopOpen = live.onOpen(soon);
    return () => {
      stopAlarms();
      stopOpen();
      if (timer) clearTimeout(timer);
    };
  }, []);
  const now = useNow(1000);
  const stale = status !== 'open' || failed || (dataUpdatedAt > 0 && now - dataUpdatedAt > STALE_MS);
  return { stale, status, now };
}

function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

/** The whole screen: its pages in turn, each a grid of widgets filling the viewport. */
export function ScreenView({
  screen,
  data,
  stale,
  now,
}: {
  screen: Screen;
  data: ScreenData | undefined;
  stale: boolean;
  now: number;
}) {
  const { t } = useTranslation();
  const pages = screen.layout.pages;
  const [index, setIndex] = useState(0);
  const page = pages[index % pages.length]!;
  useEffect(() => {
    if (pages.length < 2) return;
    const id = setTimeout(() => setIndex((i) => (i + 1) % pages.length), page.dwellSeconds * 1000);
    return () => clearTimeout(id);
  }, [pages.length, page.dwellSeconds]);
  return (
    <div className={`aegis-screen theme-${screen.layout.theme}`} data-testid="big-screen">
      {stale && (
        <div className="stale" role="alert" data-testid="screen-stale">
          {t('screen.stale')}
        </div>
      )}
      <div className="grid">
        {page.widgets.map((w) => (
          <section
            key={`${index}-${w.id}`}
            className="panel"
            data-testid={`widget-${w.kind}`}
            style={{ gridColumn: `${w.x + 1} / span ${w.w}`, gridRow: `${w.y + 1} / span ${w.h}` }}
          >
            {w.kind !== 'clock' && (
              <h3>{w.title || WIDGET_LABELS[w.kind][currentLanguage() === 'en-US' ? 'en' : 'zh']}</h3>
            )}
            <div className="body">
              <Widget widget={w} screen={screen} data={data} now={now} />
            </div>
          </section>
        ))}
      </div>
      {pages.length > 1 && (
        <div className="pager">
          {page.title} {(index % pages.length) + 1}/{pages.length}
        </div>
      )}
    </div>
  );
}

function Widget({
  widget,
  screen,
  data,
  now,
}: {
  widget: ScreenWidget;
  screen: Screen;
  data: ScreenData | undefined;
  now: number;
}) {
  const { t } = useTranslation();
  if (widget.kind === 'clock') return <Clock screen={screen} data={data} now={now} />;
  if (!data) return <span className="muted">{t('screen.loading')}</span>;
  const none = <span className="muted">{t('screen.noAccess')}</span>;
  switch (widget.kind) {
    case 'status_tiles':
      if (!data.status) return none;
      return (
        <div className="tiles">
          {data.status.map((s) => (
            <div
              key={s.nodeId}
              className="tile"
              data-testid={`tile-${s.nodeId}`}
              data-worst={s.worst ?? 'none'}
              style={{ background: s.worst ? PRIORITY_COLOR[s.worst] : OK_COLOR }}
            >
              <div>{s.name}</div>
              <div className="muted" style={{ color: '#fff' }}>
                {s.active ? t('screen.activeAlarms', { n: s.active }) : t('screen.normal')}
              </div>
            </div>
          ))}
        </div>
      );
    case 'alarms_by_priority':
      if (!data.alarms) return none;
      return (
        <div className="stats">
          {(['critical', 'high', 'medium', 'low'] as const).map((p) => (
            <div key={p} data-testid={`priority-${p}`}>
              <div className="big" style={{ color: PRIORITY_COLOR[p] }}>
                {data.alarms!.byPriority[p]}
              </div>
              <div>{t(`screen.priority.${p}`)}</div>
            </div>
          ))}
        </div>
      );
    case 'alarm_list':
      if (!data.alarms) return none;
      if (!data.alarms.latest.length) return <span className="muted">{t('screen.noAlarms')}</span>;
      return (
        <table>
          <tbody>
            {data.alarms.latest.slice(0, widget.settings.limit ?? 8).map((a) => (
              <tr key={a.key} data-testid="screen-alarm">
                <td style={{ width: '5em' }}>{time(a.at, data.timezone)}</td>
                <td style={{ color: PRIORITY_COLOR[a.priority], width: '3.5em' }}>
                  {t(`screen.priority.${a.priority}`)}
                </td>
                <td style={{ width: '8em' }}>{a.equipmentName}</td>
                <td>{a.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'alarm_rate': {
      const r = data.alarmRate;
      if (!r) return none;
      const verdict =
        r.last10Min > r.floodPer10Min ? 'flood' : r.last10Min > r.targetPer10Min ? 'over' : 'ok';
      const max = Math.max(r.floodPer10Min, ...r.series.map(([, n]) => n));
      return (
        <div>
          <div className="row">
            <span
              className="big"
              style={{ color: verdict === 'ok' ? '#95de64' : verdict === 'over' ? '#ffa940' : '#ff4d4f' }}
            >
              {r.last10Min}
            </span>
            <span>{t('screen.per10Min', { target: r.targetPer10Min })}</span>
            <span className="muted">{t('screen.lastHour', { n: r.lastHour })}</span>
          </div>
          <div>{t(`screen.rate.${verdict}`)}</div>
          <div className="bars" title={t('screen.rateBars')}>
            {r.series.map(([at, n]) => (
              <span
                key={at}
                className={n > r.floodPer10Min ? 'flood' : n > r.targetPer10Min ? 'over' : ''}
                style={{ height: `${(n / max) * 100}%` }}
              />
            ))}
          </div>
        </div>
      );
    }
    case 'interlocks':
      if (!data.interlocks) return none;
      return (
        <div>
          <div className="big" style={{ color: data.interlocks.active ? '#ff4d4f' : '#95de64' }}>
            {data.interlocks.active}
          </div>
          <table>
            <tbody>
              {data.interlocks.items.slice(0, 4).map((i) => (
                <tr key={`${i.at}-${i.tagName}`}>
                  <td>{time(i.at, data.timezone)}</td>
                  <td>
                    {i.equipmentName} {i.tagName}
                  </td>
                  <td>{t(`screen.interlock.${i.status}`, { defaultValue: i.status })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'inspections':
      if (!data.inspections) return none;
      return (
        <div className="stats">
          <Stat label={t('screen.done')} n={data.inspections.done} color="#95de64" />
          <Stat label={t('screen.due')} n={data.inspections.due} color="#69b1ff" />
          <Stat label={t('screen.overdue')} n={data.inspections.overdue} color="#ff4d4f" />
        </div>
      );
    case 'hazards':
      if (!data.hazards) return none;
      return (
        <div className="stats">
          <Stat label={t('screen.major')} n={data.hazards.major} color="#ff4d4f" />
          <Stat label={t('screen.general')} n={data.hazards.general} color="#ffa940" />
          <Stat label={t('screen.ungraded')} n={data.hazards.ungraded} color="#7d8fb3" />
        </div>
      );
    case 'permits':
      if (!data.permits) return none;
      if (!data.permits.length) return <span className="muted">{t('screen.noPermits')}</span>;
      return (
        <table>
          <thead>
            <tr>
              <th>{t('screen.area')}</th>
              <th>{t('screen.permitActive')}</th>
              <th>{t('screen.permitSuspended')}</th>
            </tr>
          </thead>
          <tbody>
            {data.permits.map((p) => (
              <tr key={p.areaId ?? 0}>
                <td>{p.areaName}</td>
                <td style={{ color: '#95de64' }}>{p.active}</td>
                <td style={{ color: p.suspended ? '#ffa940' : undefined }}>{p.suspended}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'safe_days':
      if (!data.safeDays) return none;
      return (
        <div style={{ textAlign: 'center' }}>
          <div className="big" style={{ color: '#95de64', fontSize: '4em' }} data-testid="safe-days">
            {data.safeDays.days ?? '—'}
          </div>
          <div>{t('screen.days')}</div>
          <div className="muted">
            {data.safeDays.since ? t('screen.since', { day: data.safeDays.since }) : t('screen.noRecord')}
          </div>
        </div>
      );
    case 'tag_values':
      return <TagValues data={data} now={now} sparkline={widget.settings.sparkline ?? true} />;
    default:
      return null;
  }
}

function Stat({ label, n, color }: { label: string; n: number; color: string }) {
  return (
    <div>
      <div className="big" style={{ color }}>
        {n}
      </div>
      <div>{label}</div>
    </div>
  );
}

const time = (iso: string, timeZone: string) =>
  new Date(iso).toLocaleTimeString('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false });

function Clock({ screen, data, now }: { screen: Screen; data: ScreenData | undefined; now: number }) {
  const timeZone = data?.timezone ?? 'Asia/Shanghai';
  const d = new Date(now);
  return (
    <div className="row" style={{ justifyContent: 'space-between', height: '100%', alignItems: 'center' }}>
      <span style={{ fontSize: '1.8em', fontWeight: 700, color: '#e6f4ff' }}>
        {data?.nodeName ?? screen.nodeName} · {screen.name}
      </span>
      <span style={{ fontSize: '1.6em', fontVariantNumeric: 'tabular-nums' }} data-testid="screen-clock">
        {d.toLocaleDateString('zh-CN', {
          timeZone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          weekday: 'short',
        })}{' '}
        {d.toLocaleTimeString('zh-CN', { timeZone, hour12: false })}
      </span>
    </div>
  );
}

/** Key process values: the server's last hour, then every value the live stream pushes. */
function TagValues({ data, now, sparkline }: { data: ScreenData; now: number; sparkline: boolean }) {
  const { t } = useTranslation();
  const tags = data.tags ?? [];
  const ids = useMemo(() => tags.map((g) => g.tagId), [tags]);
  const [pushed, setPushed] = useState<Map<number, SparkPoint[]>>(new Map());
  useLivePoints(ids, (points) =>
    setPushed((m) => {
      const next = new Map(m);
      for (const p of points) {
        if (typeof p.value !== 'number') continue;
        next.set(p.tagId, [...(next.get(p.tagId) ?? []), [p.ts, p.value] as SparkPoint].slice(-600));
      }
      return next;
    }),
  );
  // 2.5 em of the screen's scaled font: 40 px at 1920×1080, 80 px at 3840×2160.
  const sparkHeight = Math.round(2.5 * 16 * Math.min(window.innerWidth / 1920, window.innerHeight / 1080));
  if (!tags.length) return <span className="muted">{t('screen.noTags')}</span>;
  return (
    <div
      style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(14em, 1fr))', gap: '0.5em' }}
    >
      {tags.map((g) => {
        const mine = pushed.get(g.tagId) ?? [];
        const last = mine[mine.length - 1];
        const value = last ? last[1] : g.value;
        const points = [...g.series, ...mine].filter(([ts]) => ts >= now - 3_600_000);
        return (
          <div key={g.tagId} data-testid={`tag-${g.tagId}`}>
            <div className="muted">
              {g.equipmentName} {g.name}
            </div>
            <div className="row">
              <span style={{ fontSize: '1.8em', fontWeight: 700, fontVariantNumeric: 'tabular-nums' }}>
                {typeof value === 'number'
                  ? value.toFixed(Math.abs(value) >= 100 ? 0 : 2)
                  : String(value ?? '—')}
              </span>
              <span>{g.unit}</span>
            </div>
            {sparkline && (
              <Sparkline
                points={points}
                windowMs={3_600_000}
                now={now}
                color="#40a9ff"
                width="100%"
                height={sparkHeight}
              />
            )}
          </div>
        );
      })}
    </div>
  );
}
