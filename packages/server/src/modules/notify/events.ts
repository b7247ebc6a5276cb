import {
  type AlarmEvent,
  type AlarmPriority,
  type AlarmText,
  type FloodEvent,
  type NotifyEventKind,
  renderAlarmText,
} from '@aegis/shared';
import type { EventInput } from './repo.js';

/**
 * The event catalogue's builders: what the alarm engine, interlocks and connectors publish into
 * the outbox, with words for people already in both languages (a message needs no lookup).
 */

interface AlarmEventIn {
  event: AlarmEvent & { text?: AlarmText | null };
  place: { path: string };
  alarm: { active: boolean; text?: AlarmText | null };
}

function kindOf(e: AlarmEventIn): NotifyEventKind | null {
  const { event } = e;
  switch (event.type) {
    case 'activated':
      return event.annunciated ? 'alarm.raised' : null;
    case 'cleared':
      return event.to === 'rtn_unack' ? 'alarm.returned' : 'alarm.cleared';
    case 'acknowledged':
      return 'alarm.acknowledged';
    case 'shelved':
    case 'removed_from_service':
    case 'suppressed':
      // Out of service and suppression by design stop escalation as shelving does.
      return 'alarm.shelved';
    case 'unshelved':
      return event.user === null && e.alarm.active ? 'alarm.shelve_expired' : null;
    default:
      return null;
  }
}

export function alarmNotifyEvents(events: AlarmEventIn[], now: Date): EventInput[] {
  const out: EventInput[] = [];
  for (const e of events) {
    const kind = kindOf(e);
    if (!kind) continue;
    const text = e.event.text ?? e.alarm.text ?? null;
    const words = (locale: 'zh-CN' | 'en-US') =>
      text ? renderAlarmText(text, e.event.value, locale) : e.event.message || e.event.tag;
    out.push({
      kind,
      // Escalation delays count from when Aegis knew, not from a device's (possibly old) clock.
      at: now,
      priority: e.event.priority,
      path: e.place.path,
      subject: e.event.key,
      payload: {
        // What happened is said by the kind (rendered in front of it); the title names the alarm.
        title: { zh: words('zh-CN'), en: words('en-US') },
        alarmText: text,
        value: e.event.value,
        link: `/alarms?key=${encodeURIComponent(e.event.key)}`,
      },
    });
  }
  return out;
}

/** An area's alarm flood (ISA-18.2: more than 10 alarms in 10 minutes): start triggers, end clears. */
export function floodNotifyEvents(
  floods: Array<FloodEvent & { path: string }>,
  areaName: (path: string) => { zh: string; en: string },
  now: Date,
): EventInput[] {
  return floods.map((f) => {
    const name = areaName(f.path);
    const start = f.type === 'flood_start';
    return {
      kind: start ? 'alarm.flood' : 'alarm.cleared',
      at: now,
      priority: 'high' as AlarmPriority,
      path: f.path || null,
      subject: `flood:${f.area}`,
      payload: {
        title: start
          ? {
              zh: `${name.zh}：${Math.round(f.windowMs / 60000)} 分钟内 ${f.count} 条报警`,
              en: `${name.en}: ${f.count} alarms in ${Math.round(f.windowMs / 60000)} minutes`,
            }
          : {
              zh: `${name.zh} 报警泛滥结束（共 ${f.total} 条）`,
              en: `Alarm flood in ${name.en} ended (${f.total} alarms)`,
            },
        alarmText: null,
        value: f.count,
        link: '/alarms',
      },
    };
  });
}

export function interlockNotifyEvent(i: {
  alarmKey: string;
  path: string;
  priority: AlarmPriority;
  alarmTitle: { zh: string; en: string };
  target: { zh: string; en: string };
  status: 'failed' | 'unconfirmed';
  detail: string;
  now: Date;
}): EventInput {
  return {
    kind: 'interlock.unconfirmed',
    at: i.now,
    priority: i.priority,
    path: i.path,
    subject: `interlock:${i.alarmKey}`,
    payload: {
      title: {
        zh: `${i.target.zh}${i.status === 'failed' ? '（写入失败）' : '（设备未回读确认）'}— ${i.alarmTitle.zh}：${i.detail}`,
        en: `${i.target.en}${i.status === 'failed' ? ' (write failed)' : ' (not confirmed by read-back)'} — ${i.alarmTitle.en}: ${i.detail}`,
      },
      alarmText: null,
      value: null,
      link: '/alarms/interlocks',
    },
  };
}

export function connectorNotifyEvent(c: {
  id: number;
  name: string;
  up: boolean;
  error: string | null;
  now: Date;
}): EventInput {
  return {
    kind: c.up ? 'connector.up' : 'connector.down',
    at: c.now,
    priority: c.up ? null : 'high',
    path: null,
    subject: `connector:${c.id}`,
    payload: {
      title: c.up
        ? { zh: c.name, en: c.name }
        : {
            zh: `${c.name}${c.error ? `（${c.error}）` : ''}`,
            en: `${c.name}${c.error ? ` (${c.error})` : ''}`,
          },
      alarmText: null,
      value: null,
      link: '/connectors',
    },
  };
}
