import type { Checkpoint } from '@aegis/shared';
import { AimOutlined, EditOutlined, PrinterOutlined, QrcodeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Drawer,
  Form,
  Grid,
  Input,
  InputNumber,
  Row,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/errorText';
import { CodeNameCols, NewButton, ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { CardList } from '../realtime/CardList';
import { checkpointsQuery, labelsUrl, useRotateToken, useSaveCheckpoint } from './api';
import { downloadFile } from './download';
import { useNodeName } from './parts';

interface CheckpointValues {
  nodeId: number | null;
  code: string;
  name: string;
  description: string;
  lat: number | null;
  lng: number | null;
  radiusM: number | null;
  active: boolean;
  reason?: string;
}

const gps = (c: Checkpoint) =>
  c.lat === null || c.lng === null
    ? null
    : `${c.lat.toFixed(5)}, ${c.lng.toFixed(5)}${c.radiusM ? ` ±${c.radiusM} m` : ''}`;

/** 巡检点: the places a task proves presence at, each with a signed QR label. */
export function CheckpointsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const manage = canAnywhere(me, 'inspection.manage');
  const list = useQuery(checkpointsQuery);
  const nodeName = useNodeName();
  const rotate = useRotateToken();
  const [editing, setEditing] = useState<Checkpoint | 'new' | null>(null);
  const [rotating, setRotating] = useState<Checkpoint | null>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const [printing, setPrinting] = useState(false);
  const rows = list.data ?? [];

  const print = async () => {
    setPrinting(true);
    try {
      await downloadFile(labelsUrl(selected), 'checkpoint-labels.pdf');
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setPrinting(false);
    }
  };

  const state = (c: Checkpoint) =>
    c.active ? <Tag color="green">{t('inspection.active')}</Tag> : <Tag>{t('inspection.inactive')}</Tag>;
  const token = (c: Checkpoint) => (
    <Tooltip title={t('inspection.checkpoint.tokenHint')}>
      <Tag icon={<QrcodeOutlined />}>v{c.tokenVersion}</Tag>
    </Tooltip>
  );
  const actions = (c: Checkpoint) =>
    manage && (
      <Space size={4}>
        <Button
          size="small"
          icon={<EditOutlined />}
          aria-label={t('common.edit')}
          onClick={() => setEditing(c)}
        />
        <Button
          size="small"
          icon={<QrcodeOutlined />}
          onClick={() => setRotating(c)}
          data-testid="checkpoint-rotate"
        >
          {t('inspection.checkpoint.rotate')}
        </Button>
      </Space>
    );
  const toggle = (id: number, on: boolean) =>
    setSelected((s) => (on ? [...new Set([...s, id])] : s.filter((x) => x !== id)));

  return (
    <Card
      size="small"
      title={t('inspection.checkpoint.title')}
      extra={
        <Space>
          {manage && (
            <Button
              icon={<PrinterOutlined />}
              disabled={selected.length === 0}
              loading={printing}
              onClick={() => void print()}
              data-testid="checkpoint-labels"
            >
              {phone ? selected.length || null : t('inspection.checkpoint.labels', { n: selected.length })}
            </Button>
          )}
          {manage && (
            <NewButton
              label={t('inspection.checkpoint.new')}
              phone={phone}
              onClick={() => setEditing('new')}
              testId="checkpoint-new"
            />
          )}
        </Space>
      }
    >
      {manage && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('inspection.checkpoint.labelsHint')}
        </Typography.Paragraph>
      )}
      {phone ? (
        <CardList
          items={rows}
          loading={list.isLoading}
          rowKey={(c) => c.id}
          empty={<Typography.Text type="secondary">{t('inspection.checkpoint.none')}</Typography.Text>}
          render={(c) => (
            <Card size="small" data-checkpoint-code={c.code}>
              <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
                  <Space>
                    {manage && (
                      <Checkbox
                        checked={selected.includes(c.id)}
                        onChange={(e) => toggle(c.id, e.target.checked)}
                        aria-label={t('inspection.checkpoint.select', { name: c.name })}
                      />
                    )}
                    <Typography.Text strong>{c.name}</Typography.Text>
                  </Space>
                  <Space size={0}>
                    {token(c)}
                    {state(c)}
                  </Space>
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.code} · {nodeName(c.nodeId)}
                  {gps(c) ? ` · ${gps(c)}` : ''}
                </Typography.Text>
                {actions(c)}
              </Space>
            </Card>
          )}
        />
      ) : (
        <Table<Checkpoint>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
          scroll={{ x: 'max-content' }}
          rowSelection={
            manage
              ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(Number)) }
              : undefined
          }
          columns={[
            { title: t('inspection.field.code'), dataIndex: 'code', render: (v: string) => <code>{v}</code> },
            { title: t('inspection.field.name'), dataIndex: 'name' },
            { title: t('inspection.field.node'), key: 'node', render: (_, c) => nodeName(c.nodeId) },
            { title: t('inspection.checkpoint.gps'), key: 'gps', render: (_, c) => gps(c) ?? '—' },
            { title: t('inspection.checkpoint.token'), key: 'token', render: (_, c) => token(c) },
            { title: t('inspection.field.active'), key: 'active', render: (_, c) => state(c) },
            ...(manage
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    fixed: 'right' as const,
                    render: (_: unknown, c: Checkpoint) => actions(c),
                  },
                ]
              : []),
          ]}
        />
      )}
      <CheckpointEditor
        open={editing !== null}
        checkpoint={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
      <ReasonModal
        open={!!rotating}
        danger
        title={t('inspection.checkpoint.rotateTitle', { name: rotating?.name ?? '' })}
        okText={t('inspection.checkpoint.rotate')}
        onClose={() => setRotating(null)}
        onConfirm={async (reason) => {
          const r = await rotate.mutateAsync({ id: rotating!.id, reason });
          void message.success(t('inspection.checkpoint.rotated', { version: r.tokenVersion }));
        }}
      >
        <Typography.Paragraph type="warning">{t('inspection.checkpoint.rotateWarning')}</Typography.Paragraph>
      </ReasonModal>
    </Card>
  );
}

