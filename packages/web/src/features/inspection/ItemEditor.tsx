import { ITEM_KINDS, type ItemKind } from '@aegis/shared';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Button,
  Card,
  Col,
  Dropdown,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { TagSelect } from '../tags/TagSelect';
import { type ItemValues, limitsText, newItem, type TemplateFormWithReason } from './templateForm';

const KIND_COLOR: Record<ItemKind, string> = {
  pass_fail: 'green',
  numeric: 'blue',
  choice: 'purple',
  text: 'default',
  photo: 'orange',
  signature: 'cyan',
};

export function ItemKindTag({ kind }: { kind: ItemKind }) {
  const { t } = useTranslation();
  return <Tag color={KIND_COLOR[kind]}>{t(`inspection.kind.${kind}`)}</Tag>;
}

/**
 * 点检项: the checklist's items as cards — kind, key, label and the fields of the kind (limits,
 * options, photos), a bound tag with its tolerance; add, remove, move up and down.
 */
export function ItemEditor({
  form,
  lockedKeys,
}: {
  form: FormInstance<TemplateFormWithReason>;
  lockedKeys: Set<string>;
}) {
  const { t } = useTranslation();
  const items = (Form.useWatch('items', form) ?? []) as ItemValues[];
  return (
    <Form.List
      name="items"
      rules={[
        {
          validator: async (_, v?: unknown[]) => {
            if (!v?.length) throw new Error(t('inspection.template.needItem'));
          },
        },
      ]}
    >
      {(fields, { add, remove, move }, { errors }) => (
        <div data-testid="item-editor">
          {fields.map((field, index) => {
            const item = items[index];
            const kind = item?.kind ?? 'pass_fail';
            const locked = !!item?.key && lockedKeys.has(item.key);
            return (
              <Card
                key={field.key}
                size="small"
                style={{ marginBottom: 12 }}
                data-testid="template-item"
                title={
                  <Space size={4} wrap>
                    <span>{index + 1}.</span>
                    <ItemKindTag kind={kind} />
                    <Typography.Text ellipsis style={{ maxWidth: 220 }}>
                      {item?.label}
                    </Typography.Text>
                  </Space>
                }
                extra={
                  <Space size={2}>
                    <Button
                      size="small"
                      type="text"
                      icon={<ArrowUpOutlined />}
                      aria-label={t('inspection.order.up')}
                      disabled={index === 0}
                      onClick={() => move(index, index - 1)}
                    />
                    <Button
                      size="small"
                      type="text"
                      icon={<ArrowDownOutlined />}
                      aria-label={t('inspection.order.down')}
                      disabled={index === fields.length - 1}
                      onClick={() => move(index, index + 1)}
                    />
                    <Button
                      size="small"
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('inspection.order.remove')}
                      onClick={() => remove(index)}
                    />
                  </Space>
                }
              >
                <Row gutter={8}>
                  <Col xs={24} sm={16}>
                    <Form.Item
                      name={[field.name, 'label']}
                      label={t('inspection.item.label')}
                      rules={[{ required: true, whitespace: true }]}
                    >
                      <Input maxLength={300} data-testid="item-label" />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={8}>
                    <Form.Item name={[field.name, 'kind']} label={t('inspection.item.kind')}>
                      <Select
                        data-testid="item-kind"
                        options={ITEM_KINDS.map((k) => ({ value: k, label: t(`inspection.kind.${k}`) }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={8}>
                    <Form.Item
                      name={[field.name, 'key']}
                      label={t('inspection.item.key')}
                      tooltip={t('inspection.item.keyHint')}
                      rules={[
                        { required: true },
                        { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('plant.codeHint') },
                      ]}
                    >
                      <Input maxLength={64} disabled={locked} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={4}>
                    <Form.Item
                      name={[field.name, 'required']}
                      label={t('inspection.item.required')}
                      valuePropName="checked"
                    >
                      <Switch size="small" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} sm={12}>
                    <Form.Item name={[field.name, 'hint']} label={t('inspection.item.hint')}>
                      <Input maxLength={1000} />
                    </Form.Item>
                  </Col>

                  {kind === 'numeric' && (
                    <>
                      <Col xs={8} sm={4}>
                        <Form.Item name={[field.name, 'unit']} label={t('inspection.item.unit')}>
                          <Input maxLength={32} data-testid="item-unit" />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={5}>
                        <Form.Item name={[field.name, 'low']} label={t('inspection.item.low')}>
                          <InputNumber style={{ width: '100%' }} data-testid="item-low" />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={5}>
                        <Form.Item
                          name={[field.name, 'high']}
                          label={t('inspection.item.high')}
                          dependencies={[['items', field.name, 'low']]}
                          rules={[
                            {
                              validator: async (_, high: number | null) => {
                                const low = items[index]?.low;
                                if (typeof low === 'number' && typeof high === 'number' && low > high)
                                  throw new Error(t('inspection.item.lowAboveHigh'));
                              },
                            },
                          ]}
                        >
                          <InputNumber style={{ width: '100%' }} data-testid="item-high" />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={5}>
                        <Form.Item name={[field.name, 'lowLow']} label={t('inspection.item.lowLow')}>
                          <InputNumber style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={5}>
                        <Form.Item name={[field.name, 'highHigh']} label={t('inspection.item.highHigh')}>
                          <InputNumber style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col xs={8} sm={4}>
                        <Form.Item name={[field.name, 'decimals']} label={t('inspection.item.decimals')}>
                          <InputNumber min={0} max={6} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      {item && limitsText(item) && (
                        <Col xs={24}>
                          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -8 }}>
                            {t('inspection.item.limitsPreview', { limits: limitsText(item) })}
                          </Typography.Paragraph>
                        </Col>
                      )}
                    </>
                  )}

                  {kind === 'choice' && (
                    <>
                      <Col xs={24} sm={12}>
                        <Form.Item
                          name={[field.name, 'options']}
                          label={t('inspection.item.options')}
                          tooltip={t('inspection.item.optionsHint')}
                          rules={[
                            {
                              required: true,
                              type: 'array',
                              min: 2,
                              message: t('inspection.item.needOptions'),
                            },
                          ]}
                        >
                          <Select
                            mode="tags"
                            open={false}
                            tokenSeparators={[',', '，', '、']}
                            suffixIcon={null}
                          />
                        </Form.Item>
                      </Col>
                      <Col xs={24} sm={12}>
                        <Form.Item name={[field.name, 'abnormal']} label={t('inspection.item.abnormal')}>
                          <Select
                            mode="multiple"
                            options={(item?.options ?? []).map((o) => ({ value: o, label: o }))}
                          />
                        </Form.Item>
                      </Col>
                    </>
                  )}

                  {kind === 'photo' && (
                    <Col xs={12} sm={6}>
                      <Form.Item name={[field.name, 'minPhotos']} label={t('inspection.item.minPhotos')}>
                        <InputNumber min={1} max={10} style={{ width: '100%' }} />
                      </Form.Item>
                    </Col>
                  )}

                  {(kind === 'numeric' || kind === 'pass_fail') && (
                    <>
                      <Col xs={24} sm={kind === 'numeric' ? 16 : 24}>
                        <Form.Item
                          name={[field.name, 'tagId']}
                          label={t('inspection.item.tag')}
                          tooltip={t('inspection.item.tagHint')}
                          style={{ marginBottom: kind === 'numeric' ? undefined : 0 }}
                        >
                          <TagSelect placeholder={t('inspection.item.noTag')} />
                        </Form.Item>
                      </Col>
                      {kind === 'numeric' && (
                        <Col xs={24} sm={8}>
                          <Form.Item
                            name={[field.name, 'tolerance']}
                            label={t('inspection.item.tolerance')}
                            tooltip={t('inspection.item.toleranceHint')}
                            style={{ marginBottom: 0 }}
                          >
                            <InputNumber
                              min={0}
                              disabled={!item?.tagId}
                              suffix={item?.unit || undefined}
                              style={{ width: '100%' }}
                            />
                          </Form.Item>
                        </Col>
                      )}
                    </>
                  )}
                </Row>
              </Card>
            );
          })}
          <Form.ErrorList errors={errors} />
          <Dropdown
            trigger={['click']}
            menu={{
              items: ITEM_KINDS.map((k) => ({ key: k, label: t(`inspection.kind.${k}`) })),
              onClick: ({ key }) =>
                add(
                  newItem(key as ItemKind, items, {
                    ok: t('inspection.item.defaultOk'),
                    bad: t('inspection.item.defaultBad'),
                  }),
                ),
            }}
          >
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              disabled={fields.length >= 200}
              data-testid="item-add"
            >
              {t('inspection.template.addItem')}
            </Button>
          </Dropdown>
        </div>
      )}
    </Form.List>
  );
}
