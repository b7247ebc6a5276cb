import { z } from 'zod';
import { AlarmTextSchema } from './alarm-text.js';
import { AlarmPrioritySchema } from './alarms.js';
import { CodeSchema, LocaleSchema, NameSchema, ReasonSchema } from './common.js';

/**
 * Notifications: the one service every module sends its reminders and escalations through.
 * Modules publish typed events (in the transaction of the change that caused them); policies
 * turn them into escalations; channels deliver.
 */

/** The event catalogue. Later modules (inspections, permits…) add their kinds here. */
export const NOTIFY_EVENT_KINDS = [
  'alarm.raised',
  'alarm.returned',
  'alarm.cleared',
  'alarm.acknowledged',
  'alarm.shelved',
  'alarm.shelve_expired',
  'alarm.escalated',
  'alarm.flood',
  'interlock.unconfirmed',
  'connector.down',
  'connector.up',
  'storage.disk_low',
  'storage.disk_ok',
  'inspection.due_soon',
  'inspection.overdue',
  'inspection.missed',
  'inspection.done',
  'inspection.reading_abnormal',
  'hazard.reported',
  'hazard.assigned',
  'hazard.approval_needed',
  'hazard.verification_needed',
  'hazard.rectification_overdue',
  'hazard.progressed',
  'hazard.closed',
  'permit.approval_needed',
  'permit.signature_needed',
  'permit.activated',
  'permit.suspended',
  'permit.resumed',
  'permit.gas_retest_due',
  'permit.expiring',
  'permit.expired',
  'permit.progressed',
  'permit.closed',
  'emergency.activated',
  'emergency.step_assigned',
  'emergency.step_overdue',
  'emergency.closed',
  'lockout.applied',
  'lockout.released',
  'lockout.start_refused',
  'training.expiring',
  'training.expired',
  'report.ready',
] as const;
export const NotifyEventKindSchema = z.enum(NOTIFY_EVENT_KINDS);
export type NotifyEventKind = z.infer<typeof NotifyEventKindSchema>;

/** Kinds a policy may start an escalation on (the others only stop or inform). */
export const NOTIFY_TRIGGER_KINDS = [
  'alarm.raised',
  'alarm.returned',
  'alarm.shelve_expired',
  'alarm.escalated',
  'alarm.flood',
  'interlock.unconfirmed',
  'connector.down',
  'storage.disk_low',
  'inspection.due_soon',
  'inspection.overdue',
  'inspection.missed',
  'inspection.reading_abnormal',
  'hazard.reported',
  'hazard.assigned',
  'hazard.approval_needed',
  'hazard.verification_needed',
  'hazard.rectification_overdue',
  'permit.approval_needed',
  'permit.signature_needed',
  'permit.suspended',
  'permit.gas_retest_due',
  'permit.expiring',
  'emergency.activated',
  'emergency.step_assigned',
  'emergency.step_overdue',
  'lockout.applied',
  'lockout.start_refused',
  'training.expiring',
  'training.expired',
  'report.ready',
] as const satisfies readonly NotifyEventKind[];

