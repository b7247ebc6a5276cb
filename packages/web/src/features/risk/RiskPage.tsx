import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Placeholder: filled in by issue 8. */
export function RiskPage() {
  const { t } = useTranslation();
  return <Typography.Title level={4}>{t('nav.risk')}</Typography.Title>;
}
