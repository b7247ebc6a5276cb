import type { User } from '@aegis/shared';
import { KeyOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Col,
  Divider,
  Drawer,
  Form,
  Grid,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Switch,
  Tag,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { orgListQuery } from '../org/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { useResetPassword, useSaveUser } from './api';
import { RoleGrants } from './RoleGrants';

type Values = Partial<Omit<User, 'id'>> & { password?: string };

const nullIfEmpty = (v: unknown) => (typeof v === 'string' ? v.trim() || null : (v ?? null));

/**
 * Create a user (`user` null) or edit one, with the user's role grants below. The drawer edits
 * the snapshot taken when it opened, so a list refresh never wipes what is being typed. A new
 * user is handed to `onCreated`, so that roles can be granted right away.
 */
export function UserDrawer({
  open,
  user,
  onClose,
  onCreated,
}: {
  open: boolean;
  user: User | null;
  onClose: () => void;
  onCreated: (user: User) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<Values>();
  const save = useSaveUser();
  const [resetting, setResetting] = useState(false);
  const orgReadable = canAnywhere(me, 'org.read');
  const posts = useQuery({ ...orgListQuery('posts'), enabled: open && orgReadable });
  const teams = useQuery({ ...orgListQuery('teams'), enabled: open && orgReadable });
  const departments = useQuery({ ...orgListQuery('departments'), enabled: open && orgReadable });
  const writable = canAnywhere(me, 'user.write');

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(user ?? { kind: 'person', locale: 'zh-CN' });
  }, [open, user, form]);

  const submit = (v: Values) => {
    const common = {
      displayName: v.displayName?.trim(),
      employeeNo: nullIfEmpty(v.employeeNo),
      phone: nullIfEmpty(v.phone),
      email: nullIfEmpty(v.email),
      postId: v.postId ?? null,
      teamId: v.teamId ?? null,
      departmentId: v.departmentId ?? null,
      homeNodeId: v.homeNodeId ?? null,
      locale: v.locale,
    };
    const body = user
      ? { ...common, active: v.active }
      : { ...common, username: v.username?.trim(), kind: v.kind, password: v.password };
    save.mutate(
      { id: user?.id ?? null, body },
      {
        onSuccess: (saved) => {
          void message.success(t('common.saved'));
          if (!user) onCreated(saved);
        },
      },
    );
  };

  const opts = (rows: { id: number; name: string; code: string }[] | undefined) =>
    (rows ?? []).map((r) => ({ value: r.id, label: `${r.name} (${r.code})` }));

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 640}
      title={
        user ? (
          <Space wrap>
            {t('users.edit', { name: user.displayName })}
            {user.locked && <Tag color="red">{t('users.locked')}</Tag>}
          </Space>
        ) : (
          t('users.new')
        )
      }
      forceRender
      extra={
        writable && (
          <Button type="primary" onClick={() => form.submit()} loading={save.isPending}>
            {t('common.save')}
          </Button>
        )
      }
    >
      <Form form={form} name="user" layout="vertical" disabled={!writable} onFinish={submit}>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="username" label={t('users.field.username')} rules={[{ required: true }]}>
              <Input disabled={!!user} autoComplete="off" maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="displayName"
              label={t('users.field.displayName')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          {!user && (
            <>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="password"
                  label={t('users.field.initialPassword')}
                  extra={t('password.policyHint')}
                  rules={[{ required: true }]}
                >
                  <Input.Password autoComplete="new-password" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="kind" label={t('users.field.kind')}>
                  <Select
                    options={[
                      { value: 'person', label: t('users.kind.person') },
                      { value: 'machine', label: t('users.kind.machine') },
                    ]}
                  />
                </Form.Item>
              </Col>
            </>
          )}
          <Col xs={24} sm={12}>
            <Form.Item name="employeeNo" label={t('users.field.employeeNo')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="phone" label={t('users.field.phone')}>
              <Input type="tel" maxLength={20} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="email" label={t('users.field.email')} rules={[{ type: 'email' }]}>
              <Input type="email" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="locale" label={t('users.field.locale')}>
              <Select
                options={[
                  { value: 'zh-CN', label: '简体中文' },
                  { value: 'en-US', label: 'English' },
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="departmentId" label={t('users.field.department')}>
              <Select allowClear options={opts(departments.data)} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="teamId" label={t('users.field.team')}>
              <Select allowClear options={opts(teams.data)} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="postId" label={t('users.field.post')}>
              <Select allowClear options={opts(posts.data)} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="homeNodeId" label={t('users.field.homeNode')} extra={t('users.homeNodeHint')}>
              <PlantNodeSelect allowClear />
            </Form.Item>
          </Col>
          {user && (
            <Col xs={24} sm={12}>
              <Form.Item name="active" label={t('users.field.active')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
          )}
        </Row>
      </Form>
      {user && writable && (
        <Button icon={<KeyOutlined />} onClick={() => setResetting(true)}>
          {t('users.resetPassword')}
        </Button>
      )}
      {user && canAnywhere(me, 'role.read') && (
        <>
          <Divider titlePlacement="start">{t('grants.title')}</Divider>
          <RoleGrants userId={user.id} />
        </>
      )}
      {user && <ResetPasswordModal open={resetting} user={user} onClose={() => setResetting(false)} />}
    </Drawer>
  );
}

function ResetPasswordModal({ open, user, onClose }: { open: boolean; user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reset = useResetPassword();
  const [form] = Form.useForm<{ password: string }>();
  return (
    <Modal
      open={open}
      title={t('users.resetPasswordOf', { name: user.displayName })}
      okText={t('users.resetPassword')}
      okButtonProps={{ loading: reset.isPending }}
      onCancel={() => {
        form.resetFields();
        onClose();
      }}
      forceRender
      onOk={async () => {
        const { password } = await form.validateFields();
        reset.mutate(
          { id: user.id, password },
          {
            onSuccess: () => {
              void message.success(t('users.passwordReset'));
              form.resetFields();
              onClose();
            },
          },
        );
      }}
    >
      <Form form={form} layout="vertical">
        <Form.Item
          name="password"
          label={t('password.new')}
          extra={t('users.resetHint')}
          rules={[{ required: true }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