export const NOTIFY_EVENT_LABELS: Record<NotifyEventKind, { zh: string; en: string }> = {
  'alarm.raised': { zh: '报警产生', en: 'Alarm raised' },
  'alarm.returned': { zh: '报警恢复（未确认）', en: 'Alarm returned to normal' },
  'alarm.cleared': { zh: '报警消除', en: 'Alarm cleared' },
  'alarm.acknowledged': { zh: '报警已确认', en: 'Alarm acknowledged' },
  'alarm.shelved': { zh: '报警已搁置', en: 'Alarm shelved' },
  'alarm.shelve_expired': { zh: '报警搁置到期', en: 'Alarm shelve expired' },
  'alarm.escalated': { zh: '报警升级', en: 'Alarm escalated' },
  'alarm.flood': { zh: '报警泛滥', en: 'Alarm flood' },
  'interlock.unconfirmed': { zh: '联锁未确认', en: 'Interlock not confirmed' },
  'connector.down': { zh: '采集连接中断', en: 'Connector down' },
  'connector.up': { zh: '采集连接恢复', en: 'Connector up' },
  'storage.disk_low': { zh: '磁盘空间不足', en: 'Disk space low' },
  'storage.disk_ok': { zh: '磁盘空间已恢复', en: 'Disk space recovered' },
  'inspection.due_soon': { zh: '点检即将到期', en: 'Inspection due soon' },
  'inspection.overdue': { zh: '点检超期', en: 'Inspection overdue' },
  'inspection.missed': { zh: '点检漏检', en: 'Inspection missed' },
  'inspection.done': { zh: '点检已完成', en: 'Inspection done' },
  'inspection.reading_abnormal': { zh: '点检读数异常', en: 'Inspection reading out of limits' },
  'hazard.reported': { zh: '隐患上报', en: 'Hidden danger reported' },
  'hazard.assigned': { zh: '隐患整改指派', en: 'Hazard rectification assigned' },
  'hazard.approval_needed': { zh: '重大隐患待审批', en: 'Major hazard awaits approval' },
  'hazard.verification_needed': { zh: '隐患待验收', en: 'Hazard rectification awaits verification' },
  'hazard.rectification_overdue': { zh: '隐患整改超期', en: 'Hazard rectification overdue' },
  'hazard.progressed': { zh: '隐患状态变更', en: 'Hazard moved on' },
  'hazard.closed': { zh: '隐患已关闭', en: 'Hidden danger closed' },
  'permit.approval_needed': { zh: '作业票待审批', en: 'Work permit awaits approval' },
  'permit.signature_needed': { zh: '作业票待签字', en: 'Work permit awaits your signature' },
  'permit.activated': { zh: '作业票已生效', en: 'Work permit active' },
  'permit.suspended': { zh: '作业票已暂停', en: 'Work permit suspended' },
  'permit.resumed': { zh: '作业票已恢复', en: 'Work permit resumed' },
  'permit.gas_retest_due': { zh: '作业票需复测气体', en: 'Gas re-test due for a permit' },
  'permit.expiring': { zh: '作业票即将到期', en: 'Work permit about to expire' },
  'permit.expired': { zh: '作业票已过期', en: 'Work permit expired' },
  'permit.progressed': { zh: '作业票状态变更', en: 'Work permit moved on' },
  'permit.closed': { zh: '作业票已关闭', en: 'Work permit closed' },
  'emergency.activated': { zh: '应急预案启动', en: 'Emergency plan activated' },
  'emergency.step_assigned': { zh: '应急处置步骤指派', en: 'Emergency step assigned' },
  'emergency.step_overdue': { zh: '应急处置步骤超时', en: 'Emergency step overdue' },
  'emergency.closed': { zh: '应急响应结束', en: 'Emergency response closed' },
  'lockout.applied': { zh: '设备已上锁挂牌', en: 'Equipment locked out' },
  'lockout.released': { zh: '设备已解除上锁', en: 'Lockout released' },
  'lockout.start_refused': { zh: '上锁设备启动被拒绝', en: 'Start of locked-out equipment refused' },
  'training.expiring': { zh: '培训资格即将到期', en: 'Training about to expire' },
  'training.expired': { zh: '培训资格已过期', en: 'Training expired' },
  'report.ready': { zh: '报表已生成', en: 'Report ready' },
};

/** What an event carries; every kind fills what applies. */
export const NotifyEventSchema = z.object({
  id: z.number().int(),
  kind: NotifyEventKindSchema,
  at: z.string(),
  priority: AlarmPrioritySchema.nullable(),
  /** Plant path of the node the event is about ('/1/4/9/'); null: enterprise-wide (a connector). */
  path: z.string().nullable(),
  /** What escalations stop on: the alarm key, 'connector:<id>', 'flood:<areaId>', 'disk:<path>'. */
  subject: z.string(),
  /** Names and words for people, so a message needs no lookup. */
  title: z.object({ zh: z.string(), en: z.string() }),
  alarmText: AlarmTextSchema.nullable(),
  value: z.union([z.number(), z.boolean(), z.string()]).nullable(),
  /** Path of the web page to open (joined with AEGIS_PUBLIC_URL in messages). */
  link: z.string(),
});
export type NotifyEvent = z.infer<typeof NotifyEventSchema>;

// ---------------------------------------------------------------------------------------------
// Channels

export const CHANNEL_KINDS = ['inapp', 'email', 'wecom', 'dingtalk', 'feishu', 'webhook', 'sms'] as const;
export const ChannelKindSchema = z.enum(CHANNEL_KINDS);
export type ChannelKind = z.infer<typeof ChannelKindSchema>;

/** Per-person channels take an address from the person's profile; robots post into one group chat. */
export const PERSONAL_CHANNEL_KINDS = ['inapp', 'email', 'sms'] as const satisfies readonly ChannelKind[];

