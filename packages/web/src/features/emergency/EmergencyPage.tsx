import type { EmergencyPlan, EmergencyRun, EmergencyRunMode } from '@aegis/shared';
import { AlertOutlined, PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Empty, Modal, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { canAnywhere, canAt, useMe } from '../../app/auth';
import { errorText } from '../../app/errorText';
import { currentLanguage } from '../../app/i18n';
import { ReasonModal } from '../../app/ReasonField';
import { downloadFile } from '../inspection/download';
import { plansQuery, planVersionsQuery, runReportUrl, runsQuery, useActivate } from './api';
import { PlanEditor } from './PlanEditor';

const fmt = (iso: string) =>
  new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' });

/** Open runs as banners: red for a real response, orange for a drill. */
function ActiveRuns() {
  const { t } = useTranslation();
  const runs = useQuery(runsQuery({ state: 'active', limit: 50, offset: 0 }));
  const items = runs.data?.items ?? [];
  if (!items.length) return <Empty description={t('emergency.activeNone')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {items.map((r) => (
        <Alert
          key={r.id}
          type={r.mode === 'real' ? 'error' : 'warning'}
          showIcon
          icon={r.mode === 'real' ? <AlertOutlined /> : undefined}
          data-testid={`active-run-${r.id}`}
          message={
            <Typography.Text strong>
              {t(r.mode === 'real' ? 'emergency.realBanner' : 'emergency.drillBanner', {
                plan: r.planName,
                place: r.location,
              })}
            </Typography.Text>
          }
          description={`${r.code} · ${fmt(r.startedAt)} · ${t('emergency.run.progress', { done: r.stepsDone, total: r.stepsTotal })}${r.stepsLate ? ` · ${t('emergency.col.late')} ${r.stepsLate}` : ''}`}
          action={
            <Link to={`/emergency/runs/${r.id}`}>
              <Button type="primary" danger={r.mode === 'real'} size="large">
                {t('emergency.open')}
              </Button>
            </Link>
          }
        />
      ))}
    </Space>
  );
}

/** Every saved version of a plan: when, by whom and why it was changed. */
function VersionsModal({ plan, onClose }: { plan: EmergencyPlan; onClose: () => void }) {
  const { t } = useTranslation();
  const versions = useQuery(planVersionsQuery(plan.id));
  return (
    <Modal open title={`${t('emergency.versions')} · ${plan.code}`} footer={null} onCancel={onClose}>
      <Table
        rowKey="version"
        size="small"
        pagination={false}
        loading={versions.isLoading}
        dataSource={versions.data ?? []}
        columns={[
          { title: t('emergency.col.version'), render: (_, v) => `v${v.version}` },
          { title: t('emergency.col.changed'), render: (_, v) => `${fmt(v.changedAt)} · ${v.changedBy}` },
          { title: t('reason.label'), render: (_, v) => v.reason ?? '' },
        ]}
      />
    </Modal>
  );
}

function PlansTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const plans = useQuery(plansQuery);
  const activate = useActivate();
  const [editing, setEditing] = useState<EmergencyPlan | null | undefined>(undefined);
  const [history, setHistory] = useState<EmergencyPlan | null>(null);
  const [starting, setStarting] = useState<{ plan: EmergencyPlan; mode: EmergencyRunMode } | null>(null);
  return (
    <>
      {canAnywhere(me, 'emergency.manage') && (
        <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setEditing(null)}>
          {t('emergency.newPlan')}
        </Button>
      )}
      <Table<EmergencyPlan>
        rowKey="id"
        size="middle"
        loading={plans.isLoading}
        dataSource={plans.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { title: t('emergency.col.code'), dataIndex: 'code' },
          {
            title: t('emergency.col.name'),
            render: (_, p) => (
              <Space direction="vertical" size={0}>
                <Typography.Text strong>{p.name}</Typography.Text>
                <Space size={4} wrap>
                  <Tag>{t('emergency.steps', { count: p.steps.length })}</Tag>
                  {p.triggers.length > 0 && <Tag color="volcano">{t('emergency.autoTrigger')}</Tag>}
                  {!p.active && <Tag>{t('emergency.inactive')}</Tag>}
                  {p.openRuns.map((r) => (
                    <Link key={r.id} to={`/emergency/runs/${r.id}`}>
                      <Tag color={r.mode === 'real' ? 'red' : 'orange'}>
                        {r.mode === 'real' ? t('emergency.real') : t('emergency.drill')} #{r.id}
                      </Tag>
                    </Link>
                  ))}
                </Space>
              </Space>
            ),
          },
          { title: t('emergency.col.place'), dataIndex: 'location' },
          { title: t('emergency.col.scenario'), render: (_, p) => t(`emergency.scenario.${p.scenario}`) },
          { title: t('emergency.col.level'), render: (_, p) => t('emergency.levelN', { level: p.level }) },
          {
            title: t('emergency.col.version'),
            render: (_, p) => (
              <Button type="link" size="small" onClick={() => setHistory(p)}>
                v{p.version}
              </Button>
            ),
          },
          {
            title: t('emergency.col.actions'),
            render: (_, p) => (
              <Space wrap>
                {canAt(me, 'emergency.activate', p) && p.active && (
                  <>
                    <Button
                      danger
                      type="primary"
                      icon={<ThunderboltOutlined />}
                      data-testid={`activate-${p.code}`}
                      onClick={() => setStarting({ plan: p, mode: 'real' })}
                    >
                      {t('emergency.activate')}
                    </Button>
                    <Button
                      data-testid={`drill-${p.code}`}
                      onClick={() => setStarting({ plan: p, mode: 'drill' })}
                    >
                      {t('emergency.startDrill')}
                    </Button>
                  </>
                )}
                {canAt(me, 'emergency.manage', p) && (
                  <Button type="link" onClick={() => setEditing(p)}>
                    {t('emergency.edit')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {history && <VersionsModal plan={history} onClose={() => setHistory(null)} />}
      {editing !== undefined && <PlanEditor plan={editing} open onClose={() => setEditing(undefined)} />}
      <ReasonModal
        open={starting !== null}
        danger={starting?.mode === 'real'}
        title={
          starting
            ? t(starting.mode === 'real' ? 'emergency.activateTitle' : 'emergency.drillTitle', {
                plan: starting.plan.name,
              })
            : ''
        }
        okText={starting?.mode === 'real' ? t('emergency.activate') : t('emergency.startDrill')}
        onClose={() => setStarting(null)}
        onConfirm={async (reason) => {
          if (!starting) return;
          const run = await activate.mutateAsync({ planId: starting.plan.id, mode: starting.mode, reason });
          void navigate(`/emergency/runs/${run.id}`);
        }}
      >
        {starting && (
          <Alert
            style={{ marginBottom: 12 }}
            type={starting.mode === 'real' ? 'error' : 'warning'}
            showIcon
            message={t(starting.mode === 'real' ? 'emergency.activateWarn' : 'emergency.drillWarn')}
          />
        )}
      </ReasonModal>
    </>
  );
}

function HistoryTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  const runs = useQuery(runsQuery({ limit: 20, offset: (page - 1) * 20 }));
  return (
    <Table<EmergencyRun>
      rowKey="id"
      size="middle"
      loading={runs.isLoading}
      dataSource={runs.data?.items ?? []}
      scroll={{ x: true }}
      pagination={{ current: page, pageSize: 20, total: runs.data?.total ?? 0, onChange: setPage }}
      columns={[
        {
          title: t('emergency.col.code'),
          render: (_, r) => <Link to={`/emergency/runs/${r.id}`}>{r.code}</Link>,
        },
        { title: t('emergency.col.name'), dataIndex: 'planName' },
        { title: t('emergency.col.place'), dataIndex: 'location' },
        {
          title: t('emergency.col.mode'),
          render: (_, r) => (
            <Tag color={r.mode === 'real' ? 'red' : 'orange'}>
              {r.mode === 'real' ? t('emergency.real') : t('emergency.drill')}
            </Tag>
          ),
        },
        { title: t('emergency.col.state'), render: (_, r) => t(`emergency.state.${r.state}`) },
        { title: t('emergency.col.started'), render: (_, r) => fmt(r.startedAt) },
        {
          title: t('emergency.col.progress'),
          render: (_, r) => t('emergency.run.progress', { done: r.stepsDone, total: r.stepsTotal }),
        },
        {
          title: t('emergency.col.late'),
          render: (_, r) => (r.stepsLate ? <Tag color="red">{r.stepsLate}</Tag> : 0),
        },
        {
          title: t('emergency.col.actions'),
          render: (_, r) => (
            <Button
              type="link"
              onClick={() =>
                void downloadFile(runReportUrl(r.id, 'pdf'), `${r.code}.pdf`).catch((e: unknown) =>
                  message.error(errorText(t, e)),
                )
              }
            >
              {t('emergency.run.pdf')}
            </Button>
          ),
        },
      ]}
    />
  );
}

/** 应急管理: open responses and drills first, the plans with 启动/演练, and the record of past runs. */
export function EmergencyPage() {
  const { t } = useTranslation();
  const [sp, setSp] = useSearchParams();
  const tab = sp.get('tab') ?? 'active';
  return (
    <>
      <Typography.Title level={3}>{t('emergency.title')}</Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => setSp({ tab: k }, { replace: true })}
        items={[
          { key: 'active', label: t('emergency.tabs.active'), children: <ActiveRuns /> },
          { key: 'plans', label: t('emergency.tabs.plans'), children: <PlansTab /> },
          { key: 'history', label: t('emergency.tabs.history'), children: <HistoryTab /> },
        ]}
      />
    </>
  );
}
