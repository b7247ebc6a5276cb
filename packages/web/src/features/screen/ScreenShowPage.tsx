import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { screenDataQuery, screenQuery } from './api';
import { ScreenView, useScreenLive } from './ScreenView';
import './screen.css';

/** The big screen for a signed-in user (screen.read at its node), full-screen without the menu. */
export function ScreenShowPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const screen = useQuery(screenQuery(id));
  const data = useQuery(screenDataQuery(id));
  const { stale, now } = useScreenLive(data.refetch, data.dataUpdatedAt, data.isError);
  if (!screen.data)
    return (
      <div
        className="aegis-screen"
        style={{ display: 'flex', alignItems: 'center', justifyContent: 'center' }}
      >
        <div style={{ fontSize: '2em' }}>{screen.error ? screen.error.message : t('screen.loading')}</div>
      </div>
    );
  return <ScreenView screen={screen.data} data={data.data} stale={stale} now={now} />;
}
