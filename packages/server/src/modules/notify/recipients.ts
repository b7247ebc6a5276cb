import type { Locale, NotifyEventKind, NotifyProfile, Permission, Recipient } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { can, canAnywhere, grantsOf, holdersOfRoleAt } from '../access/index.js';
import { activePeople } from '../users/index.js';
import type { EventAssignee } from './repo.js';
import * as repo from './repo.js';

/** Who is on shift at a place and moment (the org module's roster). */
export interface OnDuty {
  shiftName: string;
  teamId: number | null;
  teamName: string | null;
  leaderId: number | null;
  onCallUserId: number | null;
  memberIds: number[];
}
export type OnDutyLookup = (path: string, at: Date, db: Db) => Promise<OnDuty | null>;

export interface Person {
  userId: number;
  name: string;
  locale: Locale;
  profile: NotifyProfile;
  /** How the person was found ("role 安环专员", "on call (夜班)"), for the preview and the log. */
  via: string;
}

export interface Resolved {
  people: Person[];
  /** Why a recipient reached nobody: shown in the preview, logged by the worker. */
  notes: string[];
}

/** What a person must hold to be told of an event: what they could see of it in Aegis itself. */
export function permissionFor(kind: NotifyEventKind): Permission {
  if (kind.startsWith('connector.')) return 'tag.read';
  if (kind.startsWith('inspection.')) return 'inspection.read';
  if (kind.startsWith('hazard.')) return 'hazard.read';
  if (kind.startsWith('permit.')) return 'permit.read';
  if (kind.startsWith('emergency.')) return 'emergency.read';
  if (kind.startsWith('lockout.')) return 'sop.read';
  if (kind.startsWith('training.')) return 'training.read';
  if (kind.startsWith('report.')) return 'report.read';
  return 'alarm.read';
}

/**
 * The people a level's recipients name, at the event's place and the given moment; each person
 * once, and only those who may see the event there (a message must not show an alarm of another
 * workshop to somebody the alarm list would not show it to).
 */
export async function resolveRecipients(
  db: Db,
  recipients: Recipient[],
  where: {
    path: string | null;
    at: Date;
    permission?: Permission;
    locale?: Locale;
    /** the event's assignee; undefined in a preview without an event */
    assignee?: EventAssignee;
  },
  onDuty: OnDutyLookup,
): Promise<Resolved> {
  const found = new Map<number, string>();
  const notes: string[] = [];
  const w = WORDS[where.locale ?? 'zh-CN'];
  const nameOf = async (table: 'role' | 'post' | 'team', id: number) => {
    const col = table === 'role' ? (where.locale === 'en-US' ? 'name_en' : 'name_zh') : 'name';
    const [row] = await db.query<{ n: string }>(`SELECT ${col} AS n FROM ${table} WHERE id = $1`, [id]);
    return row?.n ?? `#${id}`;
  };
  const add = (ids: number[], via: string) => {
    for (const id of ids) if (!found.has(id)) found.set(id, via);
  };
  let duty: OnDuty | null | undefined;
  const dutyNow = async () => {
    if (duty === undefined) duty = where.path ? await onDuty(where.path, where.at, db) : null;
    return duty;
  };
  for (const r of recipients) {
    switch (r.type) {
      case 'user':
        add([r.userId], w.user);
        break;
      case 'role': {
        const ids = await holdersOfRoleAt(db, r.roleId, where.path);
        const name = await nameOf('role', r.roleId);
        if (!ids.length) notes.push(w.noRole(name));
        add(ids, w.role(name));
        break;
      }
      case 'post':
        add(
          (await activePeople(db, { postId: r.postId })).map((u) => u.id),
          w.post(await nameOf('post', r.postId)),
        );
        break;
      case 'team':
        add(
          (await activePeople(db, { teamId: r.teamId })).map((u) => u.id),
          w.team(await nameOf('team', r.teamId)),
        );
        break;
      case 'shift_team': {
        const d = await dutyNow();
        if (!d?.teamId) notes.push(w.noShiftTeam);
        else add(d.memberIds, w.shiftTeam(d.teamName ?? '', d.shiftName));
        break;
      }
      case 'shift_leader': {
        const d = await dutyNow();
        if (!d?.leaderId) notes.push(w.noLeader);
        else add([d.leaderId], w.shiftLeader(d.teamName ?? '', d.shiftName));
        break;
      }
      case 'on_call': {
        const d = await dutyNow();
        if (!d?.onCallUserId) notes.push(w.noOnCall);
        else add([d.onCallUserId], w.onCall(d.shiftName));
        break;
      }
      case 'assignee': {
        const a = where.assignee;
        if (!a) {
          notes.push(w.assigneeLater);
          break;
        }
        const ids = [
          ...(a.userIds ?? []),
          ...(a.postId ? (await activePeople(db, { postId: a.postId })).map((u) => u.id) : []),
          ...(a.teamId ? (await activePeople(db, { teamId: a.teamId })).map((u) => u.id) : []),
        ];
        if (!ids.length) notes.push(w.noAssignee);
        add(ids, w.assignee);
        break;
      }
    }
  }
  const ids = [...found.keys()];
  if (!ids.length) return { people: [], notes };
  const users = await activePeople(db, { ids });
  const profiles = new Map((await repo.profiles(db, ids)).map((p) => [Number(p.user_id), p]));
  const inactive = ids.filter((id) => !users.some((u) => u.id === id));
  if (inactive.length) notes.push(w.inactive(inactive.join(', ')));
  const permission = where.permission;
  const allowed = [];
  for (const u of users) {
    if (!permission) {
      allowed.push(u);
      continue;
    }
    const actor = { grants: await grantsOf(db, u.id) } as Parameters<typeof can>[0];
    const sees = where.path === null ? canAnywhere(actor, permission) : can(actor, permission, where.path);
    if (sees) allowed.push(u);
    else notes.push(w.mayNotSee(u.display_name, permission));
  }
  const people = allowed.map((u) => {
    const p = profiles.get(u.id);
    return {
      userId: u.id,
      name: u.display_name,
      locale: u.locale,
      via: found.get(u.id) ?? '',
      profile: {
        email: u.email,
        mobile: u.phone,
        wecomUserId: p?.wecom_user_id ?? null,
        dingtalkUserId: p?.dingtalk_user_id ?? null,
        feishuUserId: p?.feishu_user_id ?? null,
        locale: u.locale,
        quietHours: p?.quiet_from && p.quiet_to ? { from: p.quiet_from, to: p.quiet_to } : null,
      },
    };
  });
  return { people, notes };
}

