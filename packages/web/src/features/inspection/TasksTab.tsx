import { TASK_STATES, type Task, type TaskResult, type TaskState } from '@aegis/shared';
import { DownloadOutlined, FlagOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Grid,
  Pagination,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorText } from '../../app/errorText';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { plansQuery, type TaskQuery, tasksExportUrl, tasksQuery } from './api';
import { downloadFile } from './download';
import { shortTime, TaskResultTag, TaskStateTag, useAssignees } from './parts';

const PAGE = 50;

/** 任务: every generated task, filtered; overdue and missed stand out; the 排查记录 as XLSX. */
export function TasksTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().md === false;
  const [states, setStates] = useState<TaskState[]>([]);
  const [planId, setPlanId] = useState<number | undefined>();
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [assigneeId, setAssigneeId] = useState<number | null>(null);
  const [result, setResult] = useState<TaskResult | undefined>();
  const [flagged, setFlagged] = useState(false);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(() => [
    dayjs().subtract(6, 'day'),
    dayjs().add(1, 'day'),
  ]);
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const plans = useQuery(plansQuery);
  const people = useAssignees().users.filter((u) => u.kind === 'person');
  const filter: TaskQuery = {
    state: states.length ? states : undefined,
    planId,
    nodeId: nodeId ?? undefined,
    result,
    flagged: flagged ? 'true' : undefined,
    assigneeUserId: assigneeId ?? undefined,
    from: range?.[0]?.format('YYYY-MM-DD'),
    to: range?.[1]?.format('YYYY-MM-DD'),
  };
  const list = useQuery(tasksQuery({ ...filter, limit: PAGE, offset: (page - 1) * PAGE }));
  const rows = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const reset = () => setPage(1);

  const exportAs = async (format: 'xlsx' | 'csv') => {
    setExporting(true);
    try {
      await downloadFile(
        tasksExportUrl(filter, format),
        `inspection-tasks-${dayjs().format('YYYYMMDD')}.${format}`,
      );
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setExporting(false);
    }
  };

  const flags = (x: Task) =>
    x.flags.length > 0 && (
      <Tooltip title={x.flags.map((f) => f.message).join('\n')}>
        <Tag color="warning" icon={<FlagOutlined />} data-testid="task-flags">
          {x.flags.length}
        </Tag>
      </Tooltip>
    );
  const place = (x: Task) => (
    <Space orientation="vertical" size={0}>
      <Link to={`/inspection/tasks/${x.id}`}>{x.checkpointName}</Link>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {x.checkpointCode} · {x.nodeName}
      </Typography.Text>
    </Space>
  );
  const when = (x: Task) => (
    <Space orientation="vertical" size={0}>
      <span>{shortTime(x.occurrenceAt)}</span>
      <Typography.Text
        type={x.state === 'overdue' || x.state === 'missed' ? 'danger' : 'secondary'}
        style={{ fontSize: 12 }}
      >
        {t('inspection.task.due')} {shortTime(x.dueAt, false)}
      </Typography.Text>
    </Space>
  );

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="inspection-tasks">
      <Row gutter={[8, 8]}>
        <Col xs={24} sm={12} md={8}>
          <DatePicker.RangePicker
            value={range}
            inputReadOnly
            style={{ width: '100%' }}
            onChange={(v) => {
              setRange(v);
              reset();
            }}
          />
        </Col>
        <Col xs={24} sm={12} md={8}>
          <Select<TaskState[]>
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            style={{ width: '100%' }}
            placeholder={t('inspection.filter.state')}
            value={states}
            data-testid="task-filter-state"
            onChange={(v) => {
              setStates(v);
              reset();
            }}
            options={TASK_STATES.map((s) => ({ value: s, label: t(`inspection.state.${s}`) }))}
          />
        </Col>
        <Col xs={12} sm={12} md={8}>
          <Select<number>
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: '100%' }}
            placeholder={t('inspection.filter.plan')}
            value={planId}
            onChange={(v) => {
              setPlanId(v);
              reset();
            }}
            options={(plans.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
        </Col>
        <Col xs={12} sm={12} md={6}>
          <PlantNodeSelect
            value={nodeId}
            allowClear
            placeholder={t('inspection.filter.node')}
            onChange={(v) => {
              setNodeId(v);
              reset();
            }}
          />
        </Col>
        <Col xs={12} sm={12} md={5}>
          <Select<number>
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: '100%' }}
            placeholder={t('inspection.filter.assignee')}
            value={assigneeId ?? undefined}
            onChange={(v) => {
              setAssigneeId(v ?? null);
              reset();
            }}
            options={people.map((u) => ({ value: u.id, label: u.displayName }))}
          />
        </Col>
        <Col xs={12} sm={8} md={4}>
          <Select<TaskResult>
            allowClear
            style={{ width: '100%' }}
            placeholder={t('inspection.filter.result')}
            value={result}
            onChange={(v) => {
              setResult(v);
              reset();
            }}
            options={(['ok', 'abnormal', 'not_checked'] as const).map((r) => ({
              value: r,
              label: t(`inspection.result.${r}`),
            }))}
          />
        </Col>
        <Col xs={24} sm={16} md={9}>
          <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
            <Space size={4}>
              <Switch
                size="small"
                checked={flagged}
                onChange={(v) => {
                  setFlagged(v);
                  reset();
                }}
              />
              <Typography.Text>{t('inspection.filter.flagged')}</Typography.Text>
            </Space>
            <Space size={4}>
              <Button
                icon={<ReloadOutlined />}
                aria-label={t('common.refresh')}
                loading={list.isFetching}
                onClick={() => void list.refetch()}
              />
              <Button
                icon={<DownloadOutlined />}
                loading={exporting}
                onClick={() => void exportAs('xlsx')}
                data-testid="task-export"
              >
                {t('inspection.task.export')}
              </Button>
              <Button loading={exporting} onClick={() => void exportAs('csv')} data-testid="task-export-csv">
                CSV
              </Button>
            </Space>
          </Space>
        </Col>
      </Row>
      {assigneeId !== null && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('inspection.filter.assigneeDirect')}
        </Typography.Text>
      )}

      {phone ? (
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          {rows.length === 0 && !list.isLoading && (
            <Typography.Text type="secondary">{t('inspection.task.none')}</Typography.Text>
          )}
          {rows.map((x) => (
            <Card
              key={x.id}
              size="small"
              data-task-id={x.id}
              onClick={() => void navigate(`/inspection/tasks/${x.id}`)}
              style={{
                cursor: 'pointer',
                borderInlineStart:
                  x.state === 'missed'
                    ? '4px solid #ff4d4f'
                    : x.state === 'overdue'
                      ? '4px solid #fa8c16'
                      : undefined,
              }}
            >
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Typography.Text strong>{x.checkpointName}</Typography.Text>
                  <Space size={0}>
                    <TaskStateTag state={x.state} />
                    <TaskResultTag result={x.result} />
                    {flags(x)}
                  </Space>
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {x.planName} · {x.nodeName}
                </Typography.Text>
                <Typography.Text style={{ fontSize: 12 }}>
                  {shortTime(x.occurrenceAt)} · {t('inspection.task.due')} {shortTime(x.dueAt, false)} ·{' '}
                  {x.assignee.name}
                </Typography.Text>
              </Space>
            </Card>
          ))}
        </Space>
      ) : (
        <Table<Task>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(x) =>
            ({
              'data-task-id': x.id,
              // missed and overdue rows stand out
              style:
                x.state === 'missed'
                  ? { background: '#fff1f0' }
                  : x.state === 'overdue'
                    ? { background: '#fff7e6' }
                    : undefined,
            }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            { title: t('inspection.task.occurrence'), key: 'when', render: (_, x) => when(x) },
            { title: t('inspection.task.checkpoint'), key: 'place', render: (_, x) => place(x) },
            { title: t('inspection.task.plan'), dataIndex: 'planName' },
            { title: t('inspection.task.shift'), key: 'shift', render: (_, x) => x.shiftName ?? '—' },
            { title: t('inspection.task.assignee'), key: 'assignee', render: (_, x) => x.assignee.name },
            {
              title: t('inspection.task.state'),
              key: 'state',
              render: (_, x) => (
                <Space size={0}>
                  <TaskStateTag state={x.state} />
                  {flags(x)}
                </Space>
              ),
            },
            {
              title: t('inspection.task.result'),
              key: 'result',
              render: (_, x) => (
                <Space size={0}>
                  <TaskResultTag result={x.result} />
                  {x.abnormalCount > 0 && (
                    <Typography.Text type="danger" style={{ fontSize: 12 }}>
                      {t('inspection.task.abnormalCount', { n: x.abnormalCount })}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: t('inspection.task.doneBy'),
              key: 'done',
              render: (_, x) => (x.doneAt ? `${x.doneByName ?? ''} ${shortTime(x.doneAt)}` : '—'),
            },
          ]}
        />
      )}
      {total > PAGE && (
        <Pagination
          size="small"
          align="center"
          current={page}
          pageSize={PAGE}
          total={total}
          onChange={setPage}
          showSizeChanger={false}
        />
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('common.total', { count: total })}
      </Typography.Text>
    </Space>
  );
}
