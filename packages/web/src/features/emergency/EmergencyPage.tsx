import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Placeholder until the page is built. */
export function EmergencyPage() {
  const { t } = useTranslation();
  return <Typography.Title level={3}>{t('emergency.title')}</Typography.Title>;
}
