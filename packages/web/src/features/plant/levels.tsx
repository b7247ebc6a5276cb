import { ALLOWED_PARENT, type NodeStatus, PLANT_LEVELS, type PlantLevel } from '@aegis/shared';
import {
  ApartmentOutlined,
  AppstoreOutlined,
  BankOutlined,
  EnvironmentOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export const LEVEL_ICON: Record<PlantLevel, ReactNode> = {
  enterprise: <BankOutlined />,
  site: <EnvironmentOutlined />,
  area: <AppstoreOutlined />,
  line: <ApartmentOutlined />,
  equipment: <ToolOutlined />,
};

export const STATUS_COLOR: Record<NodeStatus, string> = {
  in_service: 'green',
  maintenance: 'orange',
  out_of_service: 'red',
};

/** The levels a new child of a node at `level` may have (ALLOWED_PARENT read backwards). */
export function childLevels(level: PlantLevel): PlantLevel[] {
  return PLANT_LEVELS.filter((l) => ALLOWED_PARENT[l].includes(level));
}

export function StatusTag({ status }: { status: NodeStatus }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLOR[status]}>{t(`plant.status.${status}`)}</Tag>;
}

export function LevelTag({ level }: { level: PlantLevel }) {
  const { t } = useTranslation();
  return <Tag icon={LEVEL_ICON[level]}>{t(`plant.level.${level}`)}</Tag>;
}
