import { ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  DatePicker,
  Drawer,
  Empty,
  Grid,
  Row,
  Space,
  Spin,
  Table,
  Tooltip,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { boardQuery, tasksQuery } from './api';
import {
  type BoardCounts,
  type BoardRow,
  boardRows,
  type CellTone,
  cellTaskQuery,
  cellTone,
  daysBetween,
  dayTotals,
  donePercent,
  type SelectedCell,
  TONE_COLOURS,
} from './board';
import { shortTime, TaskResultTag, TaskStateTag } from './parts';

const TONES: CellTone[] = ['done', 'partial', 'open', 'overdue', 'missed', 'empty'];

interface Selected extends SelectedCell {
  workshopName: string;
  shiftName: string | null;
}

/** One coloured cell: done/planned, with overdue and missed counts when there are any. */
function Cell({
  counts,
  onClick,
  testId,
}: {
  counts: BoardCounts | undefined;
  onClick?: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const c = counts ?? { planned: 0, done: 0, overdue: 0, missed: 0 };
  const tone = cellTone(c);
  const colours = TONE_COLOURS[tone];
  const body = (
    <button
      type="button"
      onClick={c.planned > 0 ? onClick : undefined}
      disabled={c.planned === 0}
      data-testid={testId}
      data-tone={tone}
      aria-label={t('inspection.board.cellLabel', { ...c })}
      style={{
        width: '100%',
        minWidth: 64,
        minHeight: 44,
        padding: '2px 4px',
        background: colours.bg,
        border: `1px solid ${colours.border}`,
        borderRadius: 6,
        color: colours.text,
        cursor: c.planned > 0 ? 'pointer' : 'default',
        lineHeight: 1.25,
        fontSize: 12,
      }}
    >
      {c.planned === 0 ? (
        '—'
      ) : (
        <>
          <div style={{ fontWeight: 600, fontSize: 13 }}>
            {c.done}/{c.planned}
          </div>
          {(c.overdue > 0 || c.missed > 0) && (
            <div>
              {c.overdue > 0 && <span>{t('inspection.board.overdueShort', { n: c.overdue })}</span>}
              {c.overdue > 0 && c.missed > 0 && ' '}
              {c.missed > 0 && <span>{t('inspection.board.missedShort', { n: c.missed })}</span>}
            </div>
          )}
        </>
      )}
    </button>
  );
  return c.planned === 0 ? body : <Tooltip title={t('inspection.board.cellLabel', { ...c })}>{body}</Tooltip>;
}

function Legend() {
  const { t } = useTranslation();
  return (
    <Space size={[12, 4]} wrap style={{ fontSize: 12 }}>
      {TONES.map((tone) => (
        <Space key={tone} size={4}>
          <span
            style={{
              display: 'inline-block',
              width: 14,
              height: 14,
              borderRadius: 3,
              background: TONE_COLOURS[tone].bg,
              border: `1px solid ${TONE_COLOURS[tone].border}`,
            }}
          />
          <Typography.Text style={{ fontSize: 12 }}>{t(`inspection.board.tone.${tone}`)}</Typography.Text>
        </Space>
      ))}
    </Space>
  );
}

const dayLabel = (d: string, lang: string) => {
  const x = dayjs(d);
  return lang === 'en-US' ? x.format('ddd MM-DD') : `${x.format('MM-DD')} ${x.format('dd')}`;
};

/** 看板: planned / done / overdue / missed per day × workshop × shift; a cell lists its tasks. */
export function BoardTab() {
  const { t, i18n } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  // a phone starts with fewer days (useBreakpoint is still empty on the first render)
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [
    dayjs()
      .subtract(window.innerWidth < 768 ? 2 : 6, 'day')
      .startOf('day'),
    dayjs().add(1, 'day').startOf('day'),
  ]);
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [selected, setSelected] = useState<Selected | null>(null);
  const q = {
    from: range[0].format('YYYY-MM-DD'),
    to: range[1].format('YYYY-MM-DD'),
    nodeId: nodeId ?? undefined,
  };
  const board = useQuery(boardQuery(q));
  const cells = board.data?.cells ?? [];
  const days = daysBetween(q.from, q.to);
  const rows = boardRows(cells);
  const totals = dayTotals(cells);
  const today = dayjs().format('YYYY-MM-DD');

  const open = (r: BoardRow, date: string) =>
    setSelected({
      date,
      workshopId: r.workshopId,
      workshopName: r.workshopName,
      shiftId: r.shiftId,
      shiftName: r.shiftName,
    });

  const filters = (
    <Row gutter={[8, 8]} style={{ marginBottom: 12 }}>
      <Col xs={24} sm={12} md={9}>
        <DatePicker.RangePicker
          value={range}
          allowClear={false}
          inputReadOnly
          style={{ width: '100%' }}
          data-testid="board-range"
          onChange={(v) => {
            if (v?.[0] && v[1]) setRange([v[0], v[1]]);
          }}
          disabledDate={(d) => !!range[0] && Math.abs(d.diff(range[0], 'day')) > 61}
        />
      </Col>
      <Col xs={20} sm={10} md={8}>
        <PlantNodeSelect
          value={nodeId}
          onChange={setNodeId}
          allowClear
          placeholder={t('inspection.filter.node')}
        />
      </Col>
      <Col xs={4} sm={2}>
        <Button
          icon={<ReloadOutlined />}
          aria-label={t('common.refresh')}
          loading={board.isFetching}
          onClick={() => void board.refetch()}
        />
      </Col>
    </Row>
  );

  const rowTitle = (r: BoardRow) => (
    <Space orientation="vertical" size={0}>
      <Typography.Text strong>{r.workshopName}</Typography.Text>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {r.shiftName ?? t('inspection.board.noShift')}
      </Typography.Text>
    </Space>
  );

  let content: React.ReactNode;
  if (board.isLoading) content = <Spin style={{ display: 'block', margin: '32px auto' }} />;
  else if (rows.length === 0) content = <Empty description={t('inspection.board.empty')} />;
  else if (phone)
    // a phone shows one card per day, newest first: the grid would be too wide
    content = (
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        {[...days].reverse().map((d) => {
          const dayRows = rows.filter((r) => r.byDate[d]);
          const total = totals[d];
          return (
            <Card
              key={d}
              size="small"
              data-day={d}
              title={
                <Space>
                  <span>{dayLabel(d, i18n.language)}</span>
                  {d === today && (
                    <Typography.Text type="success">{t('inspection.board.today')}</Typography.Text>
                  )}
                </Space>
              }
              extra={
                total && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('inspection.board.donePercent', { n: donePercent(total) })}
                  </Typography.Text>
                )
              }
            >
              {dayRows.length === 0 ? (
                <Typography.Text type="secondary">{t('inspection.board.noTasks')}</Typography.Text>
              ) : (
                <div
                  style={{
                    display: 'grid',
                    gridTemplateColumns: 'repeat(auto-fill, minmax(104px, 1fr))',
                    gap: 6,
                  }}
                >
                  {dayRows.map((r) => (
                    <div key={r.key}>
                      <Typography.Text ellipsis style={{ fontSize: 12, display: 'block' }}>
                        {r.workshopName} · {r.shiftName ?? t('inspection.board.noShift')}
                      </Typography.Text>
                      <Cell
                        counts={r.byDate[d]}
                        onClick={() => open(r, d)}
                        testId={`board-cell-${d}-${r.key}`}
                      />
                    </div>
                  ))}
                </div>
              )}
            </Card>
          );
        })}
      </Space>
    );
  else
    content = (
      <Table<BoardRow>
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        bordered
        columns={[
          {
            title: t('inspection.board.workshopShift'),
            key: 'row',
            fixed: 'left',
            width: 150,
            render: (_, r) => rowTitle(r),
          },
          ...days.map((d) => ({
            title: (
              <span style={d === today ? { color: '#1677ff', fontWeight: 600 } : undefined}>
                {dayLabel(d, i18n.language)}
              </span>
            ),
            key: d,
            width: 84,
            align: 'center' as const,
            render: (_: unknown, r: BoardRow) => (
              <Cell counts={r.byDate[d]} onClick={() => open(r, d)} testId={`board-cell-${d}-${r.key}`} />
            ),
          })),
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}>
              <Typography.Text strong>{t('inspection.board.total')}</Typography.Text>
            </Table.Summary.Cell>
            {days.map((d, i) => (
              <Table.Summary.Cell key={d} index={i + 1} align="center">
                <Cell
                  counts={totals[d]}
                  onClick={() =>
                    setSelected({
                      date: d,
                      workshopId: null,
                      workshopName: '',
                      shiftId: 'any',
                      shiftName: null,
                    })
                  }
                />
              </Table.Summary.Cell>
            ))}
          </Table.Summary.Row>
        )}
      />
    );

  return (
    <div data-testid="inspection-board">
      {filters}
      <div style={{ marginBottom: 12 }}>
        <Legend />
      </div>
      {content}
      <CellTasks selected={selected} nodeId={nodeId} onClose={() => setSelected(null)} />
    </div>
  );
}

