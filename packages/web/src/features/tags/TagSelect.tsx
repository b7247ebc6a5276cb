import { useQueries, useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../app/i18n';
import { type TagRow, tagQuery, tagsQuery } from './api';

/** "EQUIPMENT.TAG", the reference alarm rules and the ingest API use. */
export const tagRef = (t: Pick<TagRow, 'equipmentCode' | 'code'>) => `${t.equipmentCode}.${t.code}`;

export function tagLabel(t: TagRow): string {
  const name = currentLanguage() === 'en-US' ? t.nameEn || t.nameZh : t.nameZh || t.nameEn;
  return `${tagRef(t)} · ${name}${t.unit ? ` (${t.unit})` : ''}`;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

interface Common {
  placeholder?: string;
  id?: string;
  /** Only tags of this equipment. */
  equipmentId?: number;
  disabled?: boolean;
  style?: React.CSSProperties;
  'aria-label'?: string;
}

/** Searches tags by code or name on the server; selected tags keep their labels across searches. */
export function TagSelect(
  props: Common &
    (
      | { mode?: undefined; value?: number | null; onChange?: (v: number | null, tag?: TagRow) => void }
      | {
          mode: 'multiple';
          value?: number[];
          onChange?: (v: number[], tags: TagRow[]) => void;
          maxCount?: number;
        }
    ),
) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const found = useQuery(tagsQuery({ q: q || undefined, equipmentId: props.equipmentId, limit: 30 }));
  const selectedIds = useMemo(
    () => (props.mode === 'multiple' ? (props.value ?? []) : props.value ? [props.value] : []),
    [props.mode, props.value],
  );
  const listed = new Map((found.data?.items ?? []).map((r) => [r.id, r]));
  const missing = selectedIds.filter((id) => !listed.has(id));
  const fetched = useQueries({ queries: missing.map((id) => tagQuery(id)) });
  const known = new Map(listed);
  for (const f of fetched) if (f.data) known.set(f.data.id, f.data);

  const options = [
    ...selectedIds.filter((id) => !listed.has(id)).map((id) => known.get(id) ?? id),
    ...(found.data?.items ?? []),
  ].map((r) => (typeof r === 'number' ? { value: r, label: `#${r}` } : { value: r.id, label: tagLabel(r) }));

  const common = {
    id: props.id,
    showSearch: { filterOption: false, onSearch: setSearch },
    loading: found.isFetching,
    options,
    placeholder: props.placeholder ?? t('tags.search'),
    notFoundContent: found.isFetching ? null : t('tags.noMatch'),
    disabled: props.disabled,
    style: { width: '100%', ...props.style },
    'aria-label': props['aria-label'],
    allowClear: true,
    popupMatchSelectWidth: false,
  };
  if (props.mode === 'multiple') {
    const { onChange, maxCount } = props;
    return (
      <Select<number[]>
        {...common}
        mode="multiple"
        maxCount={maxCount}
        value={props.value ?? []}
        onChange={(ids) =>
          onChange?.(
            ids,
            ids.map((id) => known.get(id)).filter((r): r is TagRow => !!r),
          )
        }
      />
    );
  }
  const { onChange } = props;
  return (
    <Select<number | null>
      {...common}
      value={props.value ?? null}
      onChange={(id) => onChange?.(id ?? null, id ? known.get(id) : undefined)}
    />
  );
}

/** A tag's "EQUIPMENT.TAG" reference, looked up by id (cached), for lists that carry only the id. */
export function TagName({ id, fallback }: { id: number; fallback?: string }) {
  const tag = useQuery({ ...tagQuery(id), enabled: !fallback, meta: { silent: true } });
  if (fallback) return <code>{fallback}</code>;
  return (
    <code title={tag.data ? tagLabel(tag.data) : undefined}>{tag.data ? tagRef(tag.data) : `#${id}`}</code>
  );
}
