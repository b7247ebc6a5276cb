import type { AlarmView } from '@aegis/shared';
import { SoundOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Form, Input, Modal, Radio, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { settleOk } from '../../app/forms';
import { notifyError } from '../../app/notify';
import { type BulkResult, useAcknowledge, useBulkAcknowledge, useCommentAlarm, useShelve } from './api';
import { useAlarmText } from './present';
import { setMuted, unlockSound, useSound } from './sound';

/** The server refuses shelving for longer than this (engine default). */
const MAX_SHELVE_MINUTES = 8 * 60;
const SHELVE_MINUTES = [15, 30, 60, 120, 240, 480] as const;

/** 搁置 shelve: hide an alarm for a while, with a reason that goes into the journal. */
export function ShelveModal({
  alarm,
  onClose,
  onDone,
}: {
  alarm: AlarmView | null;
  onClose: () => void;
  onDone?: () => void;
}) {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const [form] = Form.useForm<{ minutes: number | 'custom'; until?: Dayjs; reason: string }>();
  const minutes = Form.useWatch('minutes', form);
  const shelve = useShelve();
  const close = () => {
    form.resetFields();
    onClose();
  };
  return (
    <Modal
      open={alarm !== null}
      title={t('alarms.shelveTitle', { tag: alarm?.tag ?? '' })}
      okText={t('alarms.action.shelve')}
      okButtonProps={{ loading: shelve.isPending, 'data-testid': 'alarm-shelve-ok' }}
      onCancel={close}
      forceRender
      onOk={settleOk(async () => {
        if (!alarm) return;
        const v = await form.validateFields();
        const until = v.minutes === 'custom' ? v.until!.valueOf() : Date.now() + v.minutes * 60_000;
        await shelve.mutateAsync({ key: alarm.key, until, reason: v.reason.trim() });
        onDone?.();
        close();
      }, notifyError)}
    >
      {alarm && (
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }}>
          {alarmText(alarm)}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" initialValues={{ minutes: 60 }}>
        <Form.Item name="minutes" label={t('alarms.shelveFor')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={[
              ...SHELVE_MINUTES.map((m) => ({
                value: m,
                label: m < 60 ? t('alarms.minutes', { count: m }) : t('alarms.hours', { count: m / 60 }),
              })),
              { value: 'custom', label: t('alarms.shelveUntil') },
            ]}
          />
        </Form.Item>
        {minutes === 'custom' && (
          <Form.Item
            name="until"
            label={t('alarms.shelveUntil')}
            rules={[
              { required: true },
              {
                validator: (_, v?: Dayjs) =>
                  !v || (v.isAfter(dayjs()) && v.diff(dayjs(), 'minute') <= MAX_SHELVE_MINUTES)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('alarms.shelveMax', { hours: MAX_SHELVE_MINUTES / 60 }))),
              },
            ]}
          >
            <DatePicker
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              disabledDate={(d) =>
                d.isBefore(dayjs(), 'day') || d.isAfter(dayjs().add(MAX_SHELVE_MINUTES, 'minute'))
              }
              style={{ width: '100%' }}
            />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('alarms.shelveReason')}
          rules={[{ required: true, whitespace: true, min: 3, message: t('reason.required') }]}
        >
          <Input.TextArea rows={2} maxLength={500} showCount data-testid="alarm-shelve-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function CommentModal({ alarm, onClose }: { alarm: AlarmView | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ text: string }>();
  const comment = useCommentAlarm();
  const close = () => {
    form.resetFields();
    onClose();
  };
  return (
    <Modal
      open={alarm !== null}
      title={t('alarms.commentTitle', { tag: alarm?.tag ?? '' })}
      okButtonProps={{ loading: comment.isPending }}
      onCancel={close}
      forceRender
      onOk={settleOk(async () => {
        if (!alarm) return;
        const { text } = await form.validateFields();
        await comment.mutateAsync({ key: alarm.key, text: text.trim() });
        close();
      }, notifyError)}
    >
      <Form form={form} layout="vertical">
        <Form.Item
          name="text"
          label={t('alarms.field.comment')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * 确认 acknowledge one alarm, with an optional comment in the same step (one request: the
 * comment goes into the journal with the acknowledgement). Enter in the comment confirms.
 */
export function AckModal({
  alarm,
  onClose,
  onDone,
}: {
  alarm: AlarmView | null;
  onClose: () => void;
  onDone?: (alarm: AlarmView) => void;
}) {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ comment?: string }>();
  const ack = useAcknowledge();
  const close = () => {
    form.resetFields();
    onClose();
  };
  const submit = settleOk(async () => {
    if (!alarm) return;
    const { comment } = await form.validateFields();
    await ack.mutateAsync({ key: alarm.key, comment: comment?.trim() || undefined });
    void message.success(t('alarms.acked', { tag: alarm.tag }));
    onDone?.(alarm);
    close();
  }, notifyError);
  return (
    <Modal
      open={alarm !== null}
      title={t('alarms.ackTitle', { tag: alarm?.tag ?? '' })}
      okText={t('alarms.action.ack')}
      okButtonProps={{ loading: ack.isPending, 'data-testid': 'alarm-ack-ok' }}
      onCancel={close}
      forceRender
      onOk={submit}
    >
      {alarm && (
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }}>
          {alarmText(alarm)}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical">
        <Form.Item name="comment" label={t('alarms.ackComment')}>
          <Input.TextArea
            rows={2}
            maxLength={1000}
            showCount
            autoFocus
            data-testid="alarm-ack-comment"
            onPressEnter={(e) => {
              if (e.shiftKey) return;
              e.preventDefault();
              void submit();
            }}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Acknowledges the selected alarms with one optional comment; reports those the server refused. */
export function BulkAckModal({
  keys,
  open,
  onClose,
  onDone,
}: {
  keys: string[];
  open: boolean;
  onClose: () => void;
  onDone: (result: BulkResult) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ comment?: string }>();
  const ack = useBulkAcknowledge();
  const [refused, setRefused] = useState<BulkResult['refused']>([]);
  const close = () => {
    form.resetFields();
    setRefused([]);
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('alarms.bulkAckTitle', { count: keys.length })}
      okText={t('alarms.action.ack')}
      okButtonProps={{
        loading: ack.isPending,
        disabled: keys.length === 0,
        'data-testid': 'alarm-bulk-ack-ok',
      }}
      onCancel={close}
      forceRender
      onOk={settleOk(async () => {
        const { comment } = await form.validateFields();
        const result = await ack.mutateAsync({ keys, comment: comment?.trim() || undefined });
        onDone(result);
        void message.success(t('alarms.bulkAckDone', { count: result.done.length }));
        if (result.refused.length) setRefused(result.refused);
        else close();
      }, notifyError)}
    >
      {refused.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('alarms.bulkAckRefused', { count: refused.length })}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {refused.map((r) => (
                <li key={r.key}>
                  <code>{r.key}</code> {r.message}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Form form={form} layout="vertical">
        <Form.Item name="comment" label={t('alarms.field.comment')}>
          <Input.TextArea rows={2} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Mute/unmute the horn (remembered in this browser); asks for a click when the browser blocked audio. */
export function SoundToggle() {
  const { t } = useTranslation();
  const sound = useSound();
  if (sound.blocked && !sound.muted) {
    return (
      <Button danger icon={<SoundOutlined />} onClick={unlockSound} data-testid="alarm-sound-unlock">
        {t('alarms.sound.blocked')}
      </Button>
    );
  }
  const label = sound.muted ? t('alarms.sound.unmute') : t('alarms.sound.mute');
  return (
    <Tooltip title={label}>
      <Button
        aria-label={label}
        aria-pressed={sound.muted}
        data-testid="alarm-sound-toggle"
        icon={<SoundOutlined style={sound.muted ? { opacity: 0.35 } : undefined} />}
        onClick={() => {
          unlockSound();
          setMuted(!sound.muted);
        }}
      >
        {sound.muted ? t('alarms.sound.muted') : null}
      </Button>
    </Tooltip>
  );
}
