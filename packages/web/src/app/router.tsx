import { createBrowserRouter } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { FullPageSpin, HomeRedirect, NotFound, RequireAuth, RequirePermission, RouteError } from './guards';
import { AppLayout } from './Layout';

// Feature pages load on first visit, so the login page stays small.
export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, ErrorBoundary: RouteError },
  // Big screens fill the display: no menu. /kiosk opens with a kiosk token (no sign-in, read-only);
  // /screens/:id/show is the same screen for a signed-in user.
  {
    path: '/kiosk',
    HydrateFallback: FullPageSpin,
    ErrorBoundary: RouteError,
    lazy: async () => ({ Component: (await import('../features/screen/KioskPage')).KioskPage }),
  },
  {
    path: '/screens/:id/show',
    HydrateFallback: FullPageSpin,
    ErrorBoundary: RouteError,
    element: (
      <RequireAuth>
        <RequirePermission permission="screen.read" />
      </RequireAuth>
    ),
    children: [
      {
        index: true,
        lazy: async () => ({ Component: (await import('../features/screen/ScreenShowPage')).ScreenShowPage }),
      },
    ],
  },
  {
    path: '/',
    HydrateFallback: FullPageSpin,
    ErrorBoundary: RouteError,
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      // The landing overview: every signed-in user, filled with what they may read.
      {
        path: 'overview',
        lazy: async () => ({ Component: (await import('../features/overview/OverviewPage')).OverviewPage }),
      },
      // Operations: live view, trends and tags need tag.read; alarms alarm.read; connectors connector.manage.
      {
        element: <RequirePermission permission="tag.read" />,
        children: [
          {
            path: 'live',
            lazy: async () => ({ Component: (await import('../features/live/LivePage')).LivePage }),
          },
          {
            path: 'trends',
            lazy: async () => ({ Component: (await import('../features/trends/TrendsPage')).TrendsPage }),
          },
          {
            path: 'tags',
            lazy: async () => ({ Component: (await import('../features/tags/TagsPage')).TagsPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="alarm.read" />,
        children: [
          {
            path: 'alarms',
            lazy: async () => ({ Component: (await import('../features/alarms/AlarmsPage')).AlarmsPage }),
          },
          {
            path: 'alarms/history',
            lazy: async () => ({
              Component: (await import('../features/alarms/AlarmHistoryPage')).AlarmHistoryPage,
            }),
          },
          {
            path: 'alarms/interlocks',
            lazy: async () => ({
              Component: (await import('../features/alarms/InterlocksPage')).InterlocksPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="connector.manage" />,
        children: [
          {
            path: 'connectors',
            lazy: async () => ({
              Component: (await import('../features/connectors/ConnectorsPage')).ConnectorsPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="plant.read" />,
        children: [
          {
            path: 'plant',
            lazy: async () => ({ Component: (await import('../features/plant/PlantPage')).PlantPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="org.read" />,
        children: [
          {
            path: 'org/:tab?',
            lazy: async () => ({ Component: (await import('../features/org/OrgPage')).OrgPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="user.read" />,
        children: [
          {
            path: 'users',
            lazy: async () => ({ Component: (await import('../features/users/UsersPage')).UsersPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="role.read" />,
        children: [
          {
            path: 'roles',
            lazy: async () => ({ Component: (await import('../features/users/RolesPage')).RolesPage }),
          },
        ],
      },
      // 通知: everyone has a notification centre and settings; channels, policies and the log need notify.*.
      {
        path: 'notifications',
        lazy: async () => ({
          Component: (await import('../features/notify/NotificationsPage')).NotificationsPage,
        }),
      },
      {
        path: 'notifications/settings',
        lazy: async () => ({ Component: (await import('../features/notify/ProfilePage')).ProfilePage }),
      },
      {
        element: <RequirePermission permission="notify.read" />,
        children: [
          {
            path: 'notify/:tab?',
            lazy: async () => ({
              Component: (await import('../features/notify/NotifyAdminPage')).NotifyAdminPage,
            }),
          },
        ],
      },
      // 安全管理 (issue 8): risk register, inspections, hidden dangers, and the inspector's phone pages.
      {
        element: <RequirePermission permission="risk.read" />,
        children: [
          {
            path: 'risk/:tab?',
            lazy: async () => ({ Component: (await import('../features/risk/RiskPage')).RiskPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="inspection.read" />,
        children: [
          {
            path: 'inspection/:tab?',
            lazy: async () => ({
              Component: (await import('../features/inspection/InspectionPage')).InspectionPage,
            }),
          },
          {
            path: 'inspection/tasks/:id',
            lazy: async () => ({
              Component: (await import('../features/inspection/TaskDetailPage')).TaskDetailPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="hazard.read" />,
        children: [
          {
            path: 'hazards',
            lazy: async () => ({ Component: (await import('../features/hazard/HazardsPage')).HazardsPage }),
          },
          {
            path: 'hazards/new',
            lazy: async () => ({
              Component: (await import('../features/hazard/HazardNewPage')).HazardNewPage,
            }),
          },
          {
            path: 'hazards/:id',
            lazy: async () => ({
              Component: (await import('../features/hazard/HazardDetailPage')).HazardDetailPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="permit.read" />,
        children: [
          {
            path: 'permits',
            lazy: async () => ({ Component: (await import('../features/permit/PermitsPage')).PermitsPage }),
          },
          {
            path: 'permits/new',
            lazy: async () => ({
              Component: (await import('../features/permit/PermitNewPage')).PermitNewPage,
            }),
          },
          {
            path: 'permits/:id',
            lazy: async () => ({
              Component: (await import('../features/permit/PermitDetailPage')).PermitDetailPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="emergency.read" />,
        children: [
          {
            path: 'emergency',
            lazy: async () => ({
              Component: (await import('../features/emergency/EmergencyPage')).EmergencyPage,
            }),
          },
          {
            path: 'emergency/runs/:id',
            lazy: async () => ({
              Component: (await import('../features/emergency/EmergencyRunPage')).EmergencyRunPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="report.read" />,
        children: [
          {
            path: 'kpi',
            lazy: async () => ({ Component: (await import('../features/kpi/AlarmKpiPage')).AlarmKpiPage }),
          },
          {
            path: 'analysis',
            lazy: async () => ({
              Component: (await import('../features/analysis/AnalysisPage')).AnalysisPage,
            }),
          },
          {
            path: 'reports',
            lazy: async () => ({ Component: (await import('../features/report/ReportsPage')).ReportsPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="training.read" />,
        children: [
          {
            path: 'training',
            lazy: async () => ({
              Component: (await import('../features/training/TrainingPage')).TrainingPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="screen.read" />,
        children: [
          {
            path: 'screens',
            lazy: async () => ({ Component: (await import('../features/screen/ScreensPage')).ScreensPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="screen.manage" />,
        children: [
          {
            path: 'screens/:id/edit',
            lazy: async () => ({
              Component: (await import('../features/screen/ScreenEditorPage')).ScreenEditorPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="sop.read" />,
        children: [
          {
            path: 'sop',
            lazy: async () => ({ Component: (await import('../features/sop/SopPage')).SopPage }),
          },
          {
            path: 'sop/runs/:id',
            lazy: async () => ({ Component: (await import('../features/sop/SopRunPage')).SopRunPage }),
          },
          {
            path: 'sop/lockouts/:id',
            lazy: async () => ({ Component: (await import('../features/sop/LockoutPage')).LockoutPage }),
          },
        ],
      },
      {
        element: <RequirePermission permission="inspection.perform" />,
        children: [
          {
            path: 'my-tasks',
            lazy: async () => ({
              Component: (await import('../features/fieldwork/MyTasksPage')).MyTasksPage,
            }),
          },
          {
            path: 'my-tasks/:id',
            lazy: async () => ({
              Component: (await import('../features/fieldwork/TaskRunPage')).TaskRunPage,
            }),
          },
        ],
      },
      {
        element: <RequirePermission permission="audit.read" />,
        children: [
          {
            path: 'audit',
            lazy: async () => ({ Component: (await import('../features/audit/AuditPage')).AuditPage }),
          },
        ],
      },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
