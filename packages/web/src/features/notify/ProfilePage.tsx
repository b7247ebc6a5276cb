import { LOCALES } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Result, Row, Select, Space, Spin, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/notify';
import { notifyProfileQuery, useSaveNotifyProfile } from './api';
import { type ProfileFormValues, profileUpdate, valuesFromProfile } from './profileForm';
import { TimeField } from './TimeField';

const LOCALE_LABEL: Record<(typeof LOCALES)[number], string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

/** 我的通知设置: where Aegis reaches me, in which language, and when low priority may wait. */
export function ProfilePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const profile = useQuery(notifyProfileQuery);
  const save = useSaveNotifyProfile();
  const [form] = Form.useForm<ProfileFormValues>();
  const quietOn = Form.useWatch('quietOn', form);

  useEffect(() => {
    if (profile.data) form.setFieldsValue(valuesFromProfile(profile.data));
  }, [profile.data, form]);

  if (profile.isLoading) return <Spin style={{ display: 'block', margin: '48px auto' }} />;
  if (profile.isError) {
    return (
      <Result
        status="error"
        title={t('common.loadFailed')}
        subTitle={errorText(t, profile.error)}
        extra={<Button onClick={() => void profile.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }

  const submit = async () => {
    const v = await form.validateFields();
    await save.mutateAsync(profileUpdate(v));
    void message.success(t('common.saved'));
  };

  return (
    <Card size="small" title={t('notify.profile.title')} style={{ maxWidth: 760 }}>
      <Form form={form} layout="vertical" name="notify-profile" data-testid="notify-profile-form">
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="email"
              label={t('notify.profile.email')}
              rules={[{ type: 'email', message: t('notify.profile.emailInvalid') }]}
            >
              <Input maxLength={320} inputMode="email" autoComplete="email" placeholder="name@example.com" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="mobile"
              label={t('notify.profile.mobile')}
              extra={t('notify.profile.mobileHint')}
              rules={[{ pattern: /^\+?[0-9\s-]{6,20}$/, message: t('notify.profile.mobileInvalid') }]}
            >
              <Input maxLength={20} inputMode="tel" autoComplete="tel" placeholder="13812345678" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="wecomUserId" label={t('notify.profile.wecomUserId')}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="dingtalkUserId" label={t('notify.profile.dingtalkUserId')}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="feishuUserId" label={t('notify.profile.feishuUserId')}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="locale"
              label={t('notify.profile.locale')}
              extra={t('notify.profile.localeHint')}
            >
              <Select options={LOCALES.map((l) => ({ value: l, label: LOCALE_LABEL[l] }))} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('notify.profile.quietHours')} style={{ marginBottom: 8 }}>
          <Space wrap>
            <Form.Item name="quietOn" valuePropName="checked" noStyle>
              <Switch data-testid="notify-quiet-on" />
            </Form.Item>
            <Form.Item name="quietFrom" noStyle>
              <TimeField disabled={!quietOn} aria-label={t('notify.profile.quietFrom')} />
            </Form.Item>
            <span>—</span>
            <Form.Item name="quietTo" noStyle>
              <TimeField disabled={!quietOn} aria-label={t('notify.profile.quietTo')} />
            </Form.Item>
          </Space>
        </Form.Item>
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('notify.profile.quietHint')} />
        <Button
          type="primary"
          loading={save.isPending}
          onClick={() => void submit().catch(() => {})}
          data-testid="notify-profile-save"
        >
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
