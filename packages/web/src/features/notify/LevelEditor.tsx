import type { Channel } from '@aegis/shared';
import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  PlusOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import {
  Button,
  Card,
  Col,
  Form,
  type FormInstance,
  InputNumber,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { ChannelName } from './KindIcon';
import {
  type LevelValues,
  levelsOutOfOrder,
  nextLevel,
  type PolicyFormWithReason,
  parseRecipientKey,
} from './policyForm';
import type { useRecipients } from './recipients';

/**
 * 升级层级: the ordered levels of a policy as a vertical timeline of cards — when (minutes after
 * the event), whom, over which channels; add, remove, move up and down.
 */
export function LevelEditor({
  form,
  channels,
  recipients,
}: {
  form: FormInstance<PolicyFormWithReason>;
  channels: Channel[];
  recipients: ReturnType<typeof useRecipients>;
}) {
  const { t } = useTranslation();
  const levels = (Form.useWatch('levels', form) ?? []) as LevelValues[];
  const outOfOrder = new Set(levelsOutOfOrder(levels));
  const channelOptions = channels.map((c) => ({
    value: c.id,
    label: (
      <span style={{ opacity: c.enabled ? 1 : 0.5 }}>
        <ChannelName kind={c.kind} name={c.enabled ? c.name : `${c.name} (${t('notify.disabled')})`} />
      </span>
    ),
    search: `${c.name} ${c.code}`,
  }));
  return (
    <Form.List
      name="levels"
      rules={[
        {
          validator: async (_, v?: unknown[]) => {
            if (!v?.length) throw new Error(t('notify.policy.needLevel'));
          },
        },
      ]}
    >
      {(fields, { add, remove, move }, { errors }) => (
        <div data-testid="level-editor">
          {fields.map((field, index) => {
            const level = levels[index];
            return (
              <div key={field.key} style={{ display: 'flex', gap: 8, minWidth: 0 }}>
                {/* The timeline rail: a numbered dot and a line down to the next level. */}
                <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', flex: 'none' }}>
                  <div
                    style={{
                      width: 24,
                      height: 24,
                      borderRadius: 12,
                      background: index === 0 ? '#cf1322' : '#fa8c16',
                      color: '#fff',
                      display: 'grid',
                      placeItems: 'center',
                      fontSize: 12,
                      fontWeight: 600,
                    }}
                  >
                    {index + 1}
                  </div>
                  {index < fields.length - 1 && <div style={{ flex: 1, width: 2, background: '#d9d9d9' }} />}
                </div>
                <Card
                  size="small"
                  style={{ flex: 1, minWidth: 0, marginBottom: 12 }}
                  data-testid="policy-level"
                  title={
                    <Space size={4} wrap>
                      <span>{t('notify.policy.level', { n: index + 1 })}</span>
                      <Tag color={index === 0 ? 'red' : 'orange'}>
                        {(level?.delayMinutes ?? 0) === 0
                          ? t('notify.policy.atOnce')
                          : t('notify.policy.after', { count: level?.delayMinutes ?? 0 })}
                      </Tag>
                      {outOfOrder.has(index) && (
                        <Tag icon={<WarningOutlined />} color="warning">
                          {t('notify.policy.outOfOrder')}
                        </Tag>
                      )}
                    </Space>
                  }
                  extra={
                    <Space size={2}>
                      <Button
                        size="small"
                        type="text"
                        icon={<ArrowUpOutlined />}
                        aria-label={t('notify.policy.moveUp')}
                        disabled={index === 0}
                        onClick={() => move(index, index - 1)}
                      />
                      <Button
                        size="small"
                        type="text"
                        icon={<ArrowDownOutlined />}
                        aria-label={t('notify.policy.moveDown')}
                        disabled={index === fields.length - 1}
                        onClick={() => move(index, index + 1)}
                      />
                      <Button
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('notify.policy.removeLevel')}
                        disabled={fields.length === 1}
                        onClick={() => remove(index)}
                      />
                    </Space>
                  }
                >
                  <Row gutter={8}>
                    <Col xs={24} sm={8}>
                      <Form.Item
                        name={[field.name, 'delayMinutes']}
                        label={t('notify.policy.delay')}
                        tooltip={t('notify.policy.delayHint')}
                        rules={[{ required: true }]}
                      >
                        <InputNumber
                          min={0}
                          max={1440}
                          suffix={t('notify.policy.minutes')}
                          style={{ width: '100%' }}
                          data-testid="level-delay"
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={16}>
                      <Form.Item
                        name={[field.name, 'channelIds']}
                        label={t('notify.policy.channels')}
                        rules={[
                          { required: true, type: 'array', min: 1, message: t('notify.policy.needChannel') },
                        ]}
                      >
                        <Select
                          mode="multiple"
                          options={channelOptions}
                          showSearch={{ optionFilterProp: 'search' }}
                          placeholder={t('notify.policy.pickChannels')}
                          data-testid="level-channels"
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={24}>
                      <Form.Item
                        name={[field.name, 'recipients']}
                        label={t('notify.policy.recipients')}
                        rules={[
                          {
                            required: true,
                            type: 'array',
                            min: 1,
                            message: t('notify.policy.needRecipient'),
                          },
                        ]}
                        style={{ marginBottom: 0 }}
                      >
                        <Select
                          mode="multiple"
                          options={recipients.options}
                          loading={recipients.loading}
                          showSearch={{ optionFilterProp: 'label' }}
                          placeholder={t('notify.policy.pickRecipients')}
                          labelRender={({ value, label }) => {
                            const r = parseRecipientKey(String(value));
                            return label ?? (r ? recipients.label(r) : String(value));
                          }}
                          data-testid="level-recipients"
                        />
                      </Form.Item>
                    </Col>
                  </Row>
                </Card>
              </div>
            );
          })}
          <Form.ErrorList errors={errors} />
          <Button
            type="dashed"
            block
            icon={<PlusOutlined />}
            disabled={fields.length >= 10}
            onClick={() => add(nextLevel(levels))}
            data-testid="level-add"
          >
            {t('notify.policy.addLevel')}
          </Button>
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, fontSize: 12 }}>
            {t('notify.policy.levelsHint')}
          </Typography.Paragraph>
        </div>
      )}
    </Form.List>
  );
}
