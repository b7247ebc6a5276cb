import type { Locale, NotifyEventKind, NotifyProfile, Permission, Recipient } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { can, canAnywhere, grantsOf, holdersOfRoleAt } from '../access/index.js';
import { activePeople } from '../users/index.js';
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
  return kind.startsWith('connector.') ? 'tag.read' : 'alarm.read';
}

/**
 * The people a level's recipients name, at the event's place and the given moment; each person
 * once, and only those who may see the event there (a message must not show an alarm of another
 * workshop to somebody the alarm list would not show it to).
 */
export async function resolveRecipients(
  db: Db,
  recipients: Recipient[],
  where: { path: string | null; at: Date; permission?: Permission },
  onDuty: OnDutyLookup,
): Promise<Resolved> {
  const found = new Map<number, string>();
  const notes: string[] = [];
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
        add([r.userId], 'user');
        break;
      case 'role': {
        const ids = await holdersOfRoleAt(db, r.roleId, where.path);
        if (!ids.length) notes.push(`nobody holds role #${r.roleId} at this place`);
        add(ids, `role #${r.roleId}`);
        break;
      }
      case 'post':
        add(
          (await activePeople(db, { postId: r.postId })).map((u) => u.id),
          `post #${r.postId}`,
        );
        break;
      case 'team':
        add(
          (await activePeople(db, { teamId: r.teamId })).map((u) => u.id),
          `team #${r.teamId}`,
        );
        break;
      case 'shift_team': {
        const d = await dutyNow();
        if (!d?.teamId) notes.push('no team on shift here now (roster empty)');
        else add(d.memberIds, `shift team (${d.shiftName})`);
        break;
      }
      case 'shift_leader': {
        const d = await dutyNow();
        if (!d?.leaderId) notes.push('the team on shift has no leader (or no roster)');
        else add([d.leaderId], `team lead on shift (${d.shiftName})`);
        break;
      }
      case 'on_call': {
        const d = await dutyNow();
        if (!d?.onCallUserId) notes.push('nobody on call here now (roster empty)');
        else add([d.onCallUserId], `on call (${d.shiftName})`);
        break;
      }
    }
  }
  const ids = [...found.keys()];
  if (!ids.length) return { people: [], notes };
  const users = await activePeople(db, { ids });
  const profiles = new Map((await repo.profiles(db, ids)).map((p) => [Number(p.user_id), p]));
  const inactive = ids.filter((id) => !users.some((u) => u.id === id));
  if (inactive.length) notes.push(`not active or unknown: user ${inactive.join(', ')}`);
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
    else notes.push(`${u.display_name} may not see this here (no ${permission}): left out`);
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
