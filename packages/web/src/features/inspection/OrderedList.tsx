import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, HolderOutlined } from '@ant-design/icons';
import { Button, Space, Typography, theme } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { moveItem } from './reorder';

/**
 * An ordered list edited by dragging (mouse) or the up/down buttons (phones, keyboards):
 * the walking order of a route's checkpoints, a plan's stops.
 */
export function OrderedList<T>(props: {
  value?: T[];
  onChange?: (v: T[]) => void;
  keyOf: (item: T) => string | number;
  render: (item: T, index: number) => ReactNode;
  empty?: ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const items = props.value ?? [];
  const [dragging, setDragging] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const set = (next: T[]) => props.onChange?.(next);

  if (items.length === 0) return <>{props.empty ?? null}</>;
  return (
    <ol style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid={props.testId}>
      {items.map((item, i) => (
        <li
          key={props.keyOf(item)}
          draggable
          onDragStart={(e) => {
            setDragging(i);
            e.dataTransfer.effectAllowed = 'move';
          }}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(i);
          }}
          onDragLeave={() => setOver((o) => (o === i ? null : o))}
          onDrop={(e) => {
            e.preventDefault();
            if (dragging !== null) set(moveItem(items, dragging, i));
            setDragging(null);
            setOver(null);
          }}
          onDragEnd={() => {
            setDragging(null);
            setOver(null);
          }}
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 8,
            padding: '6px 8px',
            marginBottom: 4,
            border: `1px solid ${over === i ? token.colorPrimary : token.colorBorderSecondary}`,
            borderRadius: token.borderRadius,
            background: dragging === i ? token.colorFillSecondary : token.colorBgContainer,
          }}
        >
          <HolderOutlined style={{ cursor: 'grab', color: token.colorTextTertiary }} aria-hidden />
          <Typography.Text type="secondary" style={{ width: 22, textAlign: 'right' }}>
            {i + 1}.
          </Typography.Text>
          <div style={{ flex: 1, minWidth: 0 }}>{props.render(item, i)}</div>
          <Space size={2}>
            <Button
              size="small"
              type="text"
              icon={<ArrowUpOutlined />}
              disabled={i === 0}
              aria-label={t('inspection.order.up')}
              onClick={() => set(moveItem(items, i, i - 1))}
            />
            <Button
              size="small"
              type="text"
              icon={<ArrowDownOutlined />}
              disabled={i === items.length - 1}
              aria-label={t('inspection.order.down')}
              onClick={() => set(moveItem(items, i, i + 1))}
            />
            <Button
              size="small"
              type="text"
              danger
              icon={<DeleteOutlined />}
              aria-label={t('inspection.order.remove')}
              onClick={() => set(items.filter((_, j) => j !== i))}
            />
          </Space>
        </li>
      ))}
    </ol>
  );
}
