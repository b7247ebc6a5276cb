import {
  ISOLATION_KIND_LABELS,
  type IsolationPoint,
  LOCK_STATUS_LABELS,
  LOCKOUT_STATE_LABELS,
  type Lockout,
  type SignatureMeaning,
  type SignInput,
} from '@aegis/shared';
import { LockFilled, UnlockOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Flex, Input, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/notify';
import { SignatureDialog, SignatureList } from '../signature';
import { type LockAct, lockoutQuery, useCancelLockout, useLockAction, useTagCommand } from './api';
import { LOCKOUT_COLOR, when, word } from './SopPage';

const MEANING: Record<LockAct, SignatureMeaning> = { apply: 'confirm', verify: 'verify', release: 'release' };

/** 上锁挂牌: the isolation points, each lock put on, verified by another person and taken off — signed. */
export function LockoutPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const id = Number(useParams().id);
  const q = useQuery(lockoutQuery(id));
  const { data: me } = useMe();
  const action = useLockAction();
  const cancel = useCancelLockout();
  const command = useTagCommand();
  const [signing, setSigning] = useState<{ point: IsolationPoint; act: LockAct } | null>(null);
  const [lockNo, setLockNo] = useState('');
  const [tagNo, setTagNo] = useState('');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  if (q.error) return <Alert type="error" showIcon message={errorText(t, q.error)} />;
  if (!q.data) return null;
  const l: Lockout = q.data;
  // the buttons for anyone holding lockout.apply; the server checks the scope of this equipment
  const may = canAnywhere(me, 'lockout.apply');
  const open = (point: IsolationPoint, act: LockAct) => {
    setLockNo('');
    setTagNo('');
    setNote('');
    setReason('');
    setSigning({ point, act });
  };
  const sign = async (signature: SignInput) => {
    if (!signing) return;
    const { point, act } = signing;
    const body =
      act === 'apply'
        ? { lockNo, tagNo, signature }
        : act === 'verify'
          ? { note, signature }
          : { ...(reason.trim() ? { reason } : {}), signature };
    await action.mutateAsync({ id, pointId: point.id, act, body });
    setSigning(null);
    void message.success(t(`sop.lockout.done.${act}`));
  };
  const locked = l.active;
  // 试启动: send the start command through the connector; while locked the server refuses it
  const tryStart = async (p: IsolationPoint) => {
    const value = typeof p.safeValue === 'boolean' ? !p.safeValue : 1;
    try {
      const r = await command.mutateAsync({
        tagId: p.commandTagId!,
        value,
        reason: t('sop.lockout.tryStartReason', { code: l.code }),
      });
      void message.warning(t('sop.lockout.tryStartSent', { status: r.status, detail: r.detail }), 8);
    } catch (e) {
      void message.info(errorText(t, e), 8);
    }
  };
  return (
    <Flex vertical gap={12} style={{ maxWidth: 860 }}>
      <Alert
        type={locked ? 'error' : l.state === 'released' ? 'success' : 'info'}
        showIcon
        icon={locked ? <LockFilled /> : <UnlockOutlined />}
        data-testid="lockout-banner"
        message={
          <Typography.Text strong>
            {locked
              ? t('sop.lockout.bannerLocked')
              : l.state === 'released'
                ? t('sop.lockout.bannerReleased')
                : word(LOCKOUT_STATE_LABELS[l.state])}
          </Typography.Text>
        }
        description={
          locked
            ? t('sop.lockout.bannerHelp', { equipment: `${l.equipment.code} ${l.equipment.name}` })
            : undefined
        }
      />
      <Card
        size="small"
        title={`${l.code} · ${l.equipment.code} ${l.equipment.name}`}
        extra={<Tag color={LOCKOUT_COLOR[l.state]}>{word(LOCKOUT_STATE_LABELS[l.state])}</Tag>}
      >
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={t('sop.lockout.reason')}>{l.reason}</Descriptions.Item>
          <Descriptions.Item label={t('sop.lockout.location')}>{l.location}</Descriptions.Item>
          <Descriptions.Item
            label={t('sop.run.startedBy')}
          >{`${l.createdBy.name} ${when(l.createdAt)}`}</Descriptions.Item>
          {l.previousStatus && (
            <Descriptions.Item label={t('sop.lockout.previousStatus')}>
              {t(`sop.lockout.status.${l.previousStatus}`)}
            </Descriptions.Item>
          )}
          {l.releasedAt && (
            <Descriptions.Item label={t('sop.lockout.releasedAt')}>{when(l.releasedAt)}</Descriptions.Item>
          )}
          {l.cancelReason && (
            <Descriptions.Item label={t('sop.lockout.cancelled')}>{l.cancelReason}</Descriptions.Item>
          )}
        </Descriptions>
        {l.state === 'draft' && may && (
          <Button
            danger
            size="small"
            onClick={() => {
              let why = '';
              modal.confirm({
                title: t('sop.lockout.cancel'),
                content: <Input onChange={(e) => (why = e.target.value)} placeholder={t('sop.reason')} />,
                onOk: () => cancel.mutateAsync({ id, reason: why }),
              });
            }}
          >
            {t('sop.lockout.cancel')}
          </Button>
        )}
      </Card>
      {l.points.map((p) => (
        <Card
          key={p.id}
          size="small"
          data-testid={`point-${p.id}`}
          title={
            <Space wrap>
              {p.name}
              <Tag>{word(ISOLATION_KIND_LABELS[p.kind])}</Tag>
            </Space>
          }
          extra={
            <Tag
              color={
                p.status === 'verified'
                  ? 'error'
                  : p.status === 'applied'
                    ? 'warning'
                    : p.status === 'released'
                      ? 'success'
                      : 'default'
              }
            >
              {word(LOCK_STATUS_LABELS[p.status])}
            </Tag>
          }
        >
          {p.commandTagLabel && (
            <Typography.Paragraph type="secondary">
              {t('sop.lockout.commandTagIs', {
                tag: p.commandTagLabel,
                safe: p.safeValue === null ? '—' : String(p.safeValue),
              })}
            </Typography.Paragraph>
          )}
          {p.appliedBy && (
            <div>
              {t('sop.lockout.appliedBy', {
                name: p.appliedBy.name,
                time: when(p.appliedAt),
                lock: p.lockNo,
                tag: p.tagNo || '—',
              })}
            </div>
          )}
          {p.verifiedBy && (
            <div>
              {t('sop.lockout.verifiedBy', {
                name: p.verifiedBy.name,
                time: when(p.verifiedAt),
                note: p.verifyNote || '',
              })}
            </div>
          )}
          {p.releasedBy && (
            <div>
              {t('sop.lockout.releasedBy', {
                name: p.releasedBy.name,
                time: when(p.releasedAt),
                reason: p.releaseReason || '',
              })}
            </div>
          )}
          {may && (
            <Space style={{ marginTop: 8 }} wrap>
              {p.status === 'open' && (l.state === 'draft' || l.state === 'applying') && (
                <Button
                  type="primary"
                  icon={<LockFilled />}
                  onClick={() => open(p, 'apply')}
                  data-testid={`point-${p.id}-apply`}
                >
                  {t('sop.lockout.apply')}
                </Button>
              )}
              {p.status === 'applied' && (
                <Button
                  onClick={() => open(p, 'verify')}
                  disabled={p.appliedBy?.id === me?.id}
                  data-testid={`point-${p.id}-verify`}
                >
                  {p.appliedBy?.id === me?.id ? t('sop.lockout.verifyOther') : t('sop.lockout.verify')}
                </Button>
              )}
              {(p.status === 'applied' || p.status === 'verified') && (
                <Button
                  danger
                  icon={<UnlockOutlined />}
                  onClick={() => open(p, 'release')}
                  data-testid={`point-${p.id}-release`}
                >
                  {t('sop.lockout.release')}
                </Button>
              )}
            </Space>
          )}
        </Card>
      ))}
      <Card size="small" title={t('sop.lockout.signatures')}>
        <SignatureList signatures={l.signatures} />
      </Card>
      {signing && (
        <SignatureDialog
          open
          meaning={MEANING[signing.act]}
          title={`${t(`sop.lockout.${signing.act}`)} · ${signing.point.name}`}
          allowDrawing
          summary={
            <Flex vertical gap={8}>
              <Typography.Text>{`${l.code} · ${l.equipment.code} ${l.equipment.name} · ${signing.point.name}`}</Typography.Text>
              {signing.act === 'apply' && (
                <>
                  <Input
                    placeholder={t('sop.lockout.lockNo')}
                    value={lockNo}
                    onChange={(e) => setLockNo(e.target.value)}
                    maxLength={64}
                    data-testid="lock-no"
                  />
                  <Input
                    placeholder={t('sop.lockout.tagNo')}
                    value={tagNo}
                    onChange={(e) => setTagNo(e.target.value)}
                    maxLength={64}
                  />
                </>
              )}
              {signing.act === 'verify' && (
                <Input.TextArea
                  rows={2}
                  placeholder={t('sop.lockout.verifyNote')}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  maxLength={1000}
                />
              )}
              {signing.act === 'release' && signing.point.appliedBy?.id !== me?.id && (
                <Input
                  placeholder={t('sop.lockout.releaseReason', { name: signing.point.appliedBy?.name ?? '' })}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  maxLength={500}
                />
              )}
            </Flex>
          }
          onSign={sign}
          onCancel={() => setSigning(null)}
        />
      )}
    </Flex>
  );
}
