import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { canAnywhere, useMe } from '../../app/auth';
import { usersQuery } from './api';

/** Names of the users in your scope, for tables that show a user id (team leader). */
export function useUserNames() {
  const { data: me } = useMe();
  const users = useQuery({
    ...usersQuery({ limit: 1000, offset: 0 }),
    enabled: canAnywhere(me, 'user.read'),
  });
  return (id: number | null) => {
    if (id === null) return '—';
    return users.data?.items.find((u) => u.id === id)?.displayName ?? `#${id}`;
  };
}

/** Picks one user, searching the server by name, username or employee number. */
export function UserSelect(props: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  id?: string;
}) {
  const [q, setQ] = useState('');
  const users = useQuery(usersQuery({ q: q || undefined, limit: 20, offset: 0 }));
  const current = useQuery({ ...usersQuery({ limit: 1000, offset: 0 }), enabled: !!props.value });
  const options = new Map<number, string>();
  const chosen = current.data?.items.find((u) => u.id === props.value);
  if (chosen) options.set(chosen.id, `${chosen.displayName} (${chosen.username})`);
  for (const u of users.data?.items ?? []) options.set(u.id, `${u.displayName} (${u.username})`);
  return (
    <Select<number>
      id={props.id}
      allowClear
      value={props.value ?? undefined}
      onChange={(v) => props.onChange?.(v ?? null)}
      showSearch={{ filterOption: false, onSearch: setQ }}
      loading={users.isFetching}
      options={[...options].map(([value, label]) => ({ value, label }))}
    />
  );
}
