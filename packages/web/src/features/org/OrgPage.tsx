import { useQuery } from '@tanstack/react-query';
import { Card, Form, Input, Select, Tabs, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useLocalName } from '../../app/i18n';
import { plantNodesQuery } from '../plant/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { UserSelect, useUserNames } from '../users/UserSelect';
import { type OrgKind, orgListQuery } from './api';
import { OrgCrudTab } from './OrgCrudTab';
import { RosterTab } from './RosterTab';

function useNodeName() {
  const name = useLocalName();
  const nodes = useQuery(plantNodesQuery);
  return (id: number | null) => {
    if (id === null) return '—';
    const n = nodes.data?.find((x) => x.id === id);
    return n ? name(n) : `#${id}`;
  };
}

function useDepartmentOptions() {
  const departments = useQuery(orgListQuery('departments'));
  const options = (departments.data ?? []).map((d) => ({ value: d.id, label: `${d.name} (${d.code})` }));
  const nameOf = (id: number | null) =>
    id === null ? '—' : (departments.data?.find((d) => d.id === id)?.name ?? `#${id}`);
  return { options, nameOf };
}

const hhmm = (d: Dayjs | null | undefined) => (d ? d.format('HH:mm') : undefined);
const fromHhmm = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return dayjs()
    .hour(h ?? 0)
    .minute(m ?? 0)
    .second(0);
};

function DepartmentsTab() {
  const { t } = useTranslation();
  const nodeName = useNodeName();
  const departments = useDepartmentOptions();
  return (
    <OrgCrudTab
      kind="departments"
      columns={[
        { title: t('org.field.parent'), dataIndex: 'parentId', render: departments.nameOf },
        { title: t('org.field.node'), dataIndex: 'nodeId', render: nodeName },
      ]}
      fields={() => (
        <>
          <Form.Item name="parentId" label={t('org.field.parent')}>
            <Select allowClear options={departments.options} />
          </Form.Item>
          <Form.Item name="nodeId" label={t('org.field.node')}>
            <PlantNodeSelect allowClear />
          </Form.Item>
        </>
      )}
      toBody={(v) => ({ ...v, parentId: v.parentId ?? null, nodeId: v.nodeId ?? null })}
    />
  );
}

function TeamsTab() {
  const { t } = useTranslation();
  const nodeName = useNodeName();
  const departments = useDepartmentOptions();
  const userName = useUserNames();
  return (
    <OrgCrudTab
      kind="teams"
      columns={[
        { title: t('org.field.workshop'), dataIndex: 'nodeId', render: nodeName },
        { title: t('org.field.department'), dataIndex: 'departmentId', render: departments.nameOf },
        { title: t('org.field.leader'), dataIndex: 'leaderId', render: userName },
      ]}
      fields={() => (
        <>
          <Form.Item name="nodeId" label={t('org.field.workshop')} rules={[{ required: true }]}>
            <PlantNodeSelect levels={['area']} />
          </Form.Item>
          <Form.Item name="departmentId" label={t('org.field.department')}>
            <Select allowClear options={departments.options} />
          </Form.Item>
          <Form.Item name="leaderId" label={t('org.field.leader')}>
            <UserSelect />
          </Form.Item>
        </>
      )}
      toBody={(v) => ({ ...v, departmentId: v.departmentId ?? null, leaderId: v.leaderId ?? null })}
    />
  );
}

function PostsTab() {
  const { t } = useTranslation();
  return (
    <OrgCrudTab
      kind="posts"
      global
      columns={[{ title: t('org.field.description'), dataIndex: 'description', ellipsis: true }]}
      fields={() => (
        <Form.Item name="description" label={t('org.field.description')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      )}
      toBody={(v) => ({ ...v, description: (v.description as string | undefined) ?? '' })}
    />
  );
}

function ShiftsTab() {
  const { t } = useTranslation();
  return (
    <OrgCrudTab
      kind="shifts"
      global
      columns={[
        { title: t('org.field.startTime'), dataIndex: 'startTime', width: 100 },
        { title: t('org.field.endTime'), dataIndex: 'endTime', width: 100 },
      ]}
      fields={() => (
        <>
          <Form.Item name="startTime" label={t('org.field.startTime')} rules={[{ required: true }]}>
            <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item
            name="endTime"
            label={t('org.field.endTime')}
            rules={[{ required: true }]}
            extra={t('org.shiftHint')}
          >
            <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} style={{ width: '100%' }} />
          </Form.Item>
        </>
      )}
      toValues={(r) => ({ ...r, startTime: fromHhmm(r.startTime), endTime: fromHhmm(r.endTime) })}
      toBody={(v) => ({
        code: v.code,
        name: v.name,
        startTime: hhmm(v.startTime as Dayjs),
        endTime: hhmm(v.endTime as Dayjs),
      })}
    />
  );
}

type OrgTab = OrgKind | 'roster';
const TABS: Record<OrgTab, () => React.ReactNode> = {
  departments: DepartmentsTab,
  teams: TeamsTab,
  posts: PostsTab,
  shifts: ShiftsTab,
  roster: RosterTab,
};
const TAB_KEYS = Object.keys(TABS) as OrgTab[];

export function OrgPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { tab } = useParams();
  const active: OrgTab = TAB_KEYS.includes(tab as OrgTab) ? (tab as OrgTab) : 'departments';
  return (
    <Card size="small" title={t('org.title')}>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(`/org/${k}`)}
        destroyOnHidden
        items={TAB_KEYS.map((k) => {
          const Tab = TABS[k];
          return { key: k, label: t(`org.tab.${k}`), children: <Tab /> };
        })}
      />
    </Card>
  );
}
