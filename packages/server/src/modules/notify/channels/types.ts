import type { AlarmPriority, ChannelKind, Locale, NotifyProfile } from '@aegis/shared';
import type { z } from 'zod';

/** One message as rendered for one language; the worker builds it, a channel only formats and sends. */
export interface OutboundMessage {
  /** Stable per delivery (or merged group of deliveries): sent as Message-ID / X-Aegis-Delivery so a
   * receiver can recognise a resend after a crash between sending and recording it. */
  idempotencyKey: string;
  locale: Locale;
  priority: AlarmPriority | null;
  /** One line: e-mail subject, SMS/robot headline. */
  subject: string;
  /** Plain text, several lines. */
  text: string;
  /** For robots that render markdown (WeCom, DingTalk, Feishu post). */
  markdown: string;
  /** For e-mail. */
  html: string;
  /** Absolute deep link to the alarm/record, or null when no public address is known. */
  link: string | null;
  /** How many events this message stands for (grouping, merging over a rate limit). */
  count: number;
  /** The events' machine-readable form for webhooks (NotifyEvent objects). */
  events: unknown[];
  /** Files for e-mail (a scheduled report's PDF); the other channels send the link only. */
  attachments?: Attachment[];
}

export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Who a message is for on this channel. Robots post once and @-mention everybody in `targets`. */
export interface Target {
  userId: number | null;
  name: string;
  /** E-mail address (email), mobile number (sms), chat user id (robots), null for group-only sends. */
  address: string | null;
  /** Robots @-mention by mobile number where the user id is unknown. */
  mobile: string | null;
}

export interface SendContext {
  /** Refuses a URL the outbound policy forbids (metadata, link-local, loopback unless allowed). */
  checkOutbound(url: string): Promise<void>;
  now(): Date;
}

/** A failure with what to do about it: retryable (5xx, timeout, 429, connection) or not (4xx, auth). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** Provider asked us to wait (429 Retry-After), ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface SendResult {
  /** What the provider answered (message id, errcode 0…), kept in the delivery log. */
  providerReply: string | null;
}

export interface ChannelDriver<S = Record<string, unknown>, K = Record<string, unknown>> {
  kind: ChannelKind;
  settings: z.ZodType<S>;
  secrets: z.ZodType<K>;
  /** The provider's documented limits; over them the worker merges messages, never drops them. */
  limits: { perMinute: number | null; perSecond: number | null };
  /** True when one send reaches a group (robots, webhook): targets are mentioned, not addressed. */
  grouped: boolean;
  /** A person's address on this channel from their profile; null = the person cannot be reached here. */
  addressOf(profile: NotifyProfile): string | null;
  /** Problems with settings beyond the schema (templates, URLs) as user-readable lines. */
  check(settings: S, secrets: K): string[];
  send(input: {
    settings: S;
    secrets: K;
    message: OutboundMessage;
    targets: Target[];
    ctx: SendContext;
  }): Promise<SendResult>;
}
