import type { AlarmView } from '@aegis/shared';
import {
  CheckOutlined,
  CommentOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  StopOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Descriptions, Divider, Drawer, Grid, Space, Spin, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { ReasonModal } from '../../app/ReasonField';
import { usePlantIndex } from '../realtime/usePlantIndex';
import { alarmHistoryQuery, useOutOfService, useUnshelve } from './api';
import { EVENT_COLOR } from './events';
import {
  alarmTime,
  canBeAcknowledged,
  formatAlarmValue,
  PriorityTag,
  StateTag,
  useAlarmText,
} from './present';

const time = (ms: number | null | undefined) => (ms ? dayjs(ms).format('YYYY-MM-DD HH:mm:ss') : '—');

/** One alarm in full: what it is, who did what to it (its journal), and the operator's actions. */
export function AlarmDrawer(props: {
  alarm: AlarmView | null;
  chattering: boolean;
  onClose: () => void;
  onAcknowledge: (a: AlarmView) => void;
  ackPending: boolean;
  onShelve: (a: AlarmView) => void;
  onComment: (a: AlarmView) => void;
}) {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const plant = usePlantIndex();
  const a = props.alarm;
  const journal = useQuery({
    ...alarmHistoryQuery({ key: a?.key }, { limit: 50, offset: 0 }),
    enabled: !!a,
  });
  const unshelve = useUnshelve();
  const oos = useOutOfService();
  const [oosOpen, setOosOpen] = useState(false);

  return (
    <Drawer
      open={!!a}
      onClose={props.onClose}
      size={phone ? '100%' : 560}
      title={a ? <code>{a.tag}</code> : null}
      data-testid="alarm-drawer"
      extra={a && <PriorityTag priority={a.priority} />}
    >
      {a && (
        <>
          <Typography.Paragraph strong>{alarmText(a)}</Typography.Paragraph>
          <Space wrap style={{ marginBottom: 12 }}>
            {canAnywhere(me, 'alarm.ack') && canBeAcknowledged(a) && (
              <Button
                type="primary"
                icon={<CheckOutlined />}
                loading={props.ackPending}
                aria-label={t('alarms.action.ack')}
                onClick={() => props.onAcknowledge(a)}
              >
                {t('alarms.action.ack')}
              </Button>
            )}
            {canAnywhere(me, 'alarm.shelve') &&
              (a.shelved ? (
                <Button
                  icon={<PlayCircleOutlined />}
                  loading={unshelve.isPending}
                  onClick={() => unshelve.mutate({ key: a.key })}
                >
                  {t('alarms.action.unshelve')}
                </Button>
              ) : (
                <Button icon={<PauseCircleOutlined />} onClick={() => props.onShelve(a)}>
                  {t('alarms.action.shelve')}
                </Button>
              ))}
            <Button icon={<CommentOutlined />} onClick={() => props.onComment(a)}>
              {t('alarms.action.comment')}
            </Button>
            {canAnywhere(me, 'tag.manage') && (
              <Button icon={<StopOutlined />} danger={!a.outOfService} onClick={() => setOosOpen(true)}>
                {a.outOfService ? t('alarms.action.returnToService') : t('alarms.action.outOfService')}
              </Button>
            )}
          </Space>
          <Descriptions
            size="small"
            bordered
            column={1}
            items={[
              {
                key: 'state',
                label: t('alarms.field.state'),
                children: (
                  <Space size={0} wrap>
                    <StateTag alarm={a} />
                    {props.chattering && <Tag color="magenta">{t('alarms.chattering')}</Tag>}
                  </Space>
                ),
              },
              { key: 'time', label: t('alarms.field.activeSince'), children: time(alarmTime(a)) },
              { key: 'equipment', label: t('alarms.field.equipment'), children: plant.label(a.equipmentId) },
              { key: 'area', label: t('alarms.field.area'), children: plant.label(a.areaId) },
              { key: 'condition', label: t('alarms.field.condition'), children: <code>{a.condition}</code> },
              { key: 'value', label: t('alarms.field.value'), children: formatAlarmValue(a.value) },
              {
                key: 'acked',
                label: t('alarms.field.ackedBy'),
                children: a.ackedBy ? `${a.ackedBy} · ${time(a.ackedAt)}` : '—',
              },
              ...(a.shelved
                ? [
                    {
                      key: 'shelved',
                      label: t('alarms.state.shelved'),
                      children: t('alarms.shelvedBy', {
                        by: a.shelved.by,
                        until: time(a.shelved.until),
                        reason: a.shelved.reason,
                      }),
                    },
                  ]
                : []),
              ...(a.outOfService
                ? [
                    {
                      key: 'oos',
                      label: t('alarms.state.out_of_service'),
                      children: `${a.outOfService.by} · ${time(a.outOfService.at)} · ${a.outOfService.reason}`,
                    },
                  ]
                : []),
              { key: 'key', label: t('alarms.field.key'), children: <code>{a.key}</code> },
            ]}
          />
          <Divider titlePlacement="start">{t('alarms.journal')}</Divider>
          {journal.isLoading ? (
            <Spin />
          ) : (
            <Timeline
              items={(journal.data?.items ?? []).map((e) => ({
                key: e.id,
                color: EVENT_COLOR[e.type],
                content: (
                  <>
                    <Typography.Text strong>{t(`alarms.event.${e.type}`)}</Typography.Text>{' '}
                    <Typography.Text type="secondary">{time(e.at)}</Typography.Text>
                    {e.user && <div>{e.user}</div>}
                    {e.comment && <div>“{e.comment}”</div>}
                  </>
                ),
              }))}
            />
          )}
          <ReasonModal
            open={oosOpen}
            danger={!a.outOfService}
            title={a.outOfService ? t('alarms.action.returnToService') : t('alarms.action.outOfService')}
            onClose={() => setOosOpen(false)}
            onConfirm={(reason) => oos.mutateAsync({ key: a.key, outOfService: !a.outOfService, reason })}
          />
        </>
      )}
    </Drawer>
  );
}
