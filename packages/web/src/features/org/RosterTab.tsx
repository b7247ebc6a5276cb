import { LeftOutlined, PhoneOutlined, RightOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAt, useMe } from '../../app/auth';
import { settleOk } from '../../app/forms';
import { useLocalName } from '../../app/i18n';
import { notifyError } from '../../app/notify';
import { ReasonField } from '../../app/ReasonField';
import { plantNodesQuery } from '../plant/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { UserSelect } from '../users/UserSelect';
import {
  onDutyQuery,
  orgListQuery,
  type RosterEntry,
  rosterQuery,
  type Shift,
  type Team,
  useRotateRoster,
  useSetRoster,
} from './api';

const ISO = 'YYYY-MM-DD';
/** Monday of the week of `d` (independent of the UI language's first weekday). */
const mondayOf = (d: Dayjs) => d.startOf('day').subtract((d.day() + 6) % 7, 'day');

/** 排班与值班: a week of a workshop's roster (days × shifts), its rotation generator, and who is on duty now. */
export function RosterTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const nodes = useQuery(plantNodesQuery);
  const [picked, setPicked] = useState<number | null>(null);
  const [week, setWeek] = useState(() => mondayOf(dayjs()));
  // The first workshop the user may see, until they pick one.
  const nodeId = picked ?? nodes.data?.find((n) => n.level === 'area')?.id ?? null;
  const node = nodes.data?.find((n) => n.id === nodeId) ?? null;
  const writable = node !== null && canAt(me, 'org.write', node);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <span>{t('org.roster.workshop')}</span>
        <div style={{ minWidth: 220 }}>
          <PlantNodeSelect
            value={nodeId}
            onChange={setPicked}
            levels={['area', 'line']}
            placeholder={t('org.roster.pickWorkshop')}
          />
        </div>
      </Space>
      {nodeId === null ? (
        <Empty description={t('org.roster.pickWorkshop')} />
      ) : (
        <>
          <OnDutyCard nodeId={nodeId} />
          <Space wrap>
            <Button
              icon={<LeftOutlined />}
              aria-label={t('org.roster.prevWeek')}
              onClick={() => setWeek(week.subtract(7, 'day'))}
            />
            <DatePicker
              picker="week"
              allowClear={false}
              value={week}
              onChange={(d) => d && setWeek(mondayOf(d))}
              format={(d) =>
                `${mondayOf(d).format('YYYY-MM-DD')} – ${mondayOf(d).add(6, 'day').format('MM-DD')}`
              }
            />
            <Button
              icon={<RightOutlined />}
              aria-label={t('org.roster.nextWeek')}
              onClick={() => setWeek(week.add(7, 'day'))}
            />
            <Button onClick={() => setWeek(mondayOf(dayjs()))}>{t('org.roster.thisWeek')}</Button>
            {writable && <RotateButton nodeId={nodeId} nodePath={node.path} from={week} />}
          </Space>
          <WeekGrid nodeId={nodeId} nodePath={node?.path ?? ''} week={week} writable={writable} />
        </>
      )}
    </Space>
  );
}

/** Teams that may stand on this node's roster: at the node, below it, or in the workshop above it. */
function useTeamsFor(nodePath: string) {
  const teams = useQuery(orgListQuery('teams'));
  const nodes = useQuery(plantNodesQuery);
  return (teams.data ?? []).filter((team) => {
    const at = nodes.data?.find((n) => n.id === team.nodeId);
    return at !== undefined && (at.path.startsWith(nodePath) || nodePath.startsWith(at.path));
  });
}

function OnDutyCard({ nodeId }: { nodeId: number }) {
  const { t } = useTranslation();
  const name = useLocalName();
  const nodes = useQuery(plantNodesQuery);
  const shifts = useQuery(orgListQuery('shifts'));
  const q = useQuery(onDutyQuery(nodeId));
  const d = q.data?.onDuty;
  const person = (p: { displayName: string; phone: string | null } | null) =>
    p === null ? (
      '—'
    ) : (
      <Space size={4} wrap>
        <span>{p.displayName}</span>
        {p.phone && (
          <a href={`tel:${p.phone}`}>
            <PhoneOutlined /> {p.phone}
          </a>
        )}
      </Space>
    );
  // Shift times are plant wall-clock times: shown as defined, not converted to the browser's zone.
  const shift = d ? shifts.data?.find((s) => s.id === d.shiftId) : undefined;
  const from = d && d.nodeId !== nodeId ? nodes.data?.find((n) => n.id === d.nodeId) : undefined;
  return (
    <Card size="small" title={t('org.roster.nowOnDuty')} loading={q.isLoading}>
      {q.data && !d && (
        <Alert
          type="warning"
          showIcon
          title={t('org.roster.nobody')}
          description={t('org.roster.nobodyHint')}
        />
      )}
      {d && (
        <>
          <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
            <Descriptions.Item label={t('org.roster.shift')}>
              {d.shiftName}
              {shift && ` ${shift.startTime}–${shift.endTime}`} (
              {t('org.roster.rosterDay', { day: d.day.slice(5) })})
            </Descriptions.Item>
            <Descriptions.Item label={t('org.roster.team')}>{d.teamName}</Descriptions.Item>
            <Descriptions.Item label={t('org.roster.leader')}>{person(d.leader)}</Descriptions.Item>
            <Descriptions.Item label={t('org.roster.onCall')}>{person(d.onCall)}</Descriptions.Item>
            <Descriptions.Item label={t('org.roster.members', { count: d.members.length })} span="filled">
              {d.members.length === 0
                ? '—'
                : d.members.map((m) => (
                    <Tag key={m.id} style={{ marginBottom: 4 }}>
                      {m.displayName}
                    </Tag>
                  ))}
            </Descriptions.Item>
          </Descriptions>
          {from && (
            <Typography.Text type="secondary">
              {t('org.roster.fromNode', { node: name(from) })}
            </Typography.Text>
          )}
        </>
      )}
    </Card>
  );
}

