import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Col, Form, Input, Space } from 'antd';
import { useTranslation } from 'react-i18next';

/** The server's field errors above a form, each on its own line. */
export function ProblemsAlert({ title, problems }: { title: string; problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 12 }}
      title={title}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      }
    />
  );
}

/** Cancel and save in a drawer's header; on a phone the drawer's close button stands for cancel. */
export function SaveActions(props: {
  saving: boolean;
  onSave: () => Promise<unknown>;
  onCancel?: (() => void) | undefined;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <Space>
      {props.onCancel && <Button onClick={props.onCancel}>{t('common.cancel')}</Button>}
      <Button
        type="primary"
        loading={props.saving}
        // The form shows what is wrong; nothing more to do with the rejection here.
        onClick={() => void props.onSave().catch(() => {})}
        data-testid={props.testId}
      >
        {t('common.save')}
      </Button>
    </Space>
  );
}

/** A record's code (fixed once created) and name, the first row of most master-data forms. */
export function CodeNameCols(props: {
  codeLabel: string;
  nameLabel: string;
  locked: boolean;
  span?: { code: { xs: number; sm: number }; name: { xs: number; sm: number } };
}) {
  const { t } = useTranslation();
  const span = props.span ?? { code: { xs: 24, sm: 12 }, name: { xs: 24, sm: 12 } };
  return (
    <>
      <Col {...span.code}>
        <Form.Item
          name="code"
          label={props.codeLabel}
          rules={[
            { required: true },
            { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('plant.codeHint') },
          ]}
        >
          <Input maxLength={64} disabled={props.locked} />
        </Form.Item>
      </Col>
      <Col {...span.name}>
        <Form.Item name="name" label={props.nameLabel} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
    </>
  );
}

/** A list row's small edit and delete buttons (icons, labelled for screen readers). */
export function EditDeleteButtons({ onEdit, onDelete }: { onEdit: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <Button size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={onEdit} />
      <Button
        size="small"
        danger
        icon={<DeleteOutlined />}
        aria-label={t('common.delete')}
        onClick={onDelete}
      />
    </>
  );
}

/** A card's "new" button: the icon alone on a phone. */
export function NewButton(props: { label: string; phone: boolean; onClick: () => void; testId: string }) {
  return (
    <Button type="primary" icon={<PlusOutlined />} onClick={props.onClick} data-testid={props.testId}>
      {props.phone ? null : props.label}
    </Button>
  );
}
