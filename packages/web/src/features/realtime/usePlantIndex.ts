import type { PlantNode } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, pathIds, useMe } from '../../app/auth';
import { plantNodesQuery } from '../plant/api';

/**
 * Plant nodes by id, to name the equipment and area of alarms and tags. Empty without
 * plant.read: callers then show the bare id.
 */
export function usePlantIndex() {
  const { data: me } = useMe();
  const nodes = useQuery({ ...plantNodesQuery, enabled: canAnywhere(me, 'plant.read') });
  const { i18n } = useTranslation();
  const en = i18n.language === 'en-US';
  return useMemo(() => {
    const name = (r: PlantNode) => (en ? r.nameEn || r.nameZh : r.nameZh || r.nameEn);
    const byId = new Map<number, PlantNode>((nodes.data ?? []).map((n) => [n.id, n]));
    return {
      byId,
      /** The node's name in the UI language, or "#id". */
      label: (id: number | null | undefined) => {
        if (id === null || id === undefined) return '—';
        const n = byId.get(id);
        return n ? name(n) : `#${id}`;
      },
      /** Is node `id` the node `ancestorId` or below it? */
      isUnder: (id: number, ancestorId: number) => {
        const n = byId.get(id);
        return id === ancestorId || (!!n && pathIds(n.path).includes(ancestorId));
      },
    };
  }, [nodes.data, en]);
}
