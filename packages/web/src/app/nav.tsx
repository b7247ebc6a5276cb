import type { Permission } from '@aegis/shared';
import {
  AlertOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  BarChartOutlined,
  CheckSquareOutlined,
  ClusterOutlined,
  DashboardOutlined,
  FilePdfOutlined,
  FireOutlined,
  FundProjectionScreenOutlined,
  HeatMapOutlined,
  HomeOutlined,
  LineChartOutlined,
  LockOutlined,
  MessageOutlined,
  NotificationOutlined,
  ReadOutlined,
  SafetyCertificateOutlined,
  ScheduleOutlined,
  SolutionOutlined,
  StockOutlined,
  TagsOutlined,
  TeamOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';

export interface NavItem {
  path: string;
  /** i18n key of the label */
  label: string;
  icon: ReactNode;
  /** shown only to users holding this permission somewhere; none: every signed-in user */
  permission?: Permission;
}

export interface NavGroup {
  key: string;
  label: string;
  items: NavItem[];
}

/** The menu, by group; a group with no item the user may see is not shown. */
export const NAV: NavGroup[] = [
  {
    key: 'operations',
    label: 'nav.group.operations',
    items: [
      { path: '/overview', label: 'nav.overview', icon: <HomeOutlined /> },
      { path: '/live', label: 'nav.live', icon: <DashboardOutlined />, permission: 'tag.read' },
      { path: '/alarms', label: 'nav.alarms', icon: <AlertOutlined />, permission: 'alarm.read' },
      { path: '/trends', label: 'nav.trends', icon: <LineChartOutlined />, permission: 'tag.read' },
      { path: '/notifications', label: 'nav.notifications', icon: <MessageOutlined /> },
    ],
  },
  {
    key: 'safety',
    label: 'nav.group.safety',
    items: [
      {
        path: '/my-tasks',
        label: 'nav.myTasks',
        icon: <ScheduleOutlined />,
        permission: 'inspection.perform',
      },
      {
        path: '/inspection',
        label: 'nav.inspection',
        icon: <CheckSquareOutlined />,
        permission: 'inspection.read',
      },
      { path: '/hazards', label: 'nav.hazards', icon: <WarningOutlined />, permission: 'hazard.read' },
      { path: '/risk', label: 'nav.risk', icon: <HeatMapOutlined />, permission: 'risk.read' },
      { path: '/permits', label: 'nav.permits', icon: <SolutionOutlined />, permission: 'permit.read' },
      { path: '/emergency', label: 'nav.emergency', icon: <FireOutlined />, permission: 'emergency.read' },
      { path: '/sop', label: 'nav.sop', icon: <LockOutlined />, permission: 'sop.read' },
    ],
  },
  {
    key: 'analysis',
    label: 'nav.group.analysis',
    items: [
      {
        path: '/screens',
        label: 'nav.screens',
        icon: <FundProjectionScreenOutlined />,
        permission: 'screen.read',
      },
      { path: '/kpi', label: 'nav.kpi', icon: <BarChartOutlined />, permission: 'report.read' },
      { path: '/analysis', label: 'nav.analysis', icon: <StockOutlined />, permission: 'report.read' },
      { path: '/training', label: 'nav.training', icon: <ReadOutlined />, permission: 'training.read' },
      { path: '/reports', label: 'nav.reports', icon: <FilePdfOutlined />, permission: 'report.read' },
    ],
  },
  {
    key: 'masterData',
    label: 'nav.group.masterData',
    items: [
      { path: '/plant', label: 'nav.plant', icon: <ClusterOutlined />, permission: 'plant.read' },
      { path: '/org', label: 'nav.org', icon: <ApartmentOutlined />, permission: 'org.read' },
      { path: '/tags', label: 'nav.tags', icon: <TagsOutlined />, permission: 'tag.read' },
    ],
  },
  {
    key: 'admin',
    label: 'nav.group.admin',
    items: [
      { path: '/connectors', label: 'nav.connectors', icon: <ApiOutlined />, permission: 'connector.manage' },
      { path: '/notify', label: 'nav.notify', icon: <NotificationOutlined />, permission: 'notify.read' },
      { path: '/users', label: 'nav.users', icon: <TeamOutlined />, permission: 'user.read' },
      { path: '/roles', label: 'nav.roles', icon: <SafetyCertificateOutlined />, permission: 'role.read' },
      { path: '/audit', label: 'nav.audit', icon: <AuditOutlined />, permission: 'audit.read' },
    ],
  },
];
