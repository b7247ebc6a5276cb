import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocalName } from '../../app/i18n';
import { riskMeasuresQuery } from './api';

/**
 * Picks control measures (管控措施) of the risk register, e.g. for an inspection plan: by default
 * only those with a check cycle, below `nodeId` when given. Each option names its unit, node and cycle.
 */
export function MeasureSelect(props: {
  value?: number[];
  onChange?: (ids: number[]) => void;
  nodeId?: number | undefined;
  /** also measures without a check cycle */
  all?: boolean;
  id?: string;
}) {
  const { t } = useTranslation();
  const name = useLocalName();
  const measures = useQuery(
    riskMeasuresQuery({ nodeId: props.nodeId, withCycle: props.all ? undefined : true }),
  );
  return (
    <Select<number[]>
      id={props.id}
      mode="multiple"
      allowClear
      value={props.value ?? []}
      onChange={(v) => props.onChange?.(v)}
      loading={measures.isLoading}
      optionFilterProp="label"
      data-testid="risk-measure-select"
      options={(measures.data ?? []).map((m) => ({
        value: m.id,
        label: `${m.description} — ${m.unitName} · ${name({ nameZh: m.nodeNameZh, nameEn: m.nodeNameEn })}${
          m.cycle ? ` · ${t(`risk.cycle.${m.cycle}`)}` : ''
        }`,
      }))}
    />
  );
}
