import {
  type AlarmPriority,
  type AlarmText,
  type AlarmView,
  renderAlarmText,
  type TagValue,
} from '@aegis/shared';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import './alarms.css';

/** ISA-101 style priority colours: critical red, high orange, medium yellow, low blue. */
export const PRIORITY_COLOR: Record<AlarmPriority, string> = {
  critical: '#cf1322',
  high: '#fa8c16',
  medium: '#fadb14',
  low: '#1677ff',
};
export const PRIORITY_RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/**
 * What an operator sees of an alarm: the ISA-18.2 state, unless out of service, shelved or
 * suppressed, which hide the annunciation and so come first.
 */
export const DISPLAY_STATES = [
  'unack_active',
  'ack_active',
  'rtn_unack',
  'shelved',
  'suppressed',
  'out_of_service',
  'normal',
] as const;
export type DisplayState = (typeof DISPLAY_STATES)[number];

export function displayState(
  a: Pick<AlarmView, 'state' | 'shelved' | 'suppressed' | 'outOfService'>,
): DisplayState {
  if (a.outOfService) return 'out_of_service';
  if (a.shelved) return 'shelved';
  if (a.suppressed) return 'suppressed';
  return a.state;
}

export const STATE_RANK: Record<DisplayState, number> = {
  unack_active: 0,
  rtn_unack: 1,
  ack_active: 2,
  shelved: 3,
  suppressed: 4,
  out_of_service: 5,
  normal: 6,
};

const STATE_COLOR: Record<DisplayState, string> = {
  unack_active: 'red',
  ack_active: 'volcano',
  rtn_unack: 'gold',
  shelved: 'purple',
  suppressed: 'default',
  out_of_service: 'default',
  normal: 'green',
};

/** Unacknowledged and annunciated: what the operator must act on. */
export const isUnackActive = (a: AlarmView) => displayState(a) === 'unack_active';
export const canBeAcknowledged = (a: AlarmView) => {
  const s = displayState(a);
  return s === 'unack_active' || s === 'rtn_unack';
};

export function PriorityTag({ priority }: { priority: AlarmPriority }) {
  const { t } = useTranslation();
  return (
    <Tag
      className={`aegis-priority-tag aegis-priority-${priority}`}
      style={{ background: PRIORITY_COLOR[priority], borderColor: PRIORITY_COLOR[priority] }}
    >
      {t(`alarms.priority.${priority}`)}
    </Tag>
  );
}

export function StateTag({
  alarm,
}: {
  alarm: Pick<AlarmView, 'state' | 'shelved' | 'suppressed' | 'outOfService'>;
}) {
  const { t } = useTranslation();
  const s = displayState(alarm);
  return (
    <Tag
      color={STATE_COLOR[s]}
      className={s === 'unack_active' ? 'aegis-alarm-blink' : undefined}
      data-alarm-state={s}
    >
      {t(`alarms.state.${s}`)}
    </Tag>
  );
}

/** The alarm's annunciation time: when it became active, else when it last changed. */
export function alarmTime(a: AlarmView): number {
  return a.activeSince ?? a.rawSince ?? Date.parse(a.updatedAt);
}

export function formatAlarmValue(v: AlarmView['value']): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, '');
  return String(v);
}

/**
 * The alarm's text in the UI language, made of names and units by the shared renderer (the same
 * words the server writes into exports); rows written before texts existed show their old message.
 */
export function useAlarmText() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  return (a: { text?: AlarmText | null; value?: TagValue | null; message: string }) =>
    a.text ? renderAlarmText(a.text, a.value ?? null, locale) : a.message;
}
