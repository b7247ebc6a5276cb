import {
  ALARM_PRIORITIES,
  type AlarmPriority,
  NOTIFY_TRIGGER_KINDS,
  type NotifyEventKind,
} from '@aegis/shared';
import { PlayCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, Button, Col, DatePicker, Empty, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/notify';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { type PreviewResult, usePreview } from './api';
import { KindIcon } from './KindIcon';
import type { PolicyInput } from './policyForm';
import { eventLabel } from './present';

/**
 * 预演 "what would happen": a sample event (kind, priority, node, time) through the policy as
 * edited, unsaved — when each level fires, whom it reaches, over what, and who is left out and why.
 */
export function PreviewPanel({ policy }: { policy: () => PolicyInput | null }) {
  const { t, i18n } = useTranslation();
  const preview = usePreview();
  const [kind, setKind] = useState<NotifyEventKind>('alarm.raised');
  const [priority, setPriority] = useState<AlarmPriority>('critical');
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [at, setAt] = useState<Dayjs | null>(null);
  const [result, setResult] = useState<PreviewResult | null>(null);
  // The sample event's time, so each step shows its minutes after it.
  const [start, setStart] = useState<Dayjs | null>(null);

  const run = () => {
    const p = policy();
    if (!p) return;
    setResult(null);
    setStart(at ?? dayjs());
    preview.mutate(
      // No place given: an event at the node the policy covers, which it matches.
      {
        kind,
        priority,
        nodeId: nodeId ?? p.match.nodeId,
        ...(at ? { at: at.toISOString() } : {}),
        policy: p,
      },
      { onSuccess: setResult },
    );
  };

  return (
    <div data-testid="policy-preview">
      <Row gutter={8}>
        <Col xs={24} sm={12}>
          <Typography.Text type="secondary">{t('notify.preview.kind')}</Typography.Text>
          <Select
            style={{ width: '100%' }}
            value={kind}
            onChange={setKind}
            options={NOTIFY_TRIGGER_KINDS.map((k) => ({ value: k, label: eventLabel(k, i18n.language) }))}
          />
        </Col>
        <Col xs={12} sm={6}>
          <Typography.Text type="secondary">{t('notify.preview.priority')}</Typography.Text>
          <Select
            style={{ width: '100%' }}
            value={priority}
            onChange={setPriority}
            options={ALARM_PRIORITIES.map((p) => ({ value: p, label: t(`alarms.priority.${p}`) }))}
          />
        </Col>
        <Col xs={12} sm={6}>
          <Typography.Text type="secondary">{t('notify.preview.at')}</Typography.Text>
          <DatePicker
            showTime={{ format: 'HH:mm' }}
            format="MM-DD HH:mm"
            value={at}
            onChange={setAt}
            placeholder={t('notify.preview.now')}
            inputReadOnly
            style={{ width: '100%' }}
          />
        </Col>
        <Col xs={24}>
          <Typography.Text type="secondary">{t('notify.preview.node')}</Typography.Text>
          <PlantNodeSelect
            value={nodeId}
            onChange={setNodeId}
            allowClear
            placeholder={t('notify.preview.anyNode')}
          />
        </Col>
      </Row>
      <Button
        icon={<PlayCircleOutlined />}
        onClick={run}
        loading={preview.isPending}
        style={{ marginTop: 8 }}
        data-testid="policy-preview-run"
      >
        {t('notify.preview.run')}
      </Button>
      {preview.isError && (
        <Alert type="error" showIcon style={{ marginTop: 8 }} title={errorText(t, preview.error)} />
      )}
      {result && (
        <div style={{ marginTop: 12 }} data-testid="policy-preview-result">
          {result.steps.length === 0 ? (
            <Empty description={t('notify.preview.nothing')} />
          ) : (
            <Timeline
              items={result.steps.map((s, i) => ({
                key: `${s.policyId}-${s.level}-${s.repeat}-${i}`,
                color: s.level === 1 && s.repeat === 0 ? 'red' : 'orange',
                content: (
                  <div data-testid="policy-preview-step" style={{ minWidth: 0 }}>
                    <Space size={4} wrap>
                      <Typography.Text strong>
                        {dayjs(s.at).format('HH:mm')}
                        {start
                          ? ` (+${Math.max(0, dayjs(s.at).diff(start, 'minute'))} ${t('notify.policy.minutes')})`
                          : ''}
                      </Typography.Text>
                      <Tag>{t('notify.policy.level', { n: s.level })}</Tag>
                      {s.repeat > 0 && (
                        <Tag color="purple">{t('notify.preview.repeat', { n: s.repeat })}</Tag>
                      )}
                      {result.matched.length > 1 && (
                        <Typography.Text type="secondary">{s.policyName}</Typography.Text>
                      )}
                    </Space>
                    <div style={{ marginTop: 4 }}>
                      <Typography.Text type="secondary">{t('notify.preview.recipients')}：</Typography.Text>
                      {s.recipients.length ? (
                        s.recipients.map((r) => (
                          <Tag key={`${r.userId}-${r.via}`} title={r.via}>
                            {r.name}
                            <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                              {' '}
                              · {r.via}
                            </Typography.Text>
                          </Tag>
                        ))
                      ) : (
                        <Typography.Text type="danger">{t('notify.preview.nobody')}</Typography.Text>
                      )}
                    </div>
                    {s.channels.map((c) => (
                      <div key={c.channelId} style={{ marginTop: 4, wordBreak: 'break-word' }}>
                        <KindIcon kind={c.kind} /> {c.name}
                        {'：'}
                        {c.targets.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
                        {c.targets.map((x, j) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: two people may share a name; the list is read-only
                          <span key={j}>
                            {j > 0 && '，'}
                            {x.name} →{' '}
                            {x.address ? (
                              <code>{x.address}</code>
                            ) : (
                              <Typography.Text type="danger">{t('notify.preview.noAddress')}</Typography.Text>
                            )}
                          </span>
                        ))}
                      </div>
                    ))}
                    {s.notes.map((n) => (
                      <div key={n}>
                        <Typography.Text type="warning">
                          <WarningOutlined /> {n}
                        </Typography.Text>
                      </div>
                    ))}
                  </div>
                ),
              }))}
            />
          )}
        </div>
      )}
    </div>
  );
}
