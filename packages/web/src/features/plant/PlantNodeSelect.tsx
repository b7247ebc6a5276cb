import type { PlantLevel, PlantTreeNode } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { TreeSelect } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocalName } from '../../app/i18n';
import { plantTreeQuery } from './api';
import { LEVEL_ICON } from './levels';

const WHOLE = 'whole-enterprise';

interface Option {
  value: number | string;
  title: string;
  icon?: React.ReactNode;
  disabled?: boolean;
  children?: Option[];
}

/**
 * Picks a plant node. With `wholeEnterprise`, the first option stands for "no node" (null),
 * e.g. a role granted across the whole enterprise.
 */
export function PlantNodeSelect(props: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  wholeEnterprise?: boolean;
  /** only nodes of these levels can be chosen; the others are shown for context */
  levels?: PlantLevel[];
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
}) {
  const { t } = useTranslation();
  const name = useLocalName();
  const tree = useQuery(plantTreeQuery);
  const toOption = (n: PlantTreeNode): Option => ({
    value: n.id,
    title: `${name(n)} (${n.code})`,
    icon: LEVEL_ICON[n.level],
    disabled: props.levels ? !props.levels.includes(n.level) : false,
    children: n.children.map(toOption),
  });
  const options: Option[] = [
    ...(props.wholeEnterprise ? [{ value: WHOLE, title: t('scope.wholeEnterprise') }] : []),
    ...(tree.data ?? []).map(toOption),
  ];
  const value = props.value === null && props.wholeEnterprise ? WHOLE : (props.value ?? undefined);
  return (
    <TreeSelect<number | string>
      id={props.id}
      value={value}
      onChange={(v) => props.onChange?.(v === WHOLE || v === undefined || v === null ? null : Number(v))}
      treeData={options}
      treeDefaultExpandAll
      treeIcon
      showSearch={{ treeNodeFilterProp: 'title' }}
      allowClear={props.allowClear}
      loading={tree.isLoading}
      placeholder={props.placeholder ?? t('scope.pickNode')}
      popupMatchSelectWidth={false}
      style={{ width: '100%' }}
    />
  );
}
