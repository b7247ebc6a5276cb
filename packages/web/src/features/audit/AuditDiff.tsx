import { Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

type Change = 'added' | 'removed' | 'changed' | 'same';
interface Row {
  path: string;
  before: unknown;
  after: unknown;
  change: Change;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** { a: { b: 1 } } → { "a.b": 1 }; arrays and scalars are leaves. */
function flatten(v: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (isObject(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = v;
  } else if (v !== null && v !== undefined) {
    out['(value)'] = v;
  }
  return out;
}

export function diffRows(before: unknown, after: unknown): Row[] {
  const b = flatten(before);
  const a = flatten(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.map((path) => {
    const inB = path in b;
    const inA = path in a;
    const same = JSON.stringify(b[path]) === JSON.stringify(a[path]);
    const change: Change = !inB ? 'added' : !inA ? 'removed' : same ? 'same' : 'changed';
    return { path, before: b[path], after: a[path], change };
  });
}

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const COLOUR: Record<Change, string | undefined> = {
  added: '#f6ffed',
  removed: '#fff1f0',
  changed: '#fffbe6',
  same: undefined,
};

/** The before/after of an audit entry as a field-by-field comparison; changed fields are tinted. */
export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const rows = diffRows(before, after);
  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noData')}</Typography.Text>;
  return (
    <Table<Row>
      rowKey="path"
      size="small"
      pagination={false}
      dataSource={rows}
      tableLayout="fixed"
      onRow={(r) => ({ style: { background: COLOUR[r.change] } })}
      columns={[
        {
          title: t('audit.diff.field'),
          dataIndex: 'path',
          width: '30%',
          render: (v: string) => <code style={{ overflowWrap: 'anywhere' }}>{v}</code>,
        },
        {
          title: t('audit.diff.before'),
          dataIndex: 'before',
          render: (v: unknown, r) => (
            <span
              style={{
                overflowWrap: 'anywhere',
                ...(r.change === 'changed' || r.change === 'removed'
                  ? { textDecoration: 'line-through', color: '#a8071a' }
                  : {}),
              }}
            >
              {show(v)}
            </span>
          ),
        },
        {
          title: t('audit.diff.after'),
          dataIndex: 'after',
          render: (v: unknown, r) => (
            <span
              style={{
                overflowWrap: 'anywhere',
                ...(r.change !== 'same' ? { color: '#135200', fontWeight: 500 } : {}),
              }}
            >
              {show(v)}
            </span>
          ),
        },
      ]}
    />
  );
}
