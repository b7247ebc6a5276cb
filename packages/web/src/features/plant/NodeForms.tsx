import { NODE_STATUSES, type PlantLevel, type PlantNode } from '@aegis/shared';
import { Col, Form, Input, Modal, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { ReasonField } from '../../app/ReasonField';
import { useCreateNode } from './api';
import { LEVEL_ICON } from './levels';

/** code, names, status, description: the fields a node is created and edited with. */
export function NodeFields({ codeDisabled = false }: { codeDisabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <Row gutter={16}>
      <Col xs={24} sm={12}>
        <Form.Item
          name="code"
          label={t('plant.field.code')}
          rules={[
            { required: true },
            { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('plant.codeHint') },
          ]}
        >
          <Input maxLength={64} disabled={codeDisabled} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="status" label={t('plant.field.status')} rules={[{ required: true }]}>
          <Select options={NODE_STATUSES.map((s) => ({ value: s, label: t(`plant.status.${s}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item
          name="nameZh"
          label={t('plant.field.nameZh')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item
          name="nameEn"
          label={t('plant.field.nameEn')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col span={24}>
        <Form.Item name="description" label={t('plant.field.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Col>
    </Row>
  );
}

interface CreateValues {
  level: PlantLevel;
  code: string;
  nameZh: string;
  nameEn: string;
  status: PlantNode['status'];
  description?: string;
  reason: string;
}

/** Adds a node below `parent` (or a new enterprise when parent is null), at one of `levels`. */
export function CreateNodeModal(props: {
  open: boolean;
  parent: PlantNode | null;
  parentName?: string;
  levels: PlantLevel[];
  onClose: () => void;
  onCreated: (node: PlantNode) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CreateValues>();
  const create = useCreateNode();
  return (
    <Modal
      open={props.open}
      title={props.parent ? t('plant.addChildOf', { name: props.parentName }) : t('plant.addEnterprise')}
      okText={t('common.create')}
      okButtonProps={{ loading: create.isPending }}
      onCancel={() => {
        form.resetFields();
        props.onClose();
      }}
      forceRender
      width={640}
      onOk={async () => {
        const v = await form.validateFields();
        create.mutate(
          {
            parentId: props.parent?.id ?? null,
            level: v.level,
            code: v.code.trim(),
            nameZh: v.nameZh.trim(),
            nameEn: v.nameEn.trim(),
            status: v.status,
            description: v.description?.trim() ?? '',
            reason: v.reason.trim(),
          },
          {
            onSuccess: (node) => {
              form.resetFields();
              props.onCreated(node);
            },
          },
        );
      }}
    >
      <Form
        form={form}
        // one modal for a new enterprise and one for a child of the selected node share the page
        name={props.parent ? 'newChild' : 'newEnterprise'}
        layout="vertical"
        initialValues={{ level: props.levels[0], status: 'in_service' }}
      >
        <Form.Item name="level" label={t('plant.field.level')} rules={[{ required: true }]}>
          <Select
            options={props.levels.map((l) => ({
              value: l,
              label: (
                <span>
                  {LEVEL_ICON[l]} {t(`plant.level.${l}`)}
                </span>
              ),
            }))}
          />
        </Form.Item>
        <NodeFields />
        <ReasonField />
      </Form>
    </Modal>
  );
}
