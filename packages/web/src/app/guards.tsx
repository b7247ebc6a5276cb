import type { Permission } from '@aegis/shared';
import { Button, Result, Spin } from 'antd';
import { type ReactNode, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useRouteError } from 'react-router';
import { ForcedPasswordChange } from '../features/auth/ChangePassword';
import { canAnywhere, useMe } from './auth';
import { NAV } from './nav';

export function FullPageSpin() {
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center' }}>
      <Spin size="large" />
    </div>
  );
}

/** Signed-in users only; a user who must change the password sees only that form. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <FullPageSpin />;
  if (me.isError) {
    return (
      <Result
        status="error"
        title={t('common.loadFailed')}
        subTitle={me.error.message}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  if (!me.data) {
    const next =
      location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  if (me.data.passwordChangeRequired) return <ForcedPasswordChange />;
  return children;
}

export function RequirePermission({ permission }: { permission: Permission }) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  if (!canAnywhere(me, permission)) {
    return <Result status="403" title="403" subTitle={t('error.forbidden')} />;
  }
  return <Outlet />;
}

/** `/` opens the first page the user may see. */
export function HomeRedirect() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const first = NAV.flatMap((g) => g.items).find((i) => !i.permission || canAnywhere(me, i.permission));
  if (first) return <Navigate to={first.path} replace />;
  return <Result status="info" title={t('home.noPages')} subTitle={t('home.noPagesHint')} />;
}

export function NotFound() {
  const { t } = useTranslation();
  return <Result status="404" title="404" subTitle={t('common.notFound')} />;
}

const RELOADED = 'aegis.reloadedAfterUpgrade';
// What browsers say when a lazily loaded page chunk is gone (Chromium, Safari, Firefox).
const STALE_CHUNK =
  /dynamically imported module|Importing a module script failed|error loading dynamically imported module/i;

/**
 * A page that failed to load or to render. After an upgrade, a tab opened before it asks for page
 * chunks that no longer exist: it loads the new version (once a minute at most) instead of failing.
 */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  const reload =
    STALE_CHUNK.test(message) && Date.now() - Number(sessionStorage.getItem(RELOADED) ?? 0) > 60_000;
  useEffect(() => {
    if (!reload) return;
    sessionStorage.setItem(RELOADED, String(Date.now()));
    window.location.reload();
  }, [reload]);
  if (reload) return <FullPageSpin />;
  return (
    <Result
      status="error"
      title={t('common.loadFailed')}
      subTitle={message}
      extra={
        <Button type="primary" onClick={() => window.location.reload()}>
          {t('common.retry')}
        </Button>
      }
    />
  );
}
