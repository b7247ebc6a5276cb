import { Card, Tabs } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useParams } from 'react-router';
import { BoardTab } from './BoardTab';
import { CheckpointsTab } from './CheckpointsTab';
import { PlansTab } from './PlansTab';
import { RoutesTab } from './RoutesTab';
import { TasksTab } from './TasksTab';
import { TemplatesTab } from './TemplatesTab';

export const INSPECTION_TABS = ['board', 'tasks', 'plans', 'routes', 'checkpoints', 'templates'] as const;
export type InspectionTab = (typeof INSPECTION_TABS)[number];

const PANES: Record<InspectionTab, () => ReactNode> = {
  board: BoardTab,
  tasks: TasksTab,
  plans: PlansTab,
  routes: RoutesTab,
  checkpoints: CheckpointsTab,
  templates: TemplatesTab,
};

/** 点检巡检: the board, tasks, and the master data they come from (plans, routes, checkpoints, templates). */
export function InspectionPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { tab } = useParams();
  if (!INSPECTION_TABS.includes(tab as InspectionTab)) return <Navigate to="/inspection/board" replace />;
  return (
    <Card size="small" title={t('nav.inspection')} styles={{ body: { paddingTop: 0 } }}>
      <Tabs
        activeKey={tab}
        onChange={(k) => void navigate(`/inspection/${k}`)}
        destroyOnHidden
        items={INSPECTION_TABS.map((k) => {
          const Pane = PANES[k];
          return { key: k, label: t(`inspection.tab.${k}`), children: <Pane /> };
        })}
      />
    </Card>
  );
}
