import { ThunderboltOutlined, ToolOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http, useApiMutation } from '../../app/api';

type SimEquipment = { code: string; faults: string[] };

/**
 * 模拟故障: only when the demo's simulator runs in the server, give an equipment item a fault
 * (gas leak, rising vibration…) to watch alarms and interlocks happen, and repair it again.
 */
export function DemoFaults() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const sim = useQuery({
    queryKey: ['demo', 'simulator'],
    queryFn: () => http.get<SimEquipment[]>('/api/demo/simulator'),
    retry: false,
    meta: { silent: true },
  });
  const [equipment, setEquipment] = useState<string | null>(null);
  const [fault, setFault] = useState<string | null>(null);
  const inject = useApiMutation(
    (b: { equipment: string; fault: string }) => http.post('/api/demo/faults', { ...b, rampSeconds: 30 }),
    [],
  );
  const repair = useApiMutation(
    (code: string) => http.del(`/api/demo/faults/${encodeURIComponent(code)}`),
    [],
  );
  if (!sim.data) return null;
  const faults = sim.data.find((e) => e.code === equipment)?.faults ?? [];
  return (
    <Card size="small" title={t('demo.title')} data-testid="demo-faults">
      <Typography.Paragraph type="secondary">{t('demo.hint')}</Typography.Paragraph>
      <Space wrap>
        <Select
          style={{ minWidth: 160 }}
          placeholder={t('demo.equipment')}
          value={equipment}
          onChange={(v) => {
            setEquipment(v);
            setFault(null);
          }}
          options={sim.data.map((e) => ({ value: e.code, label: e.code }))}
          showSearch
        />
        <Select
          style={{ minWidth: 180 }}
          placeholder={t('demo.fault')}
          value={fault}
          onChange={setFault}
          disabled={!equipment}
          options={faults.map((f) => ({ value: f, label: t(`demo.faults.${f}`, { defaultValue: f }) }))}
        />
        <Button
          danger
          icon={<ThunderboltOutlined />}
          disabled={!equipment || !fault}
          loading={inject.isPending}
          onClick={() =>
            inject.mutate(
              { equipment: equipment!, fault: fault! },
              { onSuccess: () => void message.success(t('demo.injected', { equipment, fault })) },
            )
          }
        >
          {t('demo.inject')}
        </Button>
        <Button
          icon={<ToolOutlined />}
          disabled={!equipment}
          loading={repair.isPending}
          onClick={() =>
            repair.mutate(equipment!, {
              onSuccess: () => void message.success(t('demo.repaired', { equipment })),
            })
          }
        >
          {t('demo.repair')}
        </Button>
      </Space>
    </Card>
  );
}
