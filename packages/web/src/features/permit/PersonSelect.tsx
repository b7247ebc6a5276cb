import type { PermitPerson } from '@aegis/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api';

/** The people a permit may name, searched on the server (GET /api/permits/people: no user.read needed). */
export const permitPeopleQuery = (p: { q?: string | undefined; ids?: number[] }) => ({
  queryKey: ['permits', 'people', p.q ?? '', (p.ids ?? []).join(',')] as const,
  queryFn: () =>
    http.get<PermitPerson[]>('/api/permits/people', {
      q: p.q || undefined,
      ids: p.ids?.length ? p.ids.join(',') : undefined,
    }),
  placeholderData: keepPreviousData,
  staleTime: 60_000,
});

/** Picks one person by name, username or employee number. */
export function PersonSelect(props: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  id?: string;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const id = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(id);
  }, [search]);
  const found = useQuery(permitPeopleQuery({ q }));
  const chosen = useQuery({
    ...permitPeopleQuery({ ids: props.value ? [props.value] : [] }),
    enabled: !!props.value,
  });
  const options = new Map<number, string>();
  for (const u of [...(chosen.data ?? []), ...(found.data ?? [])])
    options.set(u.id, `${u.name} (${u.username})`);
  return (
    <Select<number>
      id={props.id}
      allowClear
      value={props.value ?? undefined}
      onChange={(v) => props.onChange?.(v ?? null)}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={found.isFetching}
      placeholder={props.placeholder ?? t('permit.form.personPh')}
      options={[...options].map(([value, label]) => ({ value, label }))}
    />
  );
}
