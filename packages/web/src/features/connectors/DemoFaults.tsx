import { ThunderboltOutlined, ToolOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, List, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http, useApiMutation } from '../../app/api';
import { useLocalName } from '../../app/i18n';

type SimEquipment = {
  code: string;
  nameZh: string;
  nameEn: string;
  faults: string[];
  active: Array<{ fault: string; manual: boolean }>;
};

const simulatorKey = ['demo', 'simulator'];

/**
 * 模拟故障: only when the demo's simulator runs in the server, give an equipment item a fault
 * (gas leak, rising vibration…) to watch alarms and interlocks happen, and repair it again.
 */
export function DemoFaults() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const localName = useLocalName();
  const sim = useQuery({
    queryKey: simulatorKey,
    queryFn: () => http.get<SimEquipment[]>('/api/demo/simulator'),
    retry: false,
    refetchInterval: 15_000,
    meta: { silent: true },
  });
  const [equipment, setEquipment] = useState<string | null>(null);
  const [fault, setFault] = useState<string | null>(null);
  // The overview lists running faults too: both follow an injection or a repair.
  const inject = useApiMutation(
    (b: { equipment: string; fault: string }) => http.post('/api/demo/faults', { ...b, rampSeconds: 30 }),
    [simulatorKey, ['overview']],
  );
  const repair = useApiMutation(
    (code: string) => http.del(`/api/demo/faults/${encodeURIComponent(code)}`),
    [simulatorKey, ['overview']],
  );
  if (!sim.data) return null;
  const byCode = new Map(sim.data.map((e) => [e.code, e]));
  const name = (code: string | null) => {
    const e = code ? byCode.get(code) : undefined;
    return e ? `${localName(e)} (${e.code})` : (code ?? '');
  };
  const faultName = (f: string | null) => (f ? t(`demo.faults.${f}`, { defaultValue: f }) : '');
  const faults = (equipment ? byCode.get(equipment)?.faults : undefined) ?? [];
  const running = sim.data.filter((e) => e.active.length > 0);
  const repairOne = (code: string) =>
    repair.mutate(code, {
      onSuccess: () => void message.success(t('demo.repairedNamed', { equipment: name(code) })),
    });
  return (
    <Card size="small" title={t('demo.title')} data-testid="demo-faults">
      <Typography.Paragraph type="secondary">{t('demo.hint')}</Typography.Paragraph>
      <Space wrap>
        <Select
          style={{ minWidth: 200 }}
          placeholder={t('demo.equipment')}
          value={equipment}
          onChange={(v) => {
            setEquipment(v);
            setFault(null);
          }}
          options={sim.data.map((e) => ({ value: e.code, label: name(e.code) }))}
          showSearch={{ optionFilterProp: 'label' }}
          data-testid="demo-equipment"
        />
        <Select
          style={{ minWidth: 160 }}
          placeholder={t('demo.fault')}
          value={fault}
          onChange={setFault}
          disabled={!equipment}
          options={faults.map((f) => ({ value: f, label: faultName(f) }))}
          data-testid="demo-fault"
        />
        <Button
          danger
          icon={<ThunderboltOutlined />}
          disabled={!equipment || !fault}
          loading={inject.isPending}
          onClick={() =>
            inject.mutate(
              { equipment: equipment!, fault: fault! },
              {
                onSuccess: () =>
                  void message.success(
                    t('demo.injectedNamed', { equipment: name(equipment), fault: faultName(fault) }),
                  ),
              },
            )
          }
        >
          {t('demo.inject')}
        </Button>
      </Space>
      <List
        size="small"
        style={{ marginTop: 8 }}
        header={<Typography.Text strong>{t('demo.running')}</Typography.Text>}
        locale={{ emptyText: t('demo.none') }}
        dataSource={running}
        data-testid="demo-running"
        renderItem={(e) => (
          <List.Item
            actions={[
              <Button
                key="repair"
                size="small"
                icon={<ToolOutlined />}
                loading={repair.isPending && repair.variables === e.code}
                onClick={() => repairOne(e.code)}
              >
                {t('demo.repair')}
              </Button>,
            ]}
          >
            <Space wrap size={4}>
              <span>{name(e.code)}</span>
              {e.active.map((f) => (
                <Tag key={f.fault} color="red">
                  {faultName(f.fault)} · {f.manual ? t('demo.manual') : t('demo.automatic')}
                </Tag>
              ))}
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