/** Creates or edits a checkpoint; "here" fills the coordinates from the phone's GPS. */
function CheckpointEditor({
  open,
  checkpoint,
  onClose,
}: {
  open: boolean;
  checkpoint: Checkpoint | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<CheckpointValues>();
  const save = useSaveCheckpoint();
  const [problems, setProblems] = useState<string[]>([]);
  const [locating, setLocating] = useState(false);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(
      checkpoint
        ? { ...checkpoint }
        : {
            nodeId: null,
            code: '',
            name: '',
            description: '',
            lat: null,
            lng: null,
            radiusM: 50,
            active: true,
          },
    );
  }, [open, checkpoint, form]);

  const here = () => {
    if (!navigator.geolocation) {
      void message.warning(t('inspection.checkpoint.noGps'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        form.setFieldsValue({
          lat: Math.round(p.coords.latitude * 1e6) / 1e6,
          lng: Math.round(p.coords.longitude * 1e6) / 1e6,
        });
      },
      (e) => {
        setLocating(false);
        void message.warning(`${t('inspection.checkpoint.noGps')} (${e.message})`);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };

  const submit = async () => {
    const v = await form.validateFields();
    const coords = {
      lat: v.lat ?? null,
      lng: v.lng ?? null,
      radiusM: v.radiusM ?? null,
    };
    if ((coords.lat === null) !== (coords.lng === null)) {
      setProblems([t('inspection.checkpoint.bothCoords')]);
      return;
    }
    if (checkpoint) {
      await save.mutateAsync({
        id: checkpoint.id,
        body: {
          nodeId: v.nodeId ?? undefined,
          name: v.name.trim(),
          description: (v.description ?? '').trim(),
          ...coords,
          active: v.active,
          reason: (v.reason ?? '').trim(),
        },
      });
    } else {
      await save.mutateAsync({
        id: null,
        body: {
          nodeId: v.nodeId ?? 0,
          code: v.code.trim(),
          name: v.name.trim(),
          description: (v.description ?? '').trim(),
          ...coords,
        },
      });
    }
    setProblems([]);
    void message.success(t('common.saved'));
    onClose();
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 560}
      title={
        checkpoint
          ? t('inspection.checkpoint.edit', { name: checkpoint.name })
          : t('inspection.checkpoint.new')
      }
      data-testid="checkpoint-editor"
      extra={
        <SaveActions
          saving={save.isPending}
          onSave={submit}
          onCancel={phone ? undefined : onClose}
          testId="checkpoint-save"
        />
      }
    >
      <ProblemsAlert title={t('inspection.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="inspection-checkpoint">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('inspection.field.code')}
            nameLabel={t('inspection.field.name')}
            locked={!!checkpoint}
          />
        </Row>
        <Form.Item name="nodeId" label={t('inspection.field.node')} rules={[{ required: true }]}>
          <PlantNodeSelect />
        </Form.Item>
        <Form.Item name="description" label={t('inspection.field.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item label={t('inspection.checkpoint.gps')} extra={t('inspection.checkpoint.gpsHint')}>
          <Row gutter={8}>
            <Col xs={12} sm={8}>
              <Form.Item name="lat" noStyle>
                <InputNumber
                  min={-90}
                  max={90}
                  step={0.0001}
                  placeholder={t('inspection.checkpoint.lat')}
                  style={{ width: '100%' }}
                />
              </Form.Item>
            </Col>
            <Col xs={12} sm={8}>
              <Form.Item name="lng" noStyle>
                <InputNumber
                  min={-180}
                  max={180}
                  step={0.0001}
                  placeholder={t('inspection.checkpoint.lng')}
                  style={{ width: '100%' }}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={8} style={{ marginTop: phone ? 8 : 0 }}>
              <Button icon={<AimOutlined />} loading={locating} onClick={here} block>
                {t('inspection.checkpoint.here')}
              </Button>
            </Col>
          </Row>
        </Form.Item>
        <Form.Item name="radiusM" label={t('inspection.checkpoint.radius')}>
          <InputNumber min={1} max={100000} suffix="m" style={{ width: 160 }} />
        </Form.Item>
        {checkpoint && (
          <>
            <Form.Item name="active" label={t('inspection.field.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <ReasonField />
          </>
        )}
      </Form>
    </Drawer>
  );
}
