import {
  type CellStatus,
  COURSE_KINDS,
  type Course,
  type CourseKind,
  HAZARD_TYPES,
  NEED_REASONS,
  PERMIT_TYPES,
  type TrainingNeed,
  type TrainingRecord,
} from '@aegis/shared';
import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  Grid,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/errorText';
import { currentLanguage } from '../../app/i18n';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { downloadFile } from '../inspection/download';
import {
  courseHistoryQuery,
  coursesQuery,
  exportUrl,
  fileBase64,
  type ImportResult,
  matrixQuery,
  mineQuery,
  needsExportUrl,
  needsQuery,
  postsQuery,
  type RecordFilters,
  recordsQuery,
  useDeleteRecord,
  useImportRecords,
  usePlanNeed,
  useSaveCourse,
  useSaveRecord,
  useSetRequirement,
} from './api';

const STATUS_COLOR: Record<CellStatus, string> = {
  valid: 'green',
  expiring: 'orange',
  expired: 'red',
  missing: 'default',
  planned: 'blue',
};

const zh = () => currentLanguage().startsWith('zh');
const courseName = (c: { nameZh: string; nameEn: string }) => (zh() ? c.nameZh : c.nameEn);

function StatusTag({ status, expiresOn }: { status: CellStatus; expiresOn?: string | null }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid={`status-${status}`}>
      {t(`training.status.${status}`)}
      {expiresOn ? ` ${expiresOn}` : ''}
    </Tag>
  );
}

/** 我的培训: the caller's required courses with expiry, first on a phone. */
function MyTraining() {
  const { t } = useTranslation();
  const mine = useQuery(mineQuery);
  if (mine.error) return <Alert type="error" showIcon message={errorText(t, mine.error)} />;
  const items = mine.data?.required ?? [];
  return (
    <Card size="small" title={t('training.mine.title')} loading={mine.isLoading} data-testid="my-training">
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t('training.mine.none')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(c) => (
            <List.Item key={c.courseId}>
              <Space wrap>
                <Typography.Text strong>{courseName(c)}</Typography.Text>
                {c.level === 'recommended' && <Tag>{t('training.level.recommended')}</Tag>}
              </Space>
              <Space direction="vertical" size={0} style={{ textAlign: 'right' }}>
                <StatusTag status={c.status} />
                {c.expiresOn && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.daysLeft !== null && c.daysLeft >= 0
                      ? t('training.mine.expiresIn', { date: c.expiresOn, days: c.daysLeft })
                      : t('training.mine.expiredOn', { date: c.expiresOn })}
                  </Typography.Text>
                )}
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

/** 岗位培训矩阵: per post, its people × courses, coloured by standing. */
function MatrixTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const matrix = useQuery(matrixQuery());
  const [postId, setPostId] = useState<number | null>(null);
  const [editing, setEditing] = useState(false);
  const posts = matrix.data?.posts ?? [];
  // Until one is picked: the first post with people in it (an empty post first says nothing).
  const post = posts.find((p) => p.postId === postId) ?? posts.find((p) => p.people.length > 0) ?? posts[0];
  if (matrix.error) return <Alert type="error" showIcon message={errorText(t, matrix.error)} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          style={{ minWidth: 200 }}
          value={post?.postId}
          onChange={setPostId}
          placeholder={t('training.matrix.post')}
          options={posts.map((p) => ({
            value: p.postId,
            label: `${p.postName}（${p.people.length}）`,
          }))}
        />
        {post && (
          <Space wrap>
            {(['valid', 'expiring', 'expired', 'missing', 'planned'] as const).map((s) => (
              <Tag key={s} color={STATUS_COLOR[s]}>
                {t(`training.status.${s}`)} {post.counts[s] ?? 0}
              </Tag>
            ))}
          </Space>
        )}
        {manage && (
          <Button icon={<PlusOutlined />} onClick={() => setEditing(true)}>
            {t('training.matrix.edit')}
          </Button>
        )}
      </Space>
      {!post ? (
        <Empty description={t('training.matrix.empty')} />
      ) : (
        <Table
          rowKey="userId"
          size="small"
          loading={matrix.isLoading}
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={post.people}
          columns={[
            {
              title: t('training.col.person'),
              fixed: 'left',
              render: (_, p) => (
                <Link to={`/training?tab=records&userId=${p.userId}`}>
                  {p.name}
                  {p.teamName ? ` · ${p.teamName}` : ''}
                </Link>
              ),
            },
            ...post.courses.map((c, i) => ({
              key: c.courseId,
              title: (
                <Space direction="vertical" size={0}>
                  <span>{courseName(c)}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                    {t(`training.level.${c.level}`)}
                    {c.validityMonths ? ` · ${t('training.course.months', { n: c.validityMonths })}` : ''}
                  </Typography.Text>
                </Space>
              ),
              render: (_: unknown, p: (typeof post.people)[number]) => {
                const cell = p.cells[i]!;
                return <StatusTag status={cell.status} expiresOn={cell.expiresOn} />;
              },
            })),
          ]}
        />
      )}
      {editing && <RequirementModal onClose={() => setEditing(false)} />}
    </Space>
  );
}

function RequirementModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const posts = useQuery(postsQuery);
  const courses = useQuery(coursesQuery);
  const set = useSetRequirement();
  const [form] = Form.useForm();
  return (
    <Modal
      open
      title={t('training.matrix.edit')}
      onCancel={onClose}
      okButtonProps={{ loading: set.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        await set.mutateAsync({ ...v, level: v.level === 'none' ? null : v.level });
        message.success(t('training.saved'));
        onClose();
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ level: 'required' }}>
        <Form.Item name="postId" label={t('training.matrix.post')} rules={[{ required: true }]}>
          <Select options={(posts.data ?? []).map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
        <Form.Item name="courseId" label={t('training.col.course')} rules={[{ required: true }]}>
          <Select
            showSearch
            optionFilterProp="label"
            options={(courses.data?.items ?? []).map((c) => ({
              value: c.id,
              label: `${c.code} ${courseName(c)}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="level" label={t('training.matrix.level')}>
          <Select
            options={[
              { value: 'required', label: t('training.level.required') },
              { value: 'recommended', label: t('training.level.recommended') },
              { value: 'none', label: t('training.level.none') },
            ]}
          />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}

/** 培训记录: filter, add, import, export. */
function RecordsTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const userId = params.get('userId') ? Number(params.get('userId')) : undefined;
  const [filters, setFilters] = useState<RecordFilters>({});
  const f = { ...filters, userId };
  const records = useQuery(recordsQuery(f));
  const courses = useQuery(coursesQuery);
  const [editing, setEditing] = useState<TrainingRecord | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TrainingRecord | null>(null);
  const [importing, setImporting] = useState(false);
  const del = useDeleteRecord();
  const download = (format: 'csv' | 'xlsx') =>
    downloadFile(exportUrl(f, format), `aegis-training-records.${format}`).catch((e: unknown) =>
      message.error(errorText(t, e)),
    );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input.Search
          allowClear
          placeholder={t('training.records.search')}
          onSearch={(q) => setFilters((x) => ({ ...x, q: q || undefined }))}
          style={{ width: 220 }}
        />
        <Select
          allowClear
          style={{ minWidth: 180 }}
          placeholder={t('training.col.course')}
          onChange={(courseId?: number) => setFilters((x) => ({ ...x, courseId }))}
          options={(courses.data?.items ?? []).map((c) => ({ value: c.id, label: courseName(c) }))}
        />
        <Select
          allowClear
          style={{ minWidth: 120 }}
          placeholder={t('training.col.standing')}
          onChange={(standing?: CellStatus) => setFilters((x) => ({ ...x, standing }))}
          options={(['valid', 'expiring', 'expired', 'planned'] as const).map((s) => ({
            value: s,
            label: t(`training.status.${s}`),
          }))}
        />
        {userId && (
          <Tag
            closable
            onClose={() => {
              params.delete('userId');
              setParams(params);
            }}
          >
            {records.data?.items[0]?.userName ?? `#${userId}`}
          </Tag>
        )}
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('training.records.add')}
          </Button>
        )}
        {manage && (
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
            {t('training.records.import')}
          </Button>
        )}
        <Button icon={<DownloadOutlined />} onClick={() => download('xlsx')}>
          XLSX
        </Button>
        <Button icon={<DownloadOutlined />} onClick={() => download('csv')}>
          CSV
        </Button>
      </Space>
      {records.error && <Alert type="error" showIcon message={errorText(t, records.error)} />}
      <Table
        rowKey="id"
        size="small"
        loading={records.isLoading}
        scroll={{ x: 'max-content' }}
        dataSource={records.data?.items ?? []}
        pagination={{ pageSize: 50 }}
        columns={[
          { title: t('training.col.person'), dataIndex: 'userName' },
          { title: t('training.col.post'), dataIndex: 'postName' },
          { title: t('training.col.course'), dataIndex: 'courseName' },
          {
            title: t('training.col.standing'),
            render: (_, r) => <StatusTag status={r.standing} />,
          },
          {
            title: t('training.col.completedOn'),
            render: (_, r) =>
              r.completedOn ?? (r.plannedOn ? `${t('training.status.planned')} ${r.plannedOn}` : ''),
          },
          { title: t('training.col.expiresOn'), dataIndex: 'expiresOn' },
          { title: t('training.col.score'), dataIndex: 'score' },
          { title: t('training.col.certificateNo'), dataIndex: 'certificateNo' },
          { title: t('training.col.trainer'), dataIndex: 'trainer' },
          ...(manage
            ? [
                {
                  key: 'actions',
                  title: '',
                  render: (_: unknown, r: TrainingRecord) => (
                    <Space>
                      <Button size="small" onClick={() => setEditing(r)}>
                        {t('training.edit')}
                      </Button>
                      <Button size="small" danger onClick={() => setDeleting(r)}>
                        {t('training.delete')}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && (
        <RecordModal
          record={editing === 'new' ? null : editing}
          courses={courses.data?.items ?? []}
          onClose={() => setEditing(null)}
        />
      )}
      {importing && <ImportModal onClose={() => setImporting(false)} />}
      <ReasonModal
        open={!!deleting}
        danger
        title={t('training.records.deleteTitle', { name: deleting?.userName, course: deleting?.courseName })}
        onConfirm={(reason) => del.mutateAsync({ id: deleting!.id, reason })}
        onClose={() => setDeleting(null)}
      />
    </Space>
  );
}

function RecordModal({
  record,
  courses,
  onClose,
}: {
  record: TrainingRecord | null;
  courses: Course[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const matrix = useQuery(matrixQuery());
  const save = useSaveRecord();
  const [form] = Form.useForm();
  const status = Form.useWatch('status', form) ?? record?.status ?? 'completed';
  const people = useMemo(() => {
    const seen = new Map<number, string>();
    for (const p of matrix.data?.posts ?? [])
      for (const x of p.people) seen.set(x.userId, `${x.name}（${p.postName}）`);
    if (record) seen.set(record.userId, record.userName);
    return [...seen].map(([value, label]) => ({ value, label }));
  }, [matrix.data, record]);
  return (
    <Modal
      open
      title={record ? t('training.records.editTitle') : t('training.records.add')}
      onCancel={onClose}
      okButtonProps={{ loading: save.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        const body = {
          ...v,
          completedOn: v.status === 'completed' ? v.completedOn || null : null,
          expiresOn: v.status === 'completed' ? v.expiresOn || null : null,
          plannedOn: v.status === 'planned' ? v.plannedOn || null : null,
          score: v.score ?? null,
          passed: v.passed ?? null,
          certificateNo: v.certificateNo ?? '',
          trainer: v.trainer ?? '',
          note: v.note ?? '',
        };
        await save.mutateAsync({ id: record?.id ?? null, body });
        message.success(t('training.saved'));
        onClose();
      }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          record
            ? { ...record, expiresOn: record.expiresOn ?? undefined }
            : { status: 'completed', passed: true }
        }
      >
        <Form.Item name="userId" label={t('training.col.person')} rules={[{ required: true }]}>
          <Select showSearch optionFilterProp="label" options={people} />
        </Form.Item>
        <Form.Item name="courseId" label={t('training.col.course')} rules={[{ required: true }]}>
          <Select
            showSearch
            optionFilterProp="label"
            options={courses.map((c) => ({ value: c.id, label: `${c.code} ${courseName(c)}` }))}
          />
        </Form.Item>
        <Form.Item name="status" label={t('training.col.status')}>
          <Select
            options={[
              { value: 'completed', label: t('training.recordStatus.completed') },
              { value: 'planned', label: t('training.recordStatus.planned') },
            ]}
          />
        </Form.Item>
        {status === 'completed' ? (
          <>
            <Form.Item name="completedOn" label={t('training.col.completedOn')} rules={[{ required: true }]}>
              <Input type="date" />
            </Form.Item>
            <Form.Item
              name="expiresOn"
              label={t('training.col.expiresOn')}
              extra={t('training.records.expiresHint')}
            >
              <Input type="date" />
            </Form.Item>
          </>
        ) : (
          <Form.Item name="plannedOn" label={t('training.col.plannedOn')} rules={[{ required: true }]}>
            <Input type="date" />
          </Form.Item>
        )}
        <Space wrap>
          <Form.Item name="score" label={t('training.col.score')}>
            <InputNumber min={0} max={1000} />
          </Form.Item>
          <Form.Item name="passed" label={t('training.col.passed')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Form.Item name="certificateNo" label={t('training.col.certificateNo')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="trainer" label={t('training.col.trainer')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="note" label={t('training.col.note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}

function ImportModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const imp = useImportRecords();
  const [form] = Form.useForm();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  return (
    <Modal
      open
      width={720}
      title={t('training.records.import')}
      onCancel={onClose}
      okText={t('training.import.run')}
      okButtonProps={{ loading: imp.isPending, disabled: !file }}
      onOk={async () => {
        const v = await form.validateFields();
        const format = file!.name.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
        const r = await imp.mutateAsync({
          format,
          content: await fileBase64(file!),
          dryRun: !!v.dryRun,
          reason: v.reason,
        });
        setResult(r);
        if (!r.errors.length && !r.dryRun) {
          message.success(t('training.import.done', { n: r.created }));
          onClose();
        }
      }}
    >
      <Typography.Paragraph type="secondary">{t('training.import.help')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item label={t('training.import.file')}>
          <input
            type="file"
            accept=".csv,.xlsx"
            data-testid="import-file"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
            }}
          />
        </Form.Item>
        <Form.Item name="dryRun" valuePropName="checked">
          <Checkbox>{t('training.import.dryRun')}</Checkbox>
        </Form.Item>
        <ReasonField />
      </Form>
      {result && (
        <Alert
          type={result.errors.length ? 'error' : 'success'}
          showIcon
          message={
            result.errors.length
              ? t('training.import.failed', { n: result.errors.length })
              : t('training.import.checked', { n: result.rows })
          }
          description={
            result.errors.length ? (
              <Table
                size="small"
                rowKey={(e) => `${e.row}-${e.field}-${e.message}`}
                pagination={false}
                dataSource={result.errors}
                columns={[
                  { title: t('training.import.row'), dataIndex: 'row', width: 60 },
                  { title: t('training.import.field'), dataIndex: 'field', width: 120 },
                  { title: t('training.import.message'), dataIndex: 'message' },
                ]}
              />
            ) : undefined
          }
        />
      )}
    </Modal>
  );
}

/** 培训需求: suggestions with the evidence behind each. */
function NeedsTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [days, setDays] = useState(90);
  const [reason, setReason] = useState<TrainingNeed['reason'] | undefined>();
  const needs = useQuery(needsQuery(days));
  const [planning, setPlanning] = useState<TrainingNeed | null>(null);
  const items = (needs.data?.items ?? []).filter((n) => !reason || n.reason === reason);
  const download = (format: 'csv' | 'xlsx') =>
    downloadFile(needsExportUrl(days, format), `aegis-training-needs.${format}`).catch((e: unknown) =>
      message.error(errorText(t, e)),
    );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          value={days}
          onChange={setDays}
          options={[30, 90, 180, 365].map((d) => ({ value: d, label: t('training.needs.days', { n: d }) }))}
        />
        <Select
          allowClear
          style={{ minWidth: 180 }}
          placeholder={t('training.needs.reason')}
          onChange={setReason}
          options={NEED_REASONS.map((r) => ({ value: r, label: t(`training.reason.${r}`) }))}
        />
        <Button icon={<DownloadOutlined />} onClick={() => download('xlsx')}>
          XLSX
        </Button>
        <Button icon={<DownloadOutlined />} onClick={() => download('csv')}>
          CSV
        </Button>
      </Space>
      {needs.error && <Alert type="error" showIcon message={errorText(t, needs.error)} />}
      <Table
        rowKey="key"
        size="small"
        loading={needs.isLoading}
        scroll={{ x: 'max-content' }}
        dataSource={items}
        pagination={{ pageSize: 50 }}
        expandable={{
          rowExpandable: (n) => n.evidence.length > 0,
          expandedRowRender: (n) => (
            <List
              size="small"
              dataSource={n.evidence}
              renderItem={(e) => (
                <List.Item key={`${e.kind}-${e.id}`}>
                  <Link to={e.link}>
                    {e.at.slice(0, 10)} · {e.label}
                  </Link>
                </List.Item>
              )}
            />
          ),
        }}
        columns={[
          {
            title: t('training.needs.reason'),
            render: (_, n) => (
              <Tag color={n.reason === 'missing' || n.reason === 'expired' ? 'red' : 'orange'}>
                {t(`training.reason.${n.reason}`)}
              </Tag>
            ),
          },
          {
            title: t('training.needs.subject'),
            render: (_, n) =>
              n.subject.kind === 'person'
                ? `${n.subject.name}${n.subject.postName ? `（${n.subject.postName}）` : ''}`
                : n.subject.name,
          },
          {
            title: t('training.needs.course'),
            render: (_, n) =>
              n.course ? courseName(n.course) : <Typography.Text type="secondary">—</Typography.Text>,
          },
          { title: t('training.needs.score'), dataIndex: 'score', width: 60 },
          {
            title: t('training.needs.evidence'),
            render: (_, n) => (zh() ? n.summary.zh : n.summary.en),
          },
          {
            key: 'plan',
            title: '',
            render: (_, n) =>
              n.plannedRecordId ? (
                <Tag color="blue">{t('training.status.planned')}</Tag>
              ) : manage && n.subject.kind === 'person' && n.course ? (
                <Button size="small" onClick={() => setPlanning(n)}>
                  {t('training.needs.plan')}
                </Button>
              ) : null,
          },
        ]}
      />
      {planning && <PlanModal need={planning} onClose={() => setPlanning(null)} />}
    </Space>
  );
}

function PlanModal({ need, onClose }: { need: TrainingNeed; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const plan = usePlanNeed();
  const [form] = Form.useForm();
  return (
    <Modal
      open
      title={t('training.needs.plan')}
      onCancel={onClose}
      okButtonProps={{ loading: plan.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        await plan.mutateAsync({
          key: need.key,
          plannedOn: v.plannedOn,
          trainer: v.trainer ?? '',
          reason: v.reason,
        });
        message.success(t('training.saved'));
        onClose();
      }}
    >
      <Typography.Paragraph>{zh() ? need.summary.zh : need.summary.en}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="plannedOn" label={t('training.col.plannedOn')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="trainer" label={t('training.col.trainer')}>
          <Input maxLength={200} />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}

/** 课程: the courses, versioned with a reason. */
function CoursesTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const courses = useQuery(coursesQuery);
  const [editing, setEditing] = useState<Course | 'new' | null>(null);
  const [history, setHistory] = useState<Course | null>(null);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {manage && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('training.course.add')}
        </Button>
      )}
      {courses.error && <Alert type="error" showIcon message={errorText(t, courses.error)} />}
      <Table
        rowKey="id"
        size="small"
        loading={courses.isLoading}
        scroll={{ x: 'max-content' }}
        dataSource={courses.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('training.course.code'), dataIndex: 'code' },
          { title: t('training.col.course'), render: (_, c) => courseName(c) },
          { title: t('training.course.kind'), render: (_, c) => t(`training.kind.${c.kind}`) },
          {
            title: t('training.course.validity'),
            render: (_, c) =>
              c.validityMonths
                ? t('training.course.months', { n: c.validityMonths })
                : t('training.course.forever'),
          },
          {
            title: t('training.course.certificate'),
            render: (_, c) => (c.certificateRequired ? t('training.yes') : ''),
          },
          { title: t('training.course.version'), dataIndex: 'version' },
          {
            key: 'actions',
            title: '',
            render: (_, c) => (
              <Space>
                <Button size="small" onClick={() => setHistory(c)}>
                  {t('training.course.history')}
                </Button>
                {manage && (
                  <Button size="small" onClick={() => setEditing(c)}>
                    {t('training.edit')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {editing && (
        <CourseModal course={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      {history && <HistoryModal course={history} onClose={() => setHistory(null)} />}
    </Space>
  );
}

function CourseModal({ course, onClose }: { course: Course | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const save = useSaveCourse();
  const [form] = Form.useForm();
  return (
    <Modal
      open
      title={course ? `${course.code} ${courseName(course)}` : t('training.course.add')}
      onCancel={onClose}
      okButtonProps={{ loading: save.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        await save.mutateAsync({
          id: course?.id ?? null,
          body: {
            ...v,
            validityMonths: v.validityMonths ?? null,
            description: v.description ?? '',
            sopIds: course?.sopIds ?? [],
            inspectionPlanIds: course?.inspectionPlanIds ?? [],
          },
        });
        message.success(t('training.saved'));
        onClose();
      }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          course ?? {
            kind: 'other' as CourseKind,
            certificateRequired: false,
            active: true,
            permitTypes: [],
            hazardTypes: [],
          }
        }
      >
        <Form.Item name="code" label={t('training.course.code')} rules={[{ required: true }]}>
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="nameZh" label={t('training.course.nameZh')} rules={[{ required: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('training.course.nameEn')} rules={[{ required: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="kind" label={t('training.course.kind')}>
          <Select options={COURSE_KINDS.map((k) => ({ value: k, label: t(`training.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item
          name="validityMonths"
          label={t('training.course.validity')}
          extra={t('training.course.validityHint')}
        >
          <InputNumber min={1} max={600} />
        </Form.Item>
        <Form.Item
          name="certificateRequired"
          label={t('training.course.certificate')}
          valuePropName="checked"
        >
          <Switch />
        </Form.Item>
        <Form.Item name="permitTypes" label={t('training.course.permitTypes')}>
          <Select mode="multiple" options={PERMIT_TYPES.map((p) => ({ value: p, label: p }))} />
        </Form.Item>
        <Form.Item name="hazardTypes" label={t('training.course.hazardTypes')}>
          <Select mode="multiple" options={HAZARD_TYPES.map((h) => ({ value: h, label: h }))} />
        </Form.Item>
        <Form.Item name="description" label={t('training.course.description')}>
          <Input.TextArea rows={3} maxLength={4000} />
        </Form.Item>
        <Form.Item name="active" label={t('training.course.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}

function HistoryModal({ course, onClose }: { course: Course; onClose: () => void }) {
  const history = useQuery(courseHistoryQuery(course.id));
  return (
    <Modal open footer={null} onCancel={onClose} title={`${course.code} ${courseName(course)}`}>
      <List
        loading={history.isLoading}
        dataSource={history.data?.items ?? []}
        renderItem={(v) => (
          <List.Item key={v.version}>
            <List.Item.Meta
              title={`v${v.version} · ${new Date(v.at).toLocaleString(currentLanguage())} · ${v.byName}`}
              description={v.reason}
            />
          </List.Item>
        )}
      />
    </Modal>
  );
}

/** 培训管理: the matrix per post, records, derived needs and courses; "my training" first. */
export function TrainingPage() {
  const { t } = useTranslation();
  const me = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const manage = canAnywhere(me.data, 'training.manage');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'matrix';
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('training.title')}
      </Typography.Title>
      <MyTraining />
      <Tabs
        activeKey={tab}
        size={phone ? 'small' : 'middle'}
        onChange={(k) => {
          params.set('tab', k);
          setParams(params);
        }}
        items={[
          { key: 'matrix', label: t('training.tab.matrix'), children: <MatrixTab manage={manage} /> },
          { key: 'records', label: t('training.tab.records'), children: <RecordsTab manage={manage} /> },
          { key: 'needs', label: t('training.tab.needs'), children: <NeedsTab manage={manage} /> },
          { key: 'courses', label: t('training.tab.courses'), children: <CoursesTab manage={manage} /> },
        ]}
      />
    </Space>
  );
}
