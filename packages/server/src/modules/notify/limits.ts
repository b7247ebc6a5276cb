import { createHash } from 'node:crypto';
import type { Locale } from '@aegis/shared';
import type { OutboundMessage } from './channels/types.js';
import { escapeHtml, escapeMarkdown, markdownUrl, priorityRank, wordsFor } from './render.js';

/**
 * Providers' rate limits (WeCom and DingTalk 20 a minute per robot, Feishu 100 a minute and 5 a
 * second). Over a limit the worker merges what is waiting into one message, never drops it.
 */

export interface RateGate {
  /** Records a send at `now` when the limits allow one; false: wait (or merge). */
  take(now: number | Date): boolean;
  /** How many sends the limits allow at `now`. */
  available(now: number | Date): number;
  /** The earliest moment (ms) a send is allowed: `now` when one is available. */
  nextAt(now: number | Date): number;
}

const ms = (t: number | Date) => (typeof t === 'number' ? t : t.getTime());

/**
 * A sliding-window log: the moments of the sends of the last minute are kept, so no window of
 * 60 s (or 1 s) anywhere holds more than the limit — a fixed window or a token bucket would allow
 * up to twice the limit across a window edge, and providers then block the robot for minutes
 * (DingTalk: 10 minutes). Null limits are unlimited. Pure: time is passed in.
 */
export function createRateGate(limits: { perMinute: number | null; perSecond: number | null }): RateGate {
  const windows: { size: number; limit: number }[] = [];
  if (limits.perMinute !== null) windows.push({ size: 60_000, limit: limits.perMinute });
  if (limits.perSecond !== null) windows.push({ size: 1_000, limit: limits.perSecond });
  const longest = windows.reduce((m, w) => Math.max(m, w.size), 0);
  let sent: number[] = []; // ascending

  const prune = (now: number) => {
    const from = now - longest;
    let i = 0;
    while (i < sent.length && sent[i]! <= from) i++;
    if (i > 0) sent = sent.slice(i);
  };
  const inWindow = (now: number, size: number) => {
    let n = 0;
    for (let i = sent.length - 1; i >= 0 && sent[i]! > now - size; i--) n++;
    return n;
  };
  const available = (now: number) => {
    prune(now);
    let free = Number.POSITIVE_INFINITY;
    for (const w of windows) free = Math.min(free, w.limit - inWindow(now, w.size));
    return Math.max(0, free);
  };
  return {
    take(t) {
      const now = ms(t);
      if (available(now) < 1) return false;
      // Clock steps backwards keep the log ordered.
      sent.push(Math.max(now, sent[sent.length - 1] ?? now));
      return true;
    },
    available: (t) => available(ms(t)),
    nextAt(t) {
      const now = ms(t);
      if (available(now) >= 1) return now;
      let at = now;
      for (const w of windows) {
        const n = inWindow(now, w.size);
        if (n < w.limit) continue;
        // The send that must leave this window before another fits: the limit-th most recent.
        const leaving = sent[sent.length - w.limit]!;
        at = Math.max(at, leaving + w.size);
      }
      return at;
    },
  };
}

/** How many messages a merged message shows in full; the others are named by their subject. */
export const MAX_MERGED_IN_FULL = 5;
export const MAX_MERGED_LISTED = 20;

/**
 * Several rendered messages for one channel as one: the most urgent first, counts summed, every
 * message's own lines kept (the first MAX_MERGED_IN_FULL in full, then subjects, then a count), and
 * an idempotency key derived from the parts' keys (the same parts merge to the same key).
 */
export function mergeMessages(messages: OutboundMessage[], locale: Locale): OutboundMessage {
  if (messages.length === 0) throw new Error('mergeMessages needs at least one message');
  if (messages.length === 1) return messages[0]!;
  const sorted = [...messages].sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority));
  const top = sorted[0]!;
  const count = messages.reduce((n, m) => n + m.count, 0);
  const zh = locale === 'zh-CN';
  const w = wordsFor(locale);
  const summary = zh
    ? `合并发送 ${messages.length} 条通知，共 ${count} 条事件（超出发送频率）`
    : `${messages.length} notifications merged, ${count} events (over the sending rate)`;
  const subject = zh
    ? `${top.subject}（合并 ${messages.length} 条通知）`
    : `${top.subject} (+${messages.length - 1} merged notifications)`;

  const full = sorted.slice(0, MAX_MERGED_IN_FULL);
  const named = sorted.slice(MAX_MERGED_IN_FULL, MAX_MERGED_LISTED);
  const restEvents = sorted.slice(MAX_MERGED_LISTED).reduce((n, m) => n + m.count, 0);

  const text = [
    summary,
    ...full.map((m) => `\n${m.text}`),
    ...(named.length ? ['', ...named.map((m) => `- ${m.subject}${m.link ? ` ${m.link}` : ''}`)] : []),
    ...(restEvents ? [`- ${w.more(restEvents)}`] : []),
  ].join('\n');
  const markdown = [
    `**${escapeMarkdown(summary)}**`,
    ...full.map((m) => m.markdown),
    ...(named.length
      ? [
          named
            .map(
              (m) =>
                `- ${m.link ? `[${escapeMarkdown(m.subject)}](${markdownUrl(m.link)})` : escapeMarkdown(m.subject)}`,
            )
            .join('\n'),
        ]
      : []),
    ...(restEvents ? [`- ${w.more(restEvents)}`] : []),
  ].join('\n\n---\n\n');
  const bodyOf = (html: string) => /<body[^>]*>([\s\S]*)<\/body>/.exec(html)?.[1] ?? html;
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(
    subject,
  )}</title></head><body style="font-family:sans-serif"><p><strong>${escapeHtml(summary)}</strong></p>${full
    .map((m) => bodyOf(m.html))
    .join('<hr>')}${
    named.length || restEvents
      ? `<hr><ul>${named
          .map(
            (m) =>
              `<li>${m.link ? `<a href="${escapeHtml(m.link)}">${escapeHtml(m.subject)}</a>` : escapeHtml(m.subject)}</li>`,
          )
          .join('')}${restEvents ? `<li>${escapeHtml(w.more(restEvents))}</li>` : ''}</ul>`
      : ''
  }</body></html>`;

  const key = createHash('sha256')
    .update(
      messages
        .map((m) => m.idempotencyKey)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 32);
  return {
    idempotencyKey: `merged-${key}`,
    locale,
    priority: top.priority,
    subject,
    text,
    markdown,
    html,
    link: top.link,
    count,
    events: sorted.flatMap((m) => m.events),
  };
}