const HttpUrl = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL');

/** Settings shown and edited in the UI; secrets travel apart and are never returned. */
export const EmailSettingsSchema = z.object({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  /** 'starttls': upgrade on 587 (required); 'tls': implicit TLS (465); 'none': plain (test sinks only). */
  security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  username: z.string().max(320).default(''),
  from: z.string().trim().min(3).max(320),
  /** Accept a self-signed server certificate (on-premise relays). */
  allowSelfSigned: z.boolean().default(false),
});
export const EmailSecretsSchema = z.object({ password: z.string().max(1000).optional() });

export const RobotSettingsSchema = z.object({
  /** The robot's webhook URL without its key/token (the key is a secret). */
  url: HttpUrl,
});
/** WeCom: key=…; DingTalk: access_token=… and the signing secret (加签); Feishu: the hook token and signing secret. */
export const RobotSecretsSchema = z.object({
  token: z.string().max(500).optional(),
  signingSecret: z.string().max(500).optional(),
});

export const WebhookSettingsSchema = z.object({
  url: HttpUrl,
  /** Extra headers (no Authorization: put credentials in the secret). */
  headers: z.record(z.string().max(100), z.string().max(1000)).default({}),
  timeoutMs: z.number().int().min(500).max(60000).default(10000),
});
export const WebhookSecretsSchema = z.object({
  /** HMAC-SHA256 key of X-Aegis-Signature. */
  signingSecret: z.string().max(500).optional(),
  /** Sent as Authorization when set. */
  authorization: z.string().max(1000).optional(),
});

export const SmsSettingsSchema = z.object({
  method: z.enum(['POST', 'GET', 'PUT']).default('POST'),
  /** May use {{phone}} and {{text}} (URL-encoded there). */
  url: HttpUrl,
  headers: z.record(z.string().max(100), z.string().max(1000)).default({}),
  /** Body template, e.g. {"to":"{{phone}}","text":"{{text}}"}; values are JSON-escaped in a JSON body. */
  bodyTemplate: z.string().max(4000).default(''),
  contentType: z
    .enum(['application/json', 'application/x-www-form-urlencoded', 'text/plain'])
    .default('application/json'),
  timeoutMs: z.number().int().min(500).max(60000).default(10000),
});
/** Available to templates as {{secret}} (e.g. an API key in a header or the body). */
export const SmsSecretsSchema = z.object({ secret: z.string().max(1000).optional() });

export const ChannelSettingsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('inapp'), settings: z.object({}).default({}) }),
  z.object({ kind: z.literal('email'), settings: EmailSettingsSchema }),
  z.object({ kind: z.literal('wecom'), settings: RobotSettingsSchema }),
  z.object({ kind: z.literal('dingtalk'), settings: RobotSettingsSchema }),
  z.object({ kind: z.literal('feishu'), settings: RobotSettingsSchema }),
  z.object({ kind: z.literal('webhook'), settings: WebhookSettingsSchema }),
  z.object({ kind: z.literal('sms'), settings: SmsSettingsSchema }),
]);

export const ChannelSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  kind: ChannelKindSchema,
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  /** Which secrets are stored (names only, never the values). */
  secretsSet: z.array(z.string()),
  /** Messages per minute the provider allows (WeCom 20, DingTalk 20, Feishu 100); over it messages merge. */
  ratePerMinute: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Channel = z.infer<typeof ChannelSchema>;

export const CreateChannelSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  kind: ChannelKindSchema,
  enabled: z.boolean().default(true),
  settings: z.record(z.string(), z.unknown()).default({}),
  /** Secret values; omitted keys are kept, null deletes. */
  secrets: z.record(z.string(), z.string().max(1000).nullable()).default({}),
  reason: ReasonSchema,
});
export const UpdateChannelSchema = z
  .object({
    name: NameSchema,
    enabled: z.boolean(),
    settings: z.record(z.string(), z.unknown()),
    secrets: z.record(z.string(), z.string().max(1000).nullable()),
  })
  .partial()
  .extend({ reason: ReasonSchema });
/** "Send test": to a person (personal channels) or the group (robots, webhook). */
export const TestChannelSchema = z.object({ userId: z.number().int().positive().optional() });
export const TestChannelResultSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().nullable(),
  /** The rendered message, as the recipient sees it. */
  preview: z.string(),
});

// ---------------------------------------------------------------------------------------------
// Policies

