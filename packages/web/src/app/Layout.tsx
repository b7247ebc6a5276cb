import {
  ApiOutlined,
  KeyOutlined,
  LaptopOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuOutlined,
  MenuUnfoldOutlined,
  MessageOutlined,
  SafetyOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Button, Drawer, Dropdown, Grid, Layout, Menu, type MenuProps, Space, Typography, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { AlarmBell } from '../features/alarms/AlarmBell';
import { useLogout } from '../features/auth/api';
import { ChangePasswordModal } from '../features/auth/ChangePassword';
import { SessionsModal } from '../features/auth/SessionsModal';
import { NotifyBell } from '../features/notify/NotifyBell';
import { canAnywhere, useMe } from './auth';
import { LanguageSwitch } from './LanguageSwitch';
import { NAV } from './nav';

const SIDER_WIDTH = 220;

export function AppLayout() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const { data: me } = useMe();
  const screens = Grid.useBreakpoint();
  // Phones get the menu in a drawer; useBreakpoint is empty on the very first render.
  const phone = screens.md === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [dialog, setDialog] = useState<'password' | 'sessions' | null>(null);
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();

  const items: MenuProps['items'] = NAV.map((group) => ({
    group,
    children: group.items.filter((i) => !i.permission || canAnywhere(me, i.permission)),
  }))
    .filter((g) => g.children.length > 0)
    .map(({ group, children }) => ({
      type: 'group' as const,
      key: group.key,
      label: collapsed && !phone ? null : t(group.label),
      children: children.map((i) => ({ key: i.path, icon: i.icon, label: t(i.label) })),
    }));
  const selected = `/${location.pathname.split('/')[1] ?? ''}`;
  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[selected]}
      items={items}
      onClick={({ key }) => {
        navigate(key);
        setDrawerOpen(false);
      }}
    />
  );
  const brand = (
    <div
      style={{
        height: 56,
        display: 'flex',
        alignItems: 'center',
        gap: 8,
        padding: '0 20px',
        color: '#fff',
        fontWeight: 600,
        fontSize: 18,
        whiteSpace: 'nowrap',
        overflow: 'hidden',
      }}
    >
      <SafetyOutlined style={{ color: token.colorPrimary, fontSize: 22 }} />
      {(!collapsed || phone) && <span>Aegis</span>}
    </div>
  );

  const userMenu: MenuProps = {
    items: [
      { key: 'password', icon: <KeyOutlined />, label: t('header.changePassword') },
      { key: 'sessions', icon: <LaptopOutlined />, label: t('header.sessions') },
      { key: 'notifySettings', icon: <MessageOutlined />, label: t('notify.profile.title') },
      // The OpenAPI document of the server, for integrators (served by the server at /api/docs).
      {
        key: 'apiDocs',
        icon: <ApiOutlined />,
        label: (
          <a href="/api/docs" target="_blank" rel="noopener noreferrer" data-testid="api-docs-link">
            {t('header.apiDocs')}
          </a>
        ),
      },
      { type: 'divider' },
      { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout'), danger: true },
    ],
    onClick: ({ key }) => {
      if (key === 'apiDocs') return;
      if (key === 'notifySettings') {
        navigate('/notifications/settings');
        return;
      }
      if (key === 'logout')
        logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });
      else setDialog(key as 'password' | 'sessions');
    },
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!phone && (
        <Layout.Sider
          width={SIDER_WIDTH}
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          trigger={null}
          style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
        >
          {brand}
          {menu}
        </Layout.Sider>
      )}
      {phone && (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={SIDER_WIDTH + 40}
          closable={false}
          styles={{ body: { padding: 0, background: '#001529' } }}
        >
          {brand}
          {menu}
        </Drawer>
      )}
      <Layout>
        <Layout.Header
          style={{
            position: 'sticky',
            top: 0,
            zIndex: 10,
            display: 'flex',
            alignItems: 'center',
            gap: 8,
            height: 56,
            lineHeight: '56px',
            padding: phone ? '0 8px' : '0 16px',
            background: token.colorBgContainer,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          <Button
            type="text"
            aria-label={t('header.menu')}
            data-testid="menu-toggle"
            icon={phone ? <MenuOutlined /> : collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
            onClick={() => (phone ? setDrawerOpen(true) : setCollapsed(!collapsed))}
          />
          <Typography.Text strong ellipsis style={{ flex: 1, minWidth: 0 }}>
            {t('app.title')}
          </Typography.Text>
          <Space size={phone ? 0 : 4}>
            <AlarmBell />
            <NotifyBell />
            <LanguageSwitch compact={phone} />
            <Dropdown menu={userMenu} trigger={['click']}>
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                {phone ? null : me?.displayName}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 8 : 20, minWidth: 0 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={dialog === 'password'} onClose={() => setDialog(null)} />
      <SessionsModal open={dialog === 'sessions'} onClose={() => setDialog(null)} />
    </Layout>
  );
}
