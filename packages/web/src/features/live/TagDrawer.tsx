import type { AlarmView } from '@aegis/shared';
import { BellOutlined, LineChartOutlined } from '@ant-design/icons';
import { Button, Descriptions, Drawer, Grid, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLocalName } from '../../app/i18n';
import { PriorityTag, StateTag, useAlarmText } from '../alarms/present';
import { RuleDrawer } from '../alarms/RuleDrawer';
import { formatTs, formatValue, QualityBadge } from '../realtime/format';
import type { LivePoint } from '../realtime/hooks';
import type { TagRow } from '../tags/api';
import { tagRef } from '../tags/TagSelect';

/** One tag of the live view in full: value, range, source, its alarms, links to trend and rules. */
export function TagDrawer({
  tag,
  value,
  alarms,
  onClose,
}: {
  tag: TagRow | null;
  value: LivePoint | undefined;
  alarms: AlarmView[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const name = useLocalName();
  const phone = Grid.useBreakpoint().md === false;
  const [rulesOpen, setRulesOpen] = useState(false);
  const yesNo: [string, string] = [t('realtime.on'), t('realtime.off')];
  return (
    <Drawer
      open={!!tag}
      onClose={onClose}
      size={phone ? '100%' : 480}
      title={tag ? name(tag) : null}
      data-testid="tag-drawer"
    >
      {tag && (
        <>
          <div style={{ fontSize: 32, fontVariantNumeric: 'tabular-nums', marginBottom: 4 }}>
            {formatValue(value?.value, tag, yesNo)}{' '}
            <Typography.Text type="secondary" style={{ fontSize: 16 }}>
              {tag.unit}
            </Typography.Text>
          </div>
          <Space size={12} style={{ marginBottom: 16 }} wrap>
            <QualityBadge quality={value?.quality} />
            <Typography.Text type="secondary">{formatTs(value?.ts)}</Typography.Text>
          </Space>
          <Space wrap style={{ marginBottom: 16 }}>
            <Link to={`/trends?tags=${tag.id}&range=1h`}>
              <Button icon={<LineChartOutlined />}>{t('live.openTrend')}</Button>
            </Link>
            <Button icon={<BellOutlined />} onClick={() => setRulesOpen(true)} data-testid="tag-rules">
              {t('rules.title')}
            </Button>
          </Space>
          {alarms.length > 0 && (
            <Space orientation="vertical" size={4} style={{ width: '100%', marginBottom: 16 }}>
              {alarms.map((a) => (
                <Space key={a.key} wrap size={4} data-alarm-key={a.key}>
                  <PriorityTag priority={a.priority} />
                  <StateTag alarm={a} />
                  <span>{alarmText(a)}</span>
                </Space>
              ))}
            </Space>
          )}
          <Descriptions
            size="small"
            bordered
            column={1}
            items={[
              { key: 'ref', label: t('tags.field.ref'), children: <code>{tagRef(tag)}</code> },
              { key: 'type', label: t('tags.field.type'), children: t(`tags.type.${tag.type}`) },
              {
                key: 'range',
                label: t('tags.field.range'),
                children:
                  tag.engLow === null && tag.engHigh === null
                    ? '—'
                    : `${tag.engLow ?? '…'} – ${tag.engHigh ?? '…'}`,
              },
              {
                key: 'source',
                label: t('tags.field.source'),
                children: t(`tags.sourceKind.${tag.source.kind}`),
              },
              ...(tag.states
                ? [
                    {
                      key: 'states',
                      label: t('tags.field.states'),
                      children: Object.entries(tag.states)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', '),
                    },
                  ]
                : []),
            ]}
          />
          <RuleDrawer tag={rulesOpen ? tag : null} onClose={() => setRulesOpen(false)} />
        </>
      )}
    </Drawer>
  );
}