/** Why somebody is reached or left out, in the reader's language (the preview shows these). */
const WORDS = {
  'zh-CN': {
    user: '指定人员',
    role: (n: string) => `角色：${n}`,
    post: (n: string) => `岗位：${n}`,
    team: (n: string) => `班组：${n}`,
    shiftTeam: (team: string, shift: string) => `当班班组 ${team}（${shift}）`,
    shiftLeader: (team: string, shift: string) => `当班班组长 ${team}（${shift}）`,
    onCall: (shift: string) => `值班人员（${shift}）`,
    noRole: (n: string) => `此处无人担任角色「${n}」`,
    noShiftTeam: '此处当前没有当班班组（排班为空）',
    noLeader: '当班班组没有班组长（或没有排班）',
    noOnCall: '此处当前没有值班人员（排班为空）',
    assignee: '记录的责任人',
    assigneeLater: '记录的责任人（事件发生时按记录确定）',
    noAssignee: '该记录没有指定责任人',
    inactive: (ids: string) => `用户已停用或不存在：${ids}`,
    mayNotSee: (name: string, p: string) => `${name} 无权在此处查看该事件（缺少 ${p}），不发送`,
  },
  'en-US': {
    user: 'named person',
    role: (n: string) => `role: ${n}`,
    post: (n: string) => `post: ${n}`,
    team: (n: string) => `team: ${n}`,
    shiftTeam: (team: string, shift: string) => `team on shift ${team} (${shift})`,
    shiftLeader: (team: string, shift: string) => `team lead on shift, ${team} (${shift})`,
    onCall: (shift: string) => `on call (${shift})`,
    noRole: (n: string) => `nobody holds the role "${n}" at this place`,
    noShiftTeam: 'no team on shift here now (roster empty)',
    noLeader: 'the team on shift has no leader (or no roster)',
    noOnCall: 'nobody on call here now (roster empty)',
    assignee: 'the person responsible for the record',
    assigneeLater: 'the person responsible for the record (known when the event happens)',
    noAssignee: 'the record names nobody responsible',
    inactive: (ids: string) => `not active or unknown: user ${ids}`,
    mayNotSee: (name: string, p: string) => `${name} may not see this here (no ${p}): left out`,
  },
} satisfies Record<Locale, unknown>;
