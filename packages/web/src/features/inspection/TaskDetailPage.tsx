import { Card } from 'antd';
import { useTranslation } from 'react-i18next';

/** One inspection task: what was found, the evidence and its flags, the hazards it raised, its history. */
export function TaskDetailPage() {
  const { t } = useTranslation();
  return <Card size="small" title={t('inspection.task.title')} />;
}
