import { ALARM_PRIORITIES, type AlarmPriority, type AlarmView } from '@aegis/shared';
import {
  CheckOutlined,
  CommentOutlined,
  FieldTimeOutlined,
  InfoCircleOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Empty,
  Grid,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
} from 'antd';
import dayjs from 'dayjs';
import { type MouseEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { CardList } from '../realtime/CardList';
import { useAlarmStream } from '../realtime/hooks';
import { LiveBadge } from '../realtime/LiveBadge';
import { usePlantIndex } from '../realtime/usePlantIndex';
import { AckModal, BulkAckModal, CommentModal, ShelveModal, SoundToggle } from './AlarmDialogs';
import { AlarmDrawer } from './AlarmDrawer';
import { AlarmsTabs } from './AlarmsTabs';
import { useUnshelve } from './api';
import {
  alarmTime,
  canBeAcknowledged,
  DISPLAY_STATES,
  type DisplayState,
  displayState,
  formatAlarmValue,
  PRIORITY_RANK,
  PriorityTag,
  STATE_RANK,
  StateTag,
  useAlarmText,
} from './present';
import { type Held, useHeldOrder } from './stableOrder';

/** Default order: most urgent first, then newest. */
const byUrgency = (a: AlarmView, b: AlarmView) =>
  PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
  STATE_RANK[displayState(a)] - STATE_RANK[displayState(b)] ||
  alarmTime(b) - alarmTime(a);

function rowClass(a: Held<AlarmView>) {
  const s = displayState(a);
  const hidden = s === 'shelved' || s === 'suppressed' || s === 'out_of_service' || a.gone;
  return [
    'aegis-alarm-row',
    `aegis-alarm-${a.priority}`,
    hidden ? 'aegis-alarm-muted' : '',
    s === 'unack_active' ? 'aegis-alarm-unack' : '',
  ].join(' ');
}

/** Test hooks on each alarm row or card: the alarm key, its state and priority. */
const rowAttrs = (a: AlarmView) =>
  ({
    'data-alarm-key': a.key,
    'data-alarm-state': displayState(a),
    'data-alarm-priority': a.priority,
  }) as Record<string, string>;

export function AlarmsPage() {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const plant = usePlantIndex();
  const { status, alarms, health } = useAlarmStream();
  const [priorities, setPriorities] = useState<AlarmPriority[]>([]);
  const [states, setStates] = useState<DisplayState[]>([]);
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [shelving, setShelving] = useState<AlarmView | null>(null);
  const [commenting, setCommenting] = useState<AlarmView | null>(null);
  // A link from a notification or an e-mail (/alarms?key=12:HH) opens that alarm's details.
  const [params] = useSearchParams();
  const [detailKey, setDetailKey] = useState<string | null>(params.get('key'));
  useEffect(() => {
    const key = params.get('key');
    if (key) setDetailKey(key);
  }, [params]);
  const [acking, setAcking] = useState<AlarmView | null>(null);
  const unshelve = useUnshelve();
  const mayAck = canAnywhere(me, 'alarm.ack');
  const mayShelve = canAnywhere(me, 'alarm.shelve');

  const chattering = useMemo(() => new Set(health.data?.chattering ?? []), [health.data]);
  const rows = useMemo(
    () =>
      (alarms.data ?? [])
        .filter((a) => priorities.length === 0 || priorities.includes(a.priority))
        .filter((a) => states.length === 0 || states.includes(displayState(a)))
        .filter((a) => nodeId === null || plant.isUnder(a.equipmentId, nodeId))
        .sort(byUrgency),
    [alarms.data, priorities, states, nodeId, plant],
  );
  // New ordering waits while the pointer is over the list and just after an action (rows stay put).
  const held = useHeldOrder(rows, (a) => a.key);
  const selectable = new Set(rows.filter(canBeAcknowledged).map((a) => a.key));
  const selectedKeys = selected.filter((k) => selectable.has(k));
  const detail = detailKey ? ((alarms.data ?? []).find((a) => a.key === detailKey) ?? null) : null;

  // One dialog: acknowledge with an optional comment.
  const acknowledge = (a: AlarmView) => {
    held.holdAfterAction();
    setAcking(a);
  };

  // The row opens the alarm's drawer; its buttons must not.
  const only = (fn: () => void) => (e: MouseEvent) => {
    e.stopPropagation();
    fn();
  };
  const actions = (a: Held<AlarmView>) =>
    a.gone ? (
      <Tag>{t('alarms.gone')}</Tag>
    ) : (
      <Space size={4} wrap>
        {mayAck && canBeAcknowledged(a) && (
          <Button
            size="small"
            type="primary"
            icon={<CheckOutlined />}
            aria-label={t('alarms.action.ack')}
            data-testid="alarm-ack"
            onClick={only(() => acknowledge(a))}
          >
            {t('alarms.action.ack')}
          </Button>
        )}
        {mayShelve && !a.shelved && (
          <Tooltip title={t('alarms.action.shelve')}>
            <Button
              size="small"
              icon={<PauseCircleOutlined />}
              aria-label={t('alarms.action.shelve')}
              data-testid="alarm-shelve"
              onClick={only(() => {
                held.holdAfterAction();
                setShelving(a);
              })}
            />
          </Tooltip>
        )}
        {mayShelve && a.shelved && (
          <Tooltip title={t('alarms.action.unshelve')}>
            <Button
              size="small"
              icon={<PlayCircleOutlined />}
              aria-label={t('alarms.action.unshelve')}
              data-testid="alarm-unshelve"
              loading={unshelve.isPending && unshelve.variables?.key === a.key}
              onClick={only(() => {
                held.holdAfterAction();
                unshelve.mutate({ key: a.key });
              })}
            />
          </Tooltip>
        )}
        <Tooltip title={t('alarms.action.comment')}>
          <Button
            size="small"
            icon={<CommentOutlined />}
            aria-label={t('alarms.action.comment')}
            data-testid="alarm-comment"
            onClick={only(() => setCommenting(a))}
          />
        </Tooltip>
      </Space>
    );

  const flags = (a: AlarmView) => (
    <>
      {(a.chattering || chattering.has(a.key)) && (
        <Tag color="magenta" icon={<WarningOutlined />} data-testid="alarm-chattering">
          {t('alarms.chattering')}
        </Tag>
      )}
      {a.shelved && (
        <Tag icon={<FieldTimeOutlined />}>
          {t('alarms.shelvedUntil', { time: dayjs(a.shelved.until).format('HH:mm') })}
        </Tag>
      )}
    </>
  );

  const floods = health.data?.floods ?? [];

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <AlarmsTabs />
      {floods.map((f) => (
        <Alert
          key={f.areaId}
          type="error"
          showIcon
          data-testid="alarm-flood"
          title={t('alarms.flood', {
            area: plant.label(f.areaId),
            since: dayjs(f.since).format('HH:mm:ss'),
            count: f.count,
          })}
          description={t('alarms.floodHint')}
        />
      ))}
      <Card
        size="small"
        title={
          <Space wrap size={8}>
            {t('alarms.activeTitle')}
            <Tag>{t('common.total', { count: rows.length })}</Tag>
            <LiveBadge status={status} />
          </Space>
        }
        extra={<SoundToggle />}
      >
        <Row gutter={[8, 8]} style={{ marginBottom: 12 }}>
          <Col xs={24} sm={12} lg={6}>
            <Select<AlarmPriority[]>
              mode="multiple"
              allowClear
              value={priorities}
              onChange={setPriorities}
              placeholder={t('alarms.field.priority')}
              aria-label={t('alarms.field.priority')}
              options={ALARM_PRIORITIES.map((p) => ({ value: p, label: t(`alarms.priority.${p}`) }))}
              style={{ width: '100%' }}
            />
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <Select<DisplayState[]>
              mode="multiple"
              allowClear
              value={states}
              onChange={setStates}
              placeholder={t('alarms.field.state')}
              aria-label={t('alarms.field.state')}
              options={DISPLAY_STATES.filter((s) => s !== 'normal').map((s) => ({
                value: s,
                label: t(`alarms.state.${s}`),
              }))}
              style={{ width: '100%' }}
            />
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <PlantNodeSelect
              value={nodeId}
              onChange={setNodeId}
              allowClear
              placeholder={t('alarms.field.equipment')}
            />
          </Col>
          {mayAck && (
            <Col xs={24} sm={12} lg={6}>
              <Button
                block
                type="primary"
                danger
                icon={<CheckOutlined />}
                disabled={selectedKeys.length === 0}
                onClick={() => setBulkOpen(true)}
                data-testid="alarm-bulk-ack"
              >
                {t('alarms.bulkAck', { count: selectedKeys.length })}
              </Button>
            </Col>
          )}
        </Row>
        {alarms.isError && (
          <Alert type="error" showIcon title={t('common.loadFailed')} description={alarms.error.message} />
        )}
        <div {...held.listProps} data-testid="alarm-list" data-order-held={held.held}>
          {phone ? (
            <CardList<Held<AlarmView>>
              loading={alarms.isLoading}
              items={held.rows}
              rowKey={(a) => a.key}
              empty={<Empty description={t('alarms.none')} />}
              render={(a) => (
                <div
                  {...rowAttrs(a)}
                  className={`aegis-alarm-card ${rowClass(a)}`}
                  style={{ width: '100%', padding: 8, borderRadius: 6 }}
                >
                  <Space size={4} wrap>
                    {mayAck && (
                      <Checkbox
                        aria-label={t('alarms.select', { tag: a.tag })}
                        disabled={!selectable.has(a.key)}
                        checked={selectedKeys.includes(a.key)}
                        onChange={(e) =>
                          setSelected((s) =>
                            e.target.checked ? [...s, a.key] : s.filter((k) => k !== a.key),
                          )
                        }
                      />
                    )}
                    <PriorityTag priority={a.priority} />
                    <StateTag alarm={a} />
                    {flags(a)}
                  </Space>
                  <div className="aegis-alarm-message" style={{ margin: '4px 0' }}>
                    {alarmText(a)}
                  </div>
                  <Space size={8} wrap style={{ fontSize: 12 }}>
                    <span>{dayjs(alarmTime(a)).format('MM-DD HH:mm:ss')}</span>
                    <code>{a.tag}</code>
                    <span>{plant.label(a.equipmentId)}</span>
                    <span>
                      {t('alarms.field.value')}: {formatAlarmValue(a.value)}
                    </span>
                  </Space>
                  <Space size={4} wrap style={{ marginTop: 6 }}>
                    {actions(a)}
                    <Button size="small" icon={<InfoCircleOutlined />} onClick={() => setDetailKey(a.key)}>
                      {t('alarms.action.details')}
                    </Button>
                  </Space>
                </div>
              )}
            />
          ) : (
            <Table<Held<AlarmView>>
              rowKey="key"
              size="small"
              loading={alarms.isLoading}
              dataSource={held.rows}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: <Empty description={t('alarms.none')} /> }}
              rowClassName={rowClass}
              onRow={(a) => ({
                ...rowAttrs(a),
                onClick: (e) => {
                  // Ticking the row or pressing one of its buttons must not open the drawer.
                  if ((e.target as HTMLElement).closest('button, input, label, .ant-table-selection-column'))
                    return;
                  setDetailKey(a.key);
                },
                style: { cursor: 'pointer' },
              })}
              rowSelection={
                mayAck
                  ? {
                      selectedRowKeys: selectedKeys,
                      onChange: (keys) => setSelected(keys.map(String)),
                      getCheckboxProps: (a) => ({ disabled: !selectable.has(a.key) }),
                    }
                  : undefined
              }
              pagination={{
                defaultPageSize: 50,
                showSizeChanger: true,
                pageSizeOptions: [20, 50, 100, 200],
                showTotal: (total) => t('common.total', { count: total }),
              }}
              columns={[
                {
                  title: t('alarms.field.time'),
                  key: 'time',
                  sorter: (a, b) => alarmTime(a) - alarmTime(b),
                  render: (_, a) => dayjs(alarmTime(a)).format('MM-DD HH:mm:ss'),
                },
                {
                  title: t('alarms.field.priority'),
                  dataIndex: 'priority',
                  sorter: (a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority],
                  render: (p: AlarmPriority) => <PriorityTag priority={p} />,
                },
                {
                  title: t('alarms.field.state'),
                  key: 'state',
                  sorter: (a, b) => STATE_RANK[displayState(a)] - STATE_RANK[displayState(b)],
                  render: (_, a) => (
                    <Space size={0} wrap>
                      <StateTag alarm={a} />
                      {flags(a)}
                    </Space>
                  ),
                },
                {
                  title: t('alarms.field.tag'),
                  key: 'tag',
                  render: (_, a) => (
                    <Space orientation="vertical" size={0}>
                      <code>{a.tag}</code>
                      <span style={{ fontSize: 12 }}>{plant.label(a.equipmentId)}</span>
                    </Space>
                  ),
                },
                { title: t('alarms.field.message'), key: 'message', render: (_, a) => alarmText(a) },
                { title: t('alarms.field.value'), key: 'value', render: (_, a) => formatAlarmValue(a.value) },
                { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_, a) => actions(a) },
              ]}
            />
          )}
        </div>
      </Card>
      <BulkAckModal
        keys={selectedKeys}
        open={bulkOpen}
        onClose={() => setBulkOpen(false)}
        onDone={(r) => setSelected((s) => s.filter((k) => !r.done.includes(k)))}
      />
      <AckModal alarm={acking} onClose={() => setAcking(null)} onDone={held.holdAfterAction} />
      <ShelveModal alarm={shelving} onClose={() => setShelving(null)} onDone={held.holdAfterAction} />
      <CommentModal alarm={commenting} onClose={() => setCommenting(null)} />
      <AlarmDrawer
        alarm={detail}
        chattering={detail ? detail.chattering || chattering.has(detail.key) : false}
        onClose={() => setDetailKey(null)}
        onAcknowledge={acknowledge}
        ackPending={false}
        onShelve={setShelving}
        onComment={setCommenting}
      />
    </Space>
  );
}