interface Row {
  day: string;
  slots: Map<number, RosterEntry>;
}

function WeekGrid(props: { nodeId: number; nodePath: string; week: Dayjs; writable: boolean }) {
  const { t } = useTranslation();
  const shifts = useQuery(orgListQuery('shifts'));
  const from = props.week.format(ISO);
  const to = props.week.add(6, 'day').format(ISO);
  const roster = useQuery(rosterQuery(props.nodeId, from, to));
  const [editing, setEditing] = useState<{ day: string; shift: Shift; entry: RosterEntry | null } | null>(
    null,
  );
  const today = dayjs().format(ISO);

  const rows: Row[] = useMemo(() => {
    const out: Row[] = [];
    for (let i = 0; i < 7; i++) {
      const day = props.week.add(i, 'day').format(ISO);
      const slots = new Map<number, RosterEntry>();
      for (const e of roster.data?.entries ?? []) if (e.day === day) slots.set(e.shiftId, e);
      out.push({ day, slots });
    }
    return out;
  }, [props.week, roster.data]);

  if (shifts.data && shifts.data.length === 0)
    return <Alert type="info" showIcon title={t('org.roster.noShifts')} />;

  const columns: TableColumnsType<Row> = [
    {
      title: t('org.roster.day'),
      dataIndex: 'day',
      fixed: 'left',
      width: 96,
      render: (day: string) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong={day === today}>{dayjs(day).format('MM-DD ddd')}</Typography.Text>
          {day === today && <Tag color="blue">{t('org.roster.today')}</Tag>}
        </Space>
      ),
    },
    ...(shifts.data ?? []).map((shift): TableColumnsType<Row>[number] => ({
      title: `${shift.name} ${shift.startTime}–${shift.endTime}`,
      key: shift.id,
      width: 160,
      render: (_: unknown, row: Row) => {
        const e = row.slots.get(shift.id) ?? null;
        const body = e ? (
          <Space orientation="vertical" size={0}>
            <span>{e.teamName}</span>
            {e.onCallName && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('org.roster.onCall')}: {e.onCallName}
              </Typography.Text>
            )}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('org.roster.empty')}</Typography.Text>
        );
        return props.writable ? (
          <Button
            type="text"
            size="small"
            style={{ height: 'auto', textAlign: 'left', padding: 4, whiteSpace: 'normal' }}
            onClick={() => setEditing({ day: row.day, shift, entry: e })}
          >
            {body}
          </Button>
        ) : (
          body
        );
      },
    })),
  ];

  return (
    <>
      <Table<Row>
        rowKey="day"
        size="small"
        bordered
        loading={roster.isLoading || shifts.isLoading}
        dataSource={rows}
        columns={columns}
        pagination={false}
        scroll={{ x: 'max-content' }}
      />
      {editing && (
        <SlotModal
          nodeId={props.nodeId}
          nodePath={props.nodePath}
          slot={editing}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );
}

function SlotModal(props: {
  nodeId: number;
  nodePath: string;
  slot: { day: string; shift: Shift; entry: RosterEntry | null };
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ teamId: number; onCallUserId: number | null; reason: string }>();
  const teams = useTeamsFor(props.nodePath);
  const save = useSetRoster();
  const { day, shift, entry } = props.slot;

  const submit = settleOk(async () => {
    const v = await form.validateFields();
    await save.mutateAsync({
      nodeId: props.nodeId,
      entries: [{ day, shiftId: shift.id, teamId: v.teamId, onCallUserId: v.onCallUserId ?? null }],
      reason: v.reason.trim(),
    });
    void message.success(t('org.roster.saved'));
    props.onClose();
  }, notifyError);
  const clear = settleOk(async () => {
    const { reason } = await form.validateFields(['reason']);
    await save.mutateAsync({
      nodeId: props.nodeId,
      entries: [{ day, shiftId: shift.id, teamId: null }],
      reason: reason.trim(),
    });
    void message.success(t('org.roster.saved'));
    props.onClose();
  }, notifyError);

  return (
    <Modal
      open
      title={t('org.roster.editSlot', { day: dayjs(day).format('MM-DD ddd'), shift: shift.name })}
      okText={t('common.save')}
      okButtonProps={{ loading: save.isPending }}
      onOk={() => void submit()}
      onCancel={props.onClose}
      footer={(original) => (
        <Space wrap>
          {entry && (
            <Popconfirm
              title={t('org.roster.clearConfirm')}
              onConfirm={() => void clear()}
              okButtonProps={{ danger: true }}
            >
              <Button danger>{t('org.roster.clear')}</Button>
            </Popconfirm>
          )}
          {original}
        </Space>
      )}
    >
      <Form
        form={form}
        layout="vertical"
        name="roster-slot"
        initialValues={{ teamId: entry?.teamId, onCallUserId: entry?.onCallUserId ?? null }}
      >
        <Form.Item name="teamId" label={t('org.roster.team')} rules={[{ required: true }]}>
          <Select<number>
            options={teams.map((x: Team) => ({ value: x.id, label: `${x.name} (${x.code})` }))}
          />
        </Form.Item>
        <Form.Item name="onCallUserId" label={t('org.roster.onCall')}>
          <UserSelect />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}

interface RotateValues {
  from: Dayjs;
  days: number;
  shiftIds: number[];
  teamIds: number[];
  blockDays: number;
  onCall: 'leader' | 'none';
  reason: string;
}

function RotateButton(props: { nodeId: number; nodePath: string; from: Dayjs }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<RotateValues>();
  const shifts = useQuery(orgListQuery('shifts'));
  const teams = useTeamsFor(props.nodePath);
  const rotate = useRotateRoster();

  const start = () => {
    form.resetFields();
    form.setFieldsValue({
      from: props.from,
      days: 28,
      shiftIds: (shifts.data ?? []).map((s) => s.id),
      teamIds: teams.map((x) => x.id),
      blockDays: 1,
      onCall: 'leader',
    });
    setOpen(true);
  };
  const submit = settleOk(async () => {
    const v = await form.validateFields();
    const res = await rotate.mutateAsync({
      pattern: 'rotate',
      nodeId: props.nodeId,
      from: v.from.format(ISO),
      days: v.days,
      shiftIds: v.shiftIds,
      teamIds: v.teamIds,
      blockDays: v.blockDays,
      onCall: v.onCall,
      reason: v.reason.trim(),
    });
    void message.success(t('org.roster.generated', { count: res.written, to: res.to }));
    setOpen(false);
  }, notifyError);

  return (
    <>
      <Button type="primary" icon={<ThunderboltOutlined />} onClick={start}>
        {t('org.roster.generate')}
      </Button>
      <Modal
        open={open}
        title={t('org.roster.generateTitle')}
        okText={t('org.roster.generate')}
        okButtonProps={{ loading: rotate.isPending }}
        onOk={() => void submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        <Alert type="info" showIcon title={t('org.roster.generateHint')} style={{ marginBottom: 12 }} />
        <Form form={form} layout="vertical" name="roster-rotate">
          <Space wrap>
            <Form.Item name="from" label={t('org.roster.from')} rules={[{ required: true }]}>
              <DatePicker allowClear={false} />
            </Form.Item>
            <Form.Item name="days" label={t('org.roster.days')} rules={[{ required: true }]}>
              <InputNumber min={1} max={366} />
            </Form.Item>
            <Form.Item name="blockDays" label={t('org.roster.blockDays')} rules={[{ required: true }]}>
              <InputNumber min={1} max={31} />
            </Form.Item>
          </Space>
          <Form.Item name="shiftIds" label={t('org.roster.shifts')} rules={[{ required: true }]}>
            <Select<number[]>
              mode="multiple"
              options={(shifts.data ?? []).map((s) => ({
                value: s.id,
                label: `${s.name} ${s.startTime}–${s.endTime}`,
              }))}
            />
          </Form.Item>
          <Form.Item
            name="teamIds"
            label={t('org.roster.teams')}
            dependencies={['shiftIds']}
            rules={[
              { required: true },
              ({ getFieldValue }) => ({
                validator: (_, v: number[] | undefined) =>
                  (v?.length ?? 0) >= ((getFieldValue('shiftIds') as number[] | undefined)?.length ?? 0)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('org.roster.tooFewTeams'))),
              }),
            ]}
          >
            <Select<number[]>
              mode="multiple"
              options={teams.map((x) => ({ value: x.id, label: `${x.name} (${x.code})` }))}
            />
          </Form.Item>
          <Form.Item name="onCall" label={t('org.roster.onCallRule')}>
            <Radio.Group
              options={[
                { value: 'leader', label: t('org.roster.onCallLeader') },
                { value: 'none', label: t('org.roster.onCallNone') },
              ]}
            />
          </Form.Item>
          <ReasonField />
        </Form>
      </Modal>
    </>
  );
}
