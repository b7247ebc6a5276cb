import {
  type AlarmPriority,
  type Locale,
  NOTIFY_EVENT_LABELS,
  type NotifyEvent,
  renderAlarmText,
} from '@aegis/shared';
import type { OutboundMessage } from './channels/types.js';
import { compileTemplate, TEMPLATE_VARIABLES, type TemplateVars } from './template.js';

/**
 * Words for people: one message (subject, text, markdown for robots, HTML for e-mail) for one or
 * more events, in one language. Alarm texts are user-entered, so every value is escaped for the
 * format it lands in (HTML entities, markdown punctuation); a policy's own wording is a template.
 */

/** The same words the web shows for priorities (web/src/features/realtime/locales). */
export const PRIORITY_WORDS: Record<AlarmPriority, { zh: string; en: string }> = {
  critical: { zh: '紧急', en: 'Critical' },
  high: { zh: '高', en: 'High' },
  medium: { zh: '中', en: 'Medium' },
  low: { zh: '低', en: 'Low' },
};
const PRIORITY_RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const PRIORITY_COLOUR: Record<AlarmPriority, string> = {
  critical: '#b91c1c',
  high: '#c2410c',
  medium: '#a16207',
  low: '#1d4ed8',
};

/** The variables a policy's own wording may use. */
export const POLICY_TEMPLATE_VARIABLES = TEMPLATE_VARIABLES;

/** Validates a policy's wording when it is saved; throws a TemplateError (400) naming the problem. */
export function checkPolicyTemplate(source: string): void {
  compileTemplate(source, POLICY_TEMPLATE_VARIABLES);
}

/** How many events a grouped message lists line by line; the rest are counted. */
export const MAX_LISTED = 10;

const WORDS = {
  'zh-CN': {
    time: '时间',
    place: '位置',
    open: '打开查看',
    more: (n: number) => `另有 ${n} 条`,
    listed: (n: number) => `共 ${n} 条：`,
    countSuffix: (n: number) => ` 等 ${n} 条`,
    footer: 'Aegis MES 自动通知',
    colon: '：',
  },
  'en-US': {
    time: 'Time',
    place: 'Place',
    open: 'Open in Aegis',
    more: (n: number) => `${n} more`,
    listed: (n: number) => `${n} events:`,
    countSuffix: (n: number) => ` and ${n - 1} more`,
    footer: 'Sent by Aegis MES',
    colon: ': ',
  },
} as const;

export const wordsFor = (locale: Locale) => WORDS[locale] ?? WORDS['zh-CN'];

export function priorityWord(priority: AlarmPriority | null, locale: Locale): string | null {
  if (!priority) return null;
  const w = PRIORITY_WORDS[priority];
  return locale === 'zh-CN' ? w.zh : w.en;
}

export const priorityRank = (p: AlarmPriority | null) => (p ? PRIORITY_RANK[p] : 9);

/** Entities for text and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * User text made inert in robot markdown (WeCom, DingTalk). Robots do not all honour backslash
 * escapes (WeCom shows them), so the characters that start emphasis, links, code, tags (`<@id>`,
 * `<font>`, `<at>`), headings and quotes become their full-width forms, which read the same to
 * people; line breaks become spaces. `_` stays: tag names use it and intraword `_` is not emphasis.
 */
