import { HddOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { diskQuery } from './api';
import { diskBanner } from './present';

/** 磁盘空间不足: a banner while a watched disk is low; at "full" new values are refused. */
export function DiskSpaceAlert() {
  const { t } = useTranslation();
  const status = useQuery(diskQuery);
  const banner = diskBanner(status.data);
  if (!banner || !status.data) return null;
  const { thresholds } = status.data;
  return (
    <Alert
      type={banner.type}
      showIcon
      icon={<HddOutlined />}
      data-testid="disk-space-alert"
      title={t(banner.titleKey, { refuse: thresholds.refusePercent, alarm: thresholds.alarmPercent })}
      description={
        <>
          {banner.paths.map((p) => (
            <div key={p.path}>
              {t('system.disk.path', {
                path: p.path,
                free: p.freeGb,
                percent: p.percent,
                level: t(p.levelKey),
              })}
            </div>
          ))}
          <div>{t('system.disk.todo')}</div>
        </>
      }
    />
  );
}
