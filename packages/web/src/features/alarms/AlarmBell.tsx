import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { useAlarmStream } from '../realtime/hooks';
import { isUnackActive } from './present';
import { beep } from './sound';

/**
 * The header's alarm counter: unacknowledged active alarms from the live stream. It also keeps
 * the stream open on every page and sounds the horn for new critical alarms.
 */
export function AlarmBell() {
  const { data: me } = useMe();
  if (!canAnywhere(me, 'alarm.read')) return null;
  return <Bell />;
}

function Bell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { alarms } = useAlarmStream({
    onEvents: (events) => {
      if (events.some((e) => e.type === 'activated' && e.priority === 'critical' && e.annunciated)) beep();
    },
  });
  const unack = (alarms.data ?? []).filter(isUnackActive);
  const critical = unack.some((a) => a.priority === 'critical');
  const label = t('alarms.bell', { count: unack.length });
  return (
    <Tooltip title={label}>
      <Button
        type="text"
        aria-label={label}
        data-testid="alarm-bell"
        data-count={unack.length}
        onClick={() => navigate('/alarms')}
        icon={
          <Badge
            count={unack.length}
            size="small"
            overflowCount={999}
            color={critical ? '#cf1322' : '#fa8c16'}
          >
            <BellOutlined style={{ fontSize: 18 }} className={critical ? 'aegis-alarm-blink' : undefined} />
          </Badge>
        }
      />
    </Tooltip>
  );
}