/** The tasks behind a board cell, each opening its detail page. */
function CellTasks({
  selected,
  nodeId,
  onClose,
}: {
  selected: Selected | null;
  nodeId: number | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const list = useQuery({
    ...tasksQuery(selected ? cellTaskQuery(selected, nodeId) : {}),
    enabled: !!selected,
  });
  const tasks = list.data?.items ?? [];
  const title = selected
    ? [
        dayjs(selected.date).format('YYYY-MM-DD'),
        selected.workshopName,
        selected.shiftId === 'any' ? '' : (selected.shiftName ?? t('inspection.board.noShift')),
      ]
        .filter(Boolean)
        .join(' · ')
    : '';
  return (
    <Drawer
      open={!!selected}
      onClose={onClose}
      size={phone ? '100%' : 560}
      title={title}
      data-testid="board-cell-tasks"
    >
      {list.isLoading ? (
        <Spin style={{ display: 'block', margin: '24px auto' }} />
      ) : tasks.length === 0 ? (
        <Empty description={t('inspection.board.noTasks')} />
      ) : (
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          {tasks.map((x) => (
            <Card key={x.id} size="small" data-task-id={x.id}>
              <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Link to={`/inspection/tasks/${x.id}`}>
                    {x.checkpointName}{' '}
                    <Typography.Text type="secondary">({x.checkpointCode})</Typography.Text>
                  </Link>
                  <Space size={0}>
                    <TaskStateTag state={x.state} />
                    <TaskResultTag result={x.result} />
                  </Space>
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {x.planName} · {x.assignee.name} · {t('inspection.task.due')} {shortTime(x.dueAt)}
                  {x.doneAt ? ` · ${t('inspection.task.doneAt')} ${shortTime(x.doneAt)}` : ''}
                </Typography.Text>
              </Space>
            </Card>
          ))}
        </Space>
      )}
    </Drawer>
  );
}
