import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../app/api';
import { useMe } from '../../app/auth';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { useLogin } from './api';

export function LoginPage() {
  const { t } = useTranslation();
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const target = next?.startsWith('/') && !next.startsWith('//') ? next : '/';

  if (me.data) return <Navigate to={target} replace />;

  const err = login.error instanceof ApiError ? login.error : null;
  const errorTitle = err ? t(`error.${err.code}`, { defaultValue: err.message }) : login.error?.message;
  // The server's message adds facts (how long the lock lasts) the translated code does not have.
  const errorDetail =
    err && err.code !== 'invalid_credentials' && errorTitle !== err.message ? err.message : null;

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        justifyContent: 'center',
        padding: 16,
        background: 'linear-gradient(160deg, #001529 0%, #0b3a6e 100%)',
      }}
    >
      <div style={{ position: 'absolute', top: 8, right: 8 }}>
        <div style={{ background: '#fff', borderRadius: 6 }}>
          <LanguageSwitch />
        </div>
      </div>
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <div style={{ textAlign: 'center', marginBottom: 24 }}>
          <SafetyOutlined style={{ fontSize: 40, color: '#1677ff' }} />
          <Typography.Title level={3} style={{ margin: '8px 0 0' }}>
            {t('app.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
        </div>
        {login.isError && (
          <Alert
            type="error"
            showIcon
            role="alert"
            data-testid="login-error"
            title={errorTitle}
            description={errorDetail}
            style={{ marginBottom: 16 }}
          />
        )}
        <Form
          layout="vertical"
          requiredMark={false}
          onFinish={(v: { username: string; password: string }) =>
            login.mutate(v, { onSuccess: () => navigate(target, { replace: true }) })
          }
        >
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, message: t('login.usernameRequired') }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={login.isPending}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