export const RecipientSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: z.number().int().positive() }),
  /** Everybody holding the role at the event's node or above it (or everywhere). */
  z.object({ type: z.literal('role'), roleId: z.number().int().positive() }),
  z.object({ type: z.literal('post'), postId: z.number().int().positive() }),
  z.object({ type: z.literal('team'), teamId: z.number().int().positive() }),
  /** The members of the team on shift (roster) for the event's workshop. */
  z.object({ type: z.literal('shift_team') }),
  /** The leader (班组长) of the team on shift. */
  z.object({ type: z.literal('shift_leader') }),
  /** The on-call person of the current shift for the event's workshop. */
  z.object({ type: z.literal('on_call') }),
  /** Whoever the record names as responsible: an inspection task's assignee, a hazard's rectifier. */
  z.object({ type: z.literal('assignee') }),
]);
export type Recipient = z.infer<typeof RecipientSchema>;

export const PolicyLevelSchema = z.object({
  /** Minutes after the event (level 1 usually 0). Each level's delay is counted from the event. */
  delayMinutes: z
    .number()
    .min(0)
    .max(24 * 60),
  recipients: z.array(RecipientSchema).min(1, 'A level needs at least one recipient').max(50),
  /** Channel ids. */
  channelIds: z.array(z.number().int().positive()).min(1, 'A level needs at least one channel').max(10),
});
export type PolicyLevel = z.infer<typeof PolicyLevelSchema>;

const HHMM = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM');

export const PolicyMatchSchema = z.object({
  kinds: z.array(NotifyEventKindSchema).min(1, 'Pick at least one event kind'),
  /** Empty: every priority. */
  priorities: z.array(AlarmPrioritySchema).default([]),
  /** A plant node whose subtree the policy covers; null: everywhere. */
  nodeId: z.number().int().positive().nullable().default(null),
  /** Active only inside this weekly window (plant time zone); null: always. */
  window: z
    .object({
      days: z.array(z.number().int().min(1).max(7)).min(1), // ISO weekdays, 1 = Monday
      from: HHMM,
      to: HHMM,
    })
    .nullable()
    .default(null),
});

export const STOP_CONDITIONS = ['ack', 'clear', 'shelve'] as const;

export const PolicyInputSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  enabled: z.boolean().default(true),
  match: PolicyMatchSchema,
  levels: z.array(PolicyLevelSchema).min(1).max(10),
  /** After the last level, notify it again this many times, every intervalMinutes. */
  repeat: z
    .object({
      count: z.number().int().min(0).max(100),
      intervalMinutes: z
        .number()
        .min(1)
        .max(24 * 60),
    })
    .default({ count: 0, intervalMinutes: 10 }),
  stopOn: z.array(z.enum(STOP_CONDITIONS)).default(['ack', 'clear', 'shelve']),
  /** Events of this policy within this many seconds go out as one message with a count. */
  groupSeconds: z.number().int().min(0).max(3600).default(30),
  /** Optional own wording: {{title}}, {{text}}, {{priority}}, {{place}}, {{time}}, {{link}}, {{count}}. */
  template: z.string().max(2000).nullable().default(null),
});
export const CreatePolicySchema = PolicyInputSchema.extend({ reason: ReasonSchema });
export const UpdatePolicySchema = PolicyInputSchema.partial().extend({ reason: ReasonSchema });

export const PolicySchema = PolicyInputSchema.extend({
  id: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Policy = z.infer<typeof PolicySchema>;

/** "What would happen": a sample event through the current policies and roster. */
export const PreviewRequestSchema = z.object({
  kind: NotifyEventKindSchema,
  priority: AlarmPrioritySchema.nullable().default('critical'),
  nodeId: z.number().int().positive().nullable().default(null),
  /** The moment to resolve shifts at; default now. */
  at: z.string().datetime({ offset: true }).optional(),
  /** Preview one policy as edited (unsaved) instead of the stored ones. */
  policy: PolicyInputSchema.optional(),
});
export const PreviewStepSchema = z.object({
  policyId: z.number().int().nullable(),
  policyName: z.string(),
  level: z.number().int(),
  repeat: z.number().int(),
  at: z.string(),
  recipients: z.array(z.object({ userId: z.number().int(), name: z.string(), via: z.string() })),
  channels: z.array(
    z.object({
      channelId: z.number().int(),
      name: z.string(),
      kind: ChannelKindSchema,
      /** Who it reaches there and how; "no address" when a person has none for the channel. */
      targets: z.array(z.object({ name: z.string(), address: z.string().nullable() })),
    }),
  ),
  /** Why somebody or something is left out (no e-mail, quiet hours, nobody on call…). */
  notes: z.array(z.string()),
});
export const PreviewResultSchema = z.object({
  matched: z.array(z.object({ policyId: z.number().int().nullable(), name: z.string() })),
  steps: z.array(PreviewStepSchema),
});

// ---------------------------------------------------------------------------------------------
// Deliveries (the delivery log) and the notification centre

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'dead', 'merged'] as const;
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);

