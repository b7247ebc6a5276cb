import {
  type AlarmPriority,
  type NotifyEventKind,
  type Policy,
  type PolicyInputSchema,
  type Recipient,
  STOP_CONDITIONS,
} from '@aegis/shared';
import type { z } from 'zod';

export type PolicyInput = z.infer<typeof PolicyInputSchema>;
export type StopCondition = (typeof STOP_CONDITIONS)[number];

/**
 * A recipient as one string, so a level's recipients are one multi-select:
 * 'user:5', 'role:2', 'post:3', 'team:4', 'shift_team', 'shift_leader', 'on_call', 'assignee'.
 */
export type RecipientKey = string;

export function recipientKey(r: Recipient): RecipientKey {
  switch (r.type) {
    case 'user':
      return `user:${r.userId}`;
    case 'role':
      return `role:${r.roleId}`;
    case 'post':
      return `post:${r.postId}`;
    case 'team':
      return `team:${r.teamId}`;
    default:
      return r.type;
  }
}

/** The recipient a key stands for; null for a key this UI did not make. */
export function parseRecipientKey(key: RecipientKey): Recipient | null {
  if (key === 'shift_team' || key === 'shift_leader' || key === 'on_call' || key === 'assignee')
    return { type: key };
  const m = /^(user|role|post|team):([1-9][0-9]*)$/.exec(key);
  if (!m) return null;
  const id = Number(m[2]);
  switch (m[1]) {
    case 'user':
      return { type: 'user', userId: id };
    case 'role':
      return { type: 'role', roleId: id };
    case 'post':
      return { type: 'post', postId: id };
    default:
      return { type: 'team', teamId: id };
  }
}

export interface LevelValues {
  delayMinutes: number;
  recipients: RecipientKey[];
  channelIds: number[];
}

/** The policy editor's form: flat where antd's fields want it flat, times as 'HH:MM'. */
export interface PolicyFormValues {
  code: string;
  name: string;
  enabled: boolean;
  kinds: NotifyEventKind[];
  priorities: AlarmPriority[];
  nodeId: number | null;
  windowOn: boolean;
  windowDays: number[];
  windowFrom: string;
  windowTo: string;
  levels: LevelValues[];
  repeatCount: number;
  repeatIntervalMinutes: number;
  stopOn: StopCondition[];
  groupSeconds: number;
  template: string;
}

/** The editor's form: the policy and the reason for the change. */
export type PolicyFormWithReason = PolicyFormValues & { reason: string };

/** A new level starts where the previous one ended: five minutes later, with its channels. */
export function nextLevel(levels: LevelValues[]): LevelValues {
  const last = levels[levels.length - 1];
  if (!last) return { delayMinutes: 0, recipients: [], channelIds: [] };
  return { delayMinutes: last.delayMinutes + 5, recipients: [], channelIds: [...last.channelIds] };
}

/** A new policy: critical and high alarms, one immediate level, repeat off, stop on everything. */
export function newPolicyValues(): PolicyFormValues {
  return {
    code: '',
    name: '',
    enabled: true,
    kinds: ['alarm.raised'],
    priorities: ['critical', 'high'],
    nodeId: null,
    windowOn: false,
    windowDays: [1, 2, 3, 4, 5],
    windowFrom: '08:00',
    windowTo: '18:00',
    levels: [nextLevel([])],
    repeatCount: 0,
    repeatIntervalMinutes: 10,
    stopOn: [...STOP_CONDITIONS],
    groupSeconds: 30,
    template: '',
  };
}

export function valuesFromPolicy(p: Policy): PolicyFormValues {
  const blank = newPolicyValues();
  return {
    code: p.code,
    name: p.name,
    enabled: p.enabled,
    kinds: [...p.match.kinds],
    priorities: [...p.match.priorities],
    nodeId: p.match.nodeId,
    windowOn: p.match.window !== null,
    windowDays: p.match.window ? [...p.match.window.days] : blank.windowDays,
    windowFrom: p.match.window?.from ?? blank.windowFrom,
    windowTo: p.match.window?.to ?? blank.windowTo,
    levels: p.levels.map((l) => ({
      delayMinutes: l.delayMinutes,
      recipients: l.recipients.map(recipientKey),
      channelIds: [...l.channelIds],
    })),
    repeatCount: p.repeat.count,
    repeatIntervalMinutes: p.repeat.intervalMinutes,
    stopOn: [...p.stopOn],
    groupSeconds: p.groupSeconds,
    template: p.template ?? '',
  };
}

/** The policy the form describes (validated by the server's schema before it is sent). */
export function policyFromValues(v: PolicyFormValues): PolicyInput {
  const template = v.template.trim();
  return {
    code: v.code.trim(),
    name: v.name.trim(),
    enabled: v.enabled,
    match: {
      kinds: [...v.kinds],
      priorities: [...v.priorities],
      nodeId: v.nodeId ?? null,
      window: v.windowOn
        ? { days: [...v.windowDays].sort((a, b) => a - b), from: v.windowFrom, to: v.windowTo }
        : null,
    },
    levels: v.levels.map((l) => ({
      delayMinutes: l.delayMinutes ?? 0,
      recipients: (l.recipients ?? []).map(parseRecipientKey).filter((r): r is Recipient => r !== null),
      channelIds: [...(l.channelIds ?? [])],
    })),
    repeat: { count: v.repeatCount ?? 0, intervalMinutes: v.repeatIntervalMinutes ?? 10 },
    stopOn: [...v.stopOn],
    groupSeconds: v.groupSeconds ?? 0,
    template: template === '' ? null : template,
  };
}

/**
 * The edited policy for "what would happen": a new policy without code or name yet still
 * previews (the server's schema wants both).
 */
export function previewPolicy(v: PolicyFormValues): PolicyInput {
  const p = policyFromValues(v);
  return { ...p, code: p.code || 'preview', name: p.name || 'preview' };
}

/**
 * Levels whose delays do not grow. Each delay counts from the event, so a later level with a
 * shorter delay would fire before the one above it: almost always a mistake.
 */
export function levelsOutOfOrder(levels: Pick<LevelValues, 'delayMinutes'>[]): number[] {
  const bad: number[] = [];
  for (let i = 1; i < levels.length; i++) {
    if ((levels[i]?.delayMinutes ?? 0) < (levels[i - 1]?.delayMinutes ?? 0)) bad.push(i);
  }
  return bad;
}
