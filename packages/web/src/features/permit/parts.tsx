import {
  PERMIT_GRADE_LABELS,
  PERMIT_STATE_LABELS,
  PERMIT_TYPE_LABELS,
  type PermitGrade,
  type PermitLiveValue,
  type PermitState,
  type PermitType,
} from '@aegis/shared';
import { Space, Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { ApiError } from '../../app/api';
import { currentLanguage } from '../../app/i18n';
import { errorText } from '../../app/notify';
import { formatValue } from '../realtime/format';

/** Words of a shared label table in the UI language. */
export function word(table: Record<string, { zh: string; en: string }>, key: string | null | undefined) {
  if (!key) return '';
  const w = table[key];
  if (!w) return key;
  return currentLanguage() === 'zh-CN' ? w.zh : w.en;
}
/** A { zh, en } pair from the server in the UI language. */
export const words = (w: { zh: string; en: string } | null | undefined) =>
  w ? (currentLanguage() === 'zh-CN' ? w.zh : w.en) : '';
export const typeWord = (x: PermitType | string) => word(PERMIT_TYPE_LABELS, x);
export const stateWord = (x: PermitState | string) => word(PERMIT_STATE_LABELS, x);
export const gradeWord = (x: PermitGrade | string) => word(PERMIT_GRADE_LABELS, x);

export const STATE_COLOR: Record<PermitState, string> = {
  draft: 'default',
  awaiting_analysis: 'gold',
  awaiting_approval: 'purple',
  active: 'green',
  suspended: 'red',
  completed: 'blue',
  cancelled: 'default',
  expired: 'default',
};

export function StateTag({ state }: { state: PermitState }) {
  return (
    <Tag
      color={STATE_COLOR[state]}
      variant={state === 'suspended' || state === 'active' ? 'solid' : undefined}
      data-testid="permit-state"
      data-state={state}
    >
      {stateWord(state)}
    </Tag>
  );
}

/** The effective grade; the requested one struck through beside it when the rules raised it. */
export function GradeTag({ requested, effective }: { requested: PermitGrade; effective: PermitGrade }) {
  if (effective === 'none') return null;
  const high = effective === 'special' || effective === 'IV';
  return (
    <Space size={2}>
      <Tag color={high ? '#cf1322' : 'orange'} data-testid="permit-grade" data-grade={effective}>
        {gradeWord(effective)}
      </Tag>
      {requested !== effective && <s style={{ color: '#8c8c8c', fontSize: 12 }}>{gradeWord(requested)}</s>}
    </Space>
  );
}

export const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' }) : '';

/** "3月2日 08:00 – 16:00" style window; the second date only when it differs. */
export function windowText(from: string, to: string) {
  const a = new Date(from);
  const b = new Date(to);
  const lang = currentLanguage();
  const day = (d: Date) => d.toLocaleDateString(lang, { month: 'short', day: 'numeric' });
  const time = (d: Date) => d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  return day(a) === day(b)
    ? `${day(a)} ${time(a)} – ${time(b)}`
    : `${day(a)} ${time(a)} – ${day(b)} ${time(b)}`;
}

/** A live gas value: green within limits, red out of them, grey without a value. */
export function LiveValueTag({ v }: { v: PermitLiveValue }) {
  const color = v.verdict === 'fail' ? 'red' : v.verdict === 'pass' ? 'green' : 'default';
  const text = `${v.gas} ${v.value === null ? '—' : formatValue(v.value)}${v.unit ? ` ${v.unit}` : ''}`;
  const tip = [`${v.tagCode} · ${v.tagName}`, words(v.reason), when(v.at)].filter(Boolean).join('\n');
  return (
    <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{tip}</span>}>
      <Tag color={color} data-testid={`permit-live-${v.tagId}`} data-verdict={v.verdict ?? 'none'}>
        {text}
      </Tag>
    </Tooltip>
  );
}

/** A refusal in the words of this page (separation of duties, a stale analysis…), else the general text. */
export function refusalText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    // the permit routes name the problem in both languages (a person without the right, a window too long)
    const d = e.details as { zh?: unknown; en?: unknown } | null | undefined;
    if (d && typeof d.zh === 'string' && typeof d.en === 'string') {
      const head =
        t(`permit.refused.${e.code}`, { defaultValue: '' }) || t(`error.${e.code}`, { defaultValue: '' });
      const own = words({ zh: d.zh, en: d.en });
      return head ? `${head}：${own}` : own;
    }
    const own = t(`permit.refused.${e.code}`, { defaultValue: '' });
    if (own) return e.message && e.message !== own ? `${own}：${e.message}` : own;
  }
  return errorText(t, e);
}
