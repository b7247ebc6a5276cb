import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';

const TABS = ['/alarms', '/alarms/history', '/alarms/interlocks'] as const;

/** Active list, journal and interlock commands: three views of the alarm system under one menu entry. */
export function AlarmsTabs() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const current = TABS.find((p) => p === pathname.replace(/\/$/, '')) ?? '/alarms';
  return (
    <Segmented
      value={current}
      onChange={(v) => navigate(v)}
      options={[
        { value: '/alarms', label: t('alarms.tab.active') },
        { value: '/alarms/history', label: t('alarms.tab.history') },
        { value: '/alarms/interlocks', label: t('alarms.tab.interlocks') },
      ]}
    />
  );
}
