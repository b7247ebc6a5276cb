import type { Recipient } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { orgListQuery } from '../org/api';
import { rolesQuery, usersQuery } from '../users/api';
import { recipientKey } from './policyForm';
import { type RecipientNames, recipientLabel } from './present';

const SHIFT_TYPES = ['shift_team', 'shift_leader', 'on_call', 'assignee'] as const;

/**
 * Everything a level can notify, as grouped select options (shift-based first: they follow the
 * roster), and a function naming a recipient. Lists the user may not read are left out.
 */
export function useRecipients() {
  const { t } = useTranslation();
  const localName = useLocalName();
  const { data: me } = useMe();
  const users = useQuery({
    ...usersQuery({ limit: 1000, offset: 0 }),
    enabled: canAnywhere(me, 'user.read'),
  });
  const roles = useQuery({ ...rolesQuery, enabled: canAnywhere(me, 'role.read') });
  const posts = useQuery({ ...orgListQuery('posts'), enabled: canAnywhere(me, 'org.read') });
  const teams = useQuery({ ...orgListQuery('teams'), enabled: canAnywhere(me, 'org.read') });

  const names: RecipientNames = {
    user: (id) => users.data?.items.find((u) => u.id === id)?.displayName,
    role: (id) => {
      const r = roles.data?.find((x) => x.id === id);
      return r ? localName(r) : undefined;
    },
    post: (id) => posts.data?.find((x) => x.id === id)?.name,
    team: (id) => teams.data?.find((x) => x.id === id)?.name,
  };
  const label = (r: Recipient) => recipientLabel(r, names, t);
  const group = (key: string, items: Recipient[]) => ({
    label: t(`notify.recipient.group.${key}`),
    title: key,
    options: items.map((r) => ({ value: recipientKey(r), label: label(r) })),
  });
  const options = [
    group(
      'shift',
      SHIFT_TYPES.map((type) => ({ type })),
    ),
    group(
      'role',
      (roles.data ?? []).map((r) => ({ type: 'role' as const, roleId: r.id })),
    ),
    group(
      'post',
      (posts.data ?? []).map((p) => ({ type: 'post' as const, postId: p.id })),
    ),
    group(
      'team',
      (teams.data ?? []).map((x) => ({ type: 'team' as const, teamId: x.id })),
    ),
    group(
      'user',
      (users.data?.items ?? [])
        .filter((u) => u.active && u.kind === 'person')
        .map((u) => ({ type: 'user' as const, userId: u.id })),
    ),
  ].filter((g) => g.options.length > 0);
  return {
    options,
    label,
    loading: users.isLoading || roles.isLoading || posts.isLoading || teams.isLoading,
  };
}
