import type { AlarmRuleRecord } from '@aegis/shared';
import { DeleteOutlined, EditOutlined, PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Drawer, Empty, Grid, Space, Spin, Switch, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { ReasonModal } from '../../app/ReasonField';
import type { TagRow } from '../tags/api';
import { TagName, tagRef } from '../tags/TagSelect';
import { alarmRulesQuery, useDeleteRule, useUpdateRule } from './api';
import { RuleFormModal } from './RuleForm';
import { summarize } from './rules';

/** The alarm rules of one tag: list, enable/disable, add, edit, delete (each with a reason). */
export function RuleDrawer({ tag, onClose }: { tag: TagRow | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const rules = useQuery({ ...alarmRulesQuery(tag?.id ?? 0), enabled: !!tag });
  const update = useUpdateRule();
  const remove = useDeleteRule();
  const [editing, setEditing] = useState<AlarmRuleRecord | 'new' | null>(null);
  const [toggling, setToggling] = useState<AlarmRuleRecord | null>(null);
  const [deleting, setDeleting] = useState<AlarmRuleRecord | null>(null);
  const manage = canAnywhere(me, 'tag.manage');

  return (
    <Drawer
      open={!!tag}
      onClose={onClose}
      size={phone ? '100%' : 600}
      title={tag ? t('rules.titleOf', { tag: tagRef(tag) }) : null}
      data-testid="rule-drawer"
      extra={
        manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-testid="rule-add"
          >
            {t('rules.addShort')}
          </Button>
        )
      }
    >
      {rules.isLoading ? (
        <Spin />
      ) : (rules.data ?? []).length === 0 ? (
        <Empty description={t('rules.none')} />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {(rules.data ?? []).map((r) => (
            <Card
              key={r.id}
              size="small"
              data-rule-id={r.id}
              title={
                <Space wrap size={4}>
                  <span>{t(`rules.type.${r.rule.type}`)}</span>
                  {!r.enabled && <Tag>{t('rules.disabled')}</Tag>}
                  {r.interlock && (
                    <Tooltip title={t('rules.interlock')}>
                      <Tag color="volcano" icon={<ThunderboltOutlined />}>
                        <TagName id={r.interlock.tagId} /> = {String(r.interlock.value)}
                      </Tag>
                    </Tooltip>
                  )}
                </Space>
              }
              extra={
                manage && (
                  <Space size={4}>
                    <Switch
                      size="small"
                      checked={r.enabled}
                      aria-label={t('rules.field.enabled')}
                      onChange={() => setToggling(r)}
                    />
                    <Button
                      size="small"
                      icon={<EditOutlined />}
                      aria-label={t('common.edit')}
                      onClick={() => setEditing(r)}
                    />
                    <Button
                      size="small"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      onClick={() => setDeleting(r)}
                    />
                  </Space>
                )
              }
            >
              <Typography.Text>{tag ? summarize(t, r.rule, tag.unit) : null}</Typography.Text>
              {r.rule.message && (
                <div>
                  <Typography.Text type="secondary">{r.rule.message}</Typography.Text>
                </div>
              )}
              {(r.rule.onDelayMs > 0 || r.rule.offDelayMs > 0) && (
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('rules.summary.delays', {
                      on: r.rule.onDelayMs / 1000,
                      off: r.rule.offDelayMs / 1000,
                    })}
                  </Typography.Text>
                </div>
              )}
            </Card>
          ))}
        </Space>
      )}
      {tag && (
        <RuleFormModal
          open={editing !== null}
          tag={tag}
          record={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <ReasonModal
        open={!!toggling}
        title={toggling?.enabled ? t('rules.disableTitle') : t('rules.enableTitle')}
        onClose={() => setToggling(null)}
        onConfirm={(reason) => update.mutateAsync({ id: toggling!.id, enabled: !toggling!.enabled, reason })}
      />
      <ReasonModal
        open={!!deleting}
        danger
        title={t('rules.deleteTitle')}
        okText={t('common.delete')}
        onClose={() => setDeleting(null)}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
      />
    </Drawer>
  );
}
