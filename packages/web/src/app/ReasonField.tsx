import { Form, Input, Modal } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** 变更原因: regulated records (plant model, roles, grants) are only changed with a reason, kept in the audit trail. */
export function ReasonField({ name = 'reason' }: { name?: string }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name={name}
      label={t('reason.label')}
      rules={[{ required: true, whitespace: true, min: 3, message: t('reason.required') }]}
    >
      <Input.TextArea rows={2} maxLength={500} showCount placeholder={t('reason.placeholder')} />
    </Form.Item>
  );
}

/**
 * Asks for the reason of a change (a delete, a revoke) and keeps the dialog open with what was
 * typed when the call fails.
 */
export function ReasonModal(props: {
  open: boolean;
  title: ReactNode;
  children?: ReactNode;
  okText?: string;
  danger?: boolean;
  onConfirm: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={props.okText ?? t('common.confirm')}
      okButtonProps={{ danger: props.danger, loading: busy }}
      onCancel={() => {
        form.resetFields();
        props.onClose();
      }}
      forceRender
      onOk={async () => {
        const { reason } = await form.validateFields();
        setBusy(true);
        try {
          await props.onConfirm(reason.trim());
          form.resetFields();
          props.onClose();
        } catch {
          // already shown by the global error message; the reason stays in the field
        } finally {
          setBusy(false);
        }
      }}
    >
      {props.children}
      <Form form={form} layout="vertical">
        <ReasonField />
      </Form>
    </Modal>
  );
}
