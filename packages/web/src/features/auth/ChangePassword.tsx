import { KeyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useMe } from '../../app/auth';
import { errorText } from '../../app/notify';
import { useChangePassword, useLogout } from './api';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

function ChangePasswordForm({ onDone, submitText }: { onDone?: () => void; submitText?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const change = useChangePassword();
  const { data: me } = useMe();
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(v) =>
        change.mutate(
          { currentPassword: v.currentPassword, newPassword: v.newPassword },
          {
            onSuccess: () => {
              void message.success(t('password.changed'));
              form.resetFields();
              onDone?.();
            },
          },
        )
      }
    >
      {/* tells the browser's password manager whose password this is */}
      <input type="text" name="username" autoComplete="username" value={me?.username ?? ''} readOnly hidden />
      {change.isError && (
        <Alert type="error" showIcon title={errorText(t, change.error)} style={{ marginBottom: 16 }} />
      )}
      <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('password.new')}
        extra={t('password.policyHint')}
        rules={[{ required: true }]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[
          { required: true },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue('newPassword')
                ? Promise.resolve()
                : Promise.reject(new Error(t('password.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={change.isPending}>
        {submitText ?? t('common.save')}
      </Button>
    </Form>
  );
}

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open={open} onCancel={onClose} title={t('header.changePassword')} footer={null} destroyOnHidden>
      <ChangePasswordForm onDone={onClose} />
    </Modal>
  );
}

/** Shown instead of the app while the server requires a new password (first sign-in, admin reset). */
export function ForcedPasswordChange() {
  const { t } = useTranslation();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'grid',
        placeItems: 'center',
        padding: 16,
        background: '#f5f5f5',
      }}
    >
      <Card style={{ width: '100%', maxWidth: 420 }}>
        <Typography.Title level={4}>
          <KeyOutlined /> {t('password.requiredTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('password.requiredText')}</Typography.Paragraph>
        <ChangePasswordForm submitText={t('password.submit')} />
        <Button
          type="link"
          block
          style={{ marginTop: 8 }}
          onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
        >
          {t('header.logout')}
        </Button>
      </Card>
    </div>
  );
}