export const DeliverySchema = z.object({
  id: z.number().int(),
  eventId: z.number().int(),
  eventKind: NotifyEventKindSchema,
  eventTitle: z.string(),
  policyId: z.number().int().nullable(),
  policyName: z.string().nullable(),
  level: z.number().int(),
  repeat: z.number().int(),
  channelId: z.number().int(),
  channelName: z.string(),
  channelKind: ChannelKindSchema,
  userId: z.number().int().nullable(),
  userName: z.string().nullable(),
  address: z.string().nullable(),
  status: DeliveryStatusSchema,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  /** Events merged into this message (grouping, rate limit). */
  count: z.number().int(),
  createdAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  /** Event time → delivered, ms. */
  latencyMs: z.number().nullable(),
  subject: z.string().nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;
export const DeliveryDetailSchema = DeliverySchema.extend({
  /** The message as sent: text, and HTML for e-mail. */
  body: z.string().nullable(),
  html: z.string().nullable(),
});

export const DeliveryQuerySchema = z.object({
  status: DeliveryStatusSchema.optional(),
  channelId: z.coerce.number().int().positive().optional(),
  userId: z.coerce.number().int().positive().optional(),
  kind: NotifyEventKindSchema.optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const NotificationSchema = z.object({
  id: z.number().int(),
  eventId: z.number().int(),
  kind: NotifyEventKindSchema,
  priority: AlarmPrioritySchema.nullable(),
  title: z.string(),
  body: z.string(),
  link: z.string(),
  /** The alarm to acknowledge from the notification, when it is about one. */
  alarmKey: z.string().nullable(),
  count: z.number().int(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof NotificationSchema>;
export const NotificationListSchema = z.object({
  items: z.array(NotificationSchema),
  unread: z.number().int(),
});
export const NotificationQuerySchema = z.object({
  unreadOnly: z.stringbool().default(false),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});
export const MarkReadSchema = z.object({ ids: z.array(z.number().int().positive()).max(500).optional() });

/** A person's own channel addresses and quiet hours. */
export const NotifyProfileSchema = z.object({
  email: z.string().nullable(),
  /** Mobile number for SMS and robot @-mentions: +8613812345678 or 13812345678. */
  mobile: z.string().nullable(),
  wecomUserId: z.string().nullable(),
  dingtalkUserId: z.string().nullable(),
  feishuUserId: z.string().nullable(),
  locale: LocaleSchema,
  /** Low and medium priority wait until quiet hours end; critical and high always go through. */
  quietHours: z.object({ from: HHMM, to: HHMM }).nullable(),
});
export type NotifyProfile = z.infer<typeof NotifyProfileSchema>;
export const UpdateNotifyProfileSchema = z
  .object({
    email: z.string().trim().email('not an e-mail address').max(320).nullable(),
    mobile: z
      .string()
      .trim()
      .regex(
        /^\+?[0-9]{6,15}$/,
        'a mobile number: digits only, optionally starting with + and the country code',
      )
      .nullable(),
    wecomUserId: z.string().trim().min(1).max(64).nullable(),
    dingtalkUserId: z.string().trim().min(1).max(64).nullable(),
    feishuUserId: z.string().trim().min(1).max(64).nullable(),
    locale: LocaleSchema,
    quietHours: z.object({ from: HHMM, to: HHMM }).nullable(),
  })
  .partial()
  .strict();

/** Live frame on /api/live for the bell. */
export const NotificationFrameSchema = z.object({
  type: z.literal('notification'),
  notification: NotificationSchema,
  unread: z.number().int(),
});

export const NotifyHealthSchema = z.object({
  outboxPending: z.number().int(),
  escalationsPending: z.number().int(),
  deliveriesPending: z.number().int(),
  /** Messages that will not be retried: failed (permanent error) or dead (attempts used up). */
  deliveriesDead: z.number().int(),
  lastTickAt: z.string().nullable(),
  tickFailures: z.number().int(),
});
