import type { PlantTreeNode } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { Badge, Empty, Input, Spin, Tree, type TreeDataNode, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocalName } from '../../app/i18n';
import { plantTreeQuery } from '../plant/api';
import { LEVEL_ICON } from '../plant/levels';

/**
 * The plant tree as far as the user's scope reaches (the API filters it); only equipment can be
 * picked unless `anyLevel`. `alarmCount` puts a red counter next to equipment with unacknowledged alarms.
 */
export function EquipmentTree({
  value,
  onChange,
  alarmCount,
  anyLevel = false,
}: {
  value: number | null;
  onChange: (id: number) => void;
  alarmCount?: (equipmentId: number) => number;
  anyLevel?: boolean;
}) {
  const { t } = useTranslation();
  const name = useLocalName();
  const tree = useQuery(plantTreeQuery);
  const [filter, setFilter] = useState('');

  const treeData = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const matches = (n: PlantTreeNode): boolean =>
      !q || `${n.code} ${n.nameZh} ${n.nameEn}`.toLowerCase().includes(q) || n.children.some(matches);
    const toData = (n: PlantTreeNode): TreeDataNode => {
      const count = n.level === 'equipment' ? (alarmCount?.(n.id) ?? 0) : 0;
      return {
        key: n.id,
        icon: LEVEL_ICON[n.level],
        selectable: anyLevel || n.level === 'equipment',
        title: (
          <span data-testid={`equipment-node-${n.id}`}>
            {name(n)}{' '}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {n.code}
            </Typography.Text>
            {count > 0 && <Badge count={count} size="small" style={{ marginLeft: 6 }} />}
          </span>
        ),
        children: n.children.filter(matches).map(toData),
      };
    };
    return (tree.data ?? []).filter(matches).map(toData);
  }, [tree.data, filter, name, alarmCount, anyLevel]);

  return (
    <>
      <Input.Search
        allowClear
        placeholder={t('plant.filter')}
        onChange={(e) => setFilter(e.target.value)}
        style={{ marginBottom: 8 }}
      />
      {tree.isLoading ? (
        <Spin />
      ) : treeData.length === 0 ? (
        <Empty description={t('plant.empty')} />
      ) : (
        <div style={{ overflowX: 'auto' }} data-testid="equipment-tree">
          <Tree
            showIcon
            blockNode
            defaultExpandAll
            key={filter ? 'filtered' : 'all'}
            treeData={treeData}
            selectedKeys={value ? [value] : []}
            onSelect={(keys) => {
              if (keys.length) onChange(Number(keys[0]));
            }}
          />
        </div>
      )}
    </>
  );
}
