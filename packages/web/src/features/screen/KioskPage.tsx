import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { kioskQuery, openKioskSession } from './api';
import { ScreenView, useScreenLive } from './ScreenView';
import './screen.css';

/**
 * The big screen on a kiosk: opened at /kiosk#<token>. The token (in the fragment, never sent in a
 * URL) is exchanged for a read-only session cookie; the screen then reloads its data by itself.
 */
export function KioskPage() {
  const { t } = useTranslation();
  const [ready, setReady] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    const token = decodeURIComponent(window.location.hash.replace(/^#/, ''));
    if (!token) {
      setReady(true); // a kiosk whose cookie is still valid
      return;
    }
    openKioskSession(token)
      .then(() => setReady(true))
      .catch((e: { status?: number; message?: string }) =>
        e.status === 401 ? setRefused(t('screen.kioskRefused')) : setRefused(e.message ?? String(e)),
      );
  }, [t]);
  if (refused) return <Message text={refused} />;
  if (!ready) return <Message text={t('screen.loading')} />;
  return <KioskScreen />;
}

function KioskScreen() {
  const { t } = useTranslation();
  const q = useQuery(kioskQuery);
  const { stale, now } = useScreenLive(q.refetch, q.dataUpdatedAt, q.isError);
  if (q.error && (q.error as { status?: number }).status === 401 && !q.data)
    return <Message text={t('screen.kioskRefused')} />;
  if (!q.data) return <Message text={q.error ? t('screen.stale') : t('screen.loading')} />;
  return <ScreenView screen={q.data.screen} data={q.data.data} stale={stale} now={now} />;
}

function Message({ text }: { text: string }) {
  return (
    <div className="aegis-screen" style={{ display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      <div style={{ fontSize: '2em' }} data-testid="kiosk-message">
        {text}
      </div>
    </div>
  );
}
