import { z } from 'zod';
import { AlarmRuleTypeSchema, type TagValue } from './alarms.js';
import type { Locale } from './common.js';

/**
 * What an alarm (or interlock) text is made of: names, units and limits, never ids. The server
 * fills it when the alarm changes; `renderAlarmText` turns it into words in the reader's language,
 * the same function on the web (lists, drawer, live page) and on the server (CSV export, mail).
 */
const Names = z.object({ zh: z.string(), en: z.string() });
export const AlarmTextSchema = z.object({
  kind: AlarmRuleTypeSchema,
  /** HH, H, L, LL, ROC, DEV, STATE, STALE, COMM, QUALITY, EWMA, WE1…WE4. */
  condition: z.string(),
  equipment: Names.nullable(),
  tag: Names.nullable(),
  unit: z.string().nullable(),
  /** The setpoint of a limit, the largest rate, the allowed deviation, the EWMA width (σ). */
  limit: z.number().nullable().optional(),
  /** How the value compares with the limit when the alarm is active, as the rule editor shows it. */
  comparison: z.enum(['>', '<']).nullable().optional(),
  per: z.enum(['second', 'minute']).nullable().optional(),
  /** Deviation: the setpoint tag's names. */
  setpoint: Names.nullable().optional(),
  timeoutS: z.number().nullable().optional(),
  connector: z.string().nullable().optional(),
  /** The rule's own text, written by whoever configured it; shown as written. */
  custom: z.string().nullable().optional(),
});
export type AlarmText = z.infer<typeof AlarmTextSchema>;

const LEVELS: Record<string, { zh: string; en: string }> = {
  HH: { zh: '高高报', en: 'high-high' },
  H: { zh: '高报', en: 'high' },
  L: { zh: '低报', en: 'low' },
  LL: { zh: '低低报', en: 'low-low' },
};
const WE: Record<string, { zh: string; en: string }> = {
  WE1: { zh: '判异准则1：一点超出 3σ', en: 'Western Electric rule 1: one point beyond 3σ' },
  WE2: { zh: '判异准则2：三点中两点超出 2σ（同侧）', en: 'Western Electric rule 2: two of three beyond 2σ' },
  WE3: { zh: '判异准则3：五点中四点超出 1σ（同侧）', en: 'Western Electric rule 3: four of five beyond 1σ' },
  WE4: {
    zh: '判异准则4：连续多点位于均值同侧',
    en: 'Western Electric rule 4: a run on one side of the mean',
  },
};

/** A number as people write it: no float noise (20.500000001 → 20.5). */
function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}
function quantity(v: TagValue | null | undefined, unit: string | null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return unit ? `${num(v)} ${unit}` : num(v);
  return String(v);
}

/**
 * The alarm's text in one language, e.g. "7号气体探测器 硫化氢 高高报 20.5 ppm (限值 > 20 ppm)" or
 * "Gas detector 7 H2S high-high 20.5 ppm (limit > 20 ppm)". `value` is the alarm's value (absent: not shown).
 */
export function renderAlarmText(t: AlarmText, value: TagValue | null | undefined, locale: Locale): string {
  const zh = locale === 'zh-CN';
  const pick = (n: { zh: string; en: string } | null | undefined) =>
    n ? (zh ? n.zh : n.en) || n.zh || n.en : '';
  const who = [pick(t.equipment), pick(t.tag)].filter(Boolean).join(' ');
  const v = quantity(value, t.unit);
  const lim = t.limit === null || t.limit === undefined ? '' : quantity(t.limit, t.unit);
  const sign = t.comparison ? `${t.comparison} ` : '';
  let what: string;
  switch (t.kind) {
    case 'limit': {
      const level = LEVELS[t.condition];
      what = `${level ? (zh ? level.zh : level.en) : t.condition}${v ? ` ${v}` : ''}${
        lim ? (zh ? ` (限值 ${sign}${lim})` : ` (limit ${sign}${lim})`) : ''
      }`;
      break;
    }
    case 'rate_of_change': {
      const per = t.per === 'minute' ? (zh ? '/分钟' : '/min') : zh ? '/秒' : '/s';
      what = zh ? `变化过快 (限值 ${lim}${per})` : `changing too fast (limit ${lim}${per})`;
      break;
    }
    case 'deviation': {
      const sp = pick(t.setpoint);
      what = zh
        ? `偏离设定值${sp ? ` ${sp}` : ''}超过 ${lim}${v ? ` (当前 ${v})` : ''}`
        : `deviates from ${sp || 'its setpoint'} by more than ${lim}${v ? ` (now ${v})` : ''}`;
      break;
    }
    case 'discrete':
      what = zh ? `报警状态${v ? ` ${v}` : ''}` : `in alarm state${v ? ` ${v}` : ''}`;
      break;
    case 'stale':
      what = zh ? `${t.timeoutS ?? '?'} 秒无新数据` : `no new value for ${t.timeoutS ?? '?'} s`;
      break;
    case 'comm_loss':
      what = zh ? `通讯中断 (${t.connector ?? ''})` : `communication lost (${t.connector ?? ''})`;
      break;
    case 'bad_quality':
      what = zh ? '数据质量差' : 'bad quality';
      break;
    case 'ewma':
      what = zh ? `EWMA 漂移超出 ±${t.limit ?? '?'}σ` : `EWMA drift beyond ±${t.limit ?? '?'}σ`;
      break;
    case 'spc': {
      const r = WE[t.condition];
      what = r ? (zh ? r.zh : r.en) : t.condition;
      break;
    }
  }
  if (t.custom) what = t.custom;
  return who ? `${who} ${what}` : what;
}