const FULL_WIDTH: Record<string, string> = {
  '\\': '＼',
  '*': '＊',
  '[': '［',
  ']': '］',
  '<': '＜',
  '>': '＞',
  '`': '｀',
  '~': '～',
  '|': '｜',
  '#': '＃',
};
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\*[\]<>`~|#]/g, (c) => FULL_WIDTH[c] ?? c).replace(/\r?\n/g, ' ');
}

/** A link target safe inside markdown's `(…)`. */
export const markdownUrl = (url: string) =>
  url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** `publicUrl` + the event's path, or null when no public address is configured. */
export function deepLink(publicUrl: string | null, path: string): string | null {
  if (!publicUrl) return null;
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The moment in the plant's time zone, as people on the floor write it: 2026-11-30 22:35:02. */
export function plantTime(at: string | Date, timezone: string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    return d.toISOString();
  }
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** What happened, in words: the alarm text (names, value, unit, limit) or the event's title. */
export function eventWhat(event: NotifyEvent, locale: Locale): string {
  if (event.alarmText) return renderAlarmText(event.alarmText, event.value, locale);
  return (locale === 'zh-CN' ? event.title.zh || event.title.en : event.title.en || event.title.zh) ?? '';
}

/** The plant place: the equipment's name when the alarm text knows it. */
function eventPlace(event: NotifyEvent, locale: Locale): string {
  const eq = event.alarmText?.equipment;
  if (!eq) return '';
  return (locale === 'zh-CN' ? eq.zh || eq.en : eq.en || eq.zh) ?? '';
}

/** One line: "[紧急] 反应釜 R-101 温度 高高报 98.5 °C"; kinds other than 'raised' say what happened. */
export function eventHeadline(event: NotifyEvent, locale: Locale): string {
  const prio = priorityWord(event.priority, locale);
  return `${prio ? `[${prio}] ` : ''}${eventHeadlineNoPriority(event, locale)}`;
}

/** What happened without the priority: kinds other than 'raised' say what happened first. */
function eventHeadlineNoPriority(event: NotifyEvent, locale: Locale): string {
  const label = NOTIFY_EVENT_LABELS[event.kind];
  const kind =
    event.kind === 'alarm.raised'
      ? ''
      : `${locale === 'zh-CN' ? label.zh : label.en}${wordsFor(locale).colon}`;
  return `${kind}${eventWhat(event, locale)}`;
}

export interface RenderOptions {
  locale: Locale;
  publicUrl: string | null;
  timezone: string;
  /** A policy's own wording ({{title}}, {{text}}, …) replacing the standard headline block. */
  template: string | null;
  idempotencyKey: string;
}

/**
 * One message for `events` (one, or a group of the same policy): the most urgent event heads it,
 * the others are listed (up to MAX_LISTED lines, then counted).
 */
export function renderMessage(events: NotifyEvent[], opts: RenderOptions): OutboundMessage {
  if (events.length === 0) throw new Error('renderMessage needs at least one event');
  const { locale } = opts;
  const w = wordsFor(locale);
  // Most urgent first, then oldest first: the headline is what needs acting on.
  const sorted = [...events].sort(
    (a, b) => priorityRank(a.priority) - priorityRank(b.priority) || a.at.localeCompare(b.at),
  );
  const head = sorted[0]!;
  const count = events.length;
  const priority = head.priority;
  const headline = eventHeadline(head, locale);
  const subject = count > 1 ? `${headline}${w.countSuffix(count)}` : headline;
  const link = deepLink(opts.publicUrl, head.link);
  const time = plantTime(head.at, opts.timezone);
  const place = eventPlace(head, locale);
  const prioWord = priorityWord(priority, locale);

  const listed = count > 1 ? sorted.slice(0, MAX_LISTED) : [];
  const rest = count - listed.length;
  const lineOf = (e: NotifyEvent) =>
    `${plantTime(e.at, opts.timezone).slice(11)} ${eventHeadline(e, locale)}`;

  // The headline block: standard wording, or the policy's own.
  let custom: { text: string; markdown: string; html: string } | null = null;
  if (opts.template) {
    try {
      const render = compileTemplate(opts.template, POLICY_TEMPLATE_VARIABLES);
      const vars: TemplateVars = {
        title: locale === 'zh-CN' ? head.title.zh || head.title.en : head.title.en || head.title.zh,
        text: eventWhat(head, locale),
        priority: prioWord ?? '',
        place,
        time,
        link: link ?? '',
        count,
      };
      const text = render(vars);
      custom = {
        text,
        markdown: render(vars, escapeMarkdown),
        html: `<p>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>`,
      };
    } catch {
      // Checked when the policy was saved; a template that no longer compiles falls back to the
      // standard wording rather than holding the notification back.
      custom = null;
    }
  }

  // Plain text.
  const textLines: string[] = [];
  if (custom) textLines.push(custom.text);
  else {
    textLines.push(subject, `${w.time}${w.colon}${time}`);
    if (place) textLines.push(`${w.place}${w.colon}${place}`);
    if (link) textLines.push(`${w.open}${w.colon}${link}`);
  }
  if (listed.length > 0) {
    textLines.push('', w.listed(count), ...listed.map((e) => `- ${lineOf(e)}`));
    if (rest > 0) textLines.push(`- ${w.more(rest)}`);
  }
  const text = textLines.join('\n');

  // Markdown for robots: blocks separated by blank lines (DingTalk needs them to break lines).
  const md: string[] = [];
  if (custom) md.push(custom.markdown);
  else {
    md.push(`**${escapeMarkdown(subject)}**`, `${w.time}${w.colon}${escapeMarkdown(time)}`);
    if (place) md.push(`${w.place}${w.colon}${escapeMarkdown(place)}`);
    if (link) md.push(`[${w.open}](${markdownUrl(link)})`);
  }
  if (listed.length > 0) {
    md.push(
      [
        w.listed(count),
        ...listed.map((e) => `- ${escapeMarkdown(lineOf(e))}`),
        ...(rest > 0 ? [`- ${w.more(rest)}`] : []),
      ].join('\n'),
    );
  }
  const markdown = md.join('\n\n');

  // HTML for e-mail: every value escaped.
  const badge = priority
    ? `<span style="background:${PRIORITY_COLOUR[priority]};color:#fff;padding:2px 8px;border-radius:3px;font-weight:bold">${escapeHtml(prioWord!)}</span> `
    : '';
  const body: string[] = [];
  if (custom) body.push(custom.html);
  else {
    const title =
      count > 1
        ? `${eventHeadlineNoPriority(head, locale)}${w.countSuffix(count)}`
        : eventHeadlineNoPriority(head, locale);
    body.push(`<p style="font-size:16px">${badge}<strong>${escapeHtml(title)}</strong></p>`);
    const rows: [string, string][] = [[w.time, time]];
    if (place) rows.push([w.place, place]);
    body.push(
      `<table style="border-collapse:collapse">${rows
        .map(
          ([k, v]) =>
            `<tr><td style="padding:2px 12px 2px 0;color:#555">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`,
        )
        .join('')}</table>`,
    );
    if (link) body.push(`<p><a href="${escapeHtml(link)}">${escapeHtml(w.open)}</a></p>`);
  }
  if (listed.length > 0) {
    const items = listed.map((e) => {
      const l = deepLink(opts.publicUrl, e.link);
      const t = escapeHtml(lineOf(e));
      return `<li>${l ? `<a href="${escapeHtml(l)}">${t}</a>` : t}</li>`;
    });
    if (rest > 0) items.push(`<li>${escapeHtml(w.more(rest))}</li>`);
    body.push(`<p>${escapeHtml(w.listed(count))}</p><ul>${items.join('')}</ul>`);
  }
  body.push(`<p style="color:#888;font-size:12px">${escapeHtml(w.footer)}</p>`);
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(
    subject,
  )}</title></head><body style="font-family:sans-serif">${body.join('\n')}</body></html>`;

  return {
    idempotencyKey: opts.idempotencyKey,
    locale,
    priority,
    subject,
    text,
    markdown,
    html,
    link,
    count,
    events: sorted,
  };
}
