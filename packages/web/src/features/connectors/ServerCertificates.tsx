import type { Connector, ServerCertificate } from '@aegis/shared';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ReasonModal } from '../../app/ReasonField';
import { useDecideCertificate } from './api';

const STATUS_COLOR: Record<ServerCertificate['status'], string> = {
  pending: 'orange',
  approved: 'green',
  rejected: 'red',
};
const day = (iso: string) => dayjs(iso).format('YYYY-MM-DD');

/** Connectors with an OPC UA server certificate waiting for an administrator (trust on first use). */
export const pendingCertificate = (c: Connector) => c.certificates?.find((x) => x.status === 'pending');

/** One alert per connector whose server certificate waits for approval, above the list. */
export function PendingCertificatesAlert({
  connectors,
  onReview,
}: {
  connectors: Connector[];
  onReview: (c: Connector) => void;
}) {
  const { t } = useTranslation();
  const waiting = connectors.filter(pendingCertificate);
  if (waiting.length === 0) return null;
  return (
    <Space orientation="vertical" size={8} style={{ width: '100%' }}>
      {waiting.map((c) => (
        <Alert
          key={c.id}
          type="warning"
          showIcon
          icon={<SafetyCertificateOutlined />}
          data-testid="certificate-pending"
          title={t('connectors.cert.pendingAlert', { code: c.name })}
          action={
            <Button size="small" onClick={() => onReview(c)} data-testid="certificate-review">
              {t('connectors.cert.review')}
            </Button>
          }
        />
      ))}
    </Space>
  );
}

/**
 * The server certificates an OPC UA connector has seen: what an administrator compares with the
 * server (fingerprint, subject, validity) before approving; approving or rejecting needs a reason.
 */
export function ServerCertificates({ connector }: { connector: Connector }) {
  const { t } = useTranslation();
  const decide = useDecideCertificate();
  const [deciding, setDeciding] = useState<{
    cert: ServerCertificate;
    decision: 'approve' | 'reject';
  } | null>(null);
  if (connector.kind !== 'opcua' || connector.id === null || !connector.certificates) return null;
  const certs = connector.certificates;
  return (
    <Card size="small" title={t('connectors.cert.title')} style={{ marginBottom: 12 }}>
      {certs.length === 0 && <Typography.Text type="secondary">{t('connectors.cert.none')}</Typography.Text>}
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {certs.map((cert) => (
          <div key={cert.fingerprint} data-certificate-status={cert.status}>
            <Descriptions
              size="small"
              bordered
              column={1}
              items={[
                {
                  key: 'status',
                  label: t('connectors.field.state'),
                  children: (
                    <Tag color={STATUS_COLOR[cert.status]}>{t(`connectors.cert.status.${cert.status}`)}</Tag>
                  ),
                },
                {
                  key: 'fingerprint',
                  label: t('connectors.cert.fingerprint'),
                  children: (
                    <Typography.Text code copyable style={{ wordBreak: 'break-all', fontSize: 12 }}>
                      {cert.fingerprint}
                    </Typography.Text>
                  ),
                },
                { key: 'subject', label: t('connectors.cert.subject'), children: cert.subject },
                {
                  key: 'validity',
                  label: t('connectors.cert.validity'),
                  children: `${day(cert.validFrom)} – ${day(cert.validTo)}`,
                },
                {
                  key: 'seen',
                  label: t('connectors.cert.firstSeen'),
                  children: dayjs(cert.firstSeenAt).format('YYYY-MM-DD HH:mm'),
                },
              ]}
            />
            {cert.status !== 'approved' && (
              <Space style={{ marginTop: 8 }} wrap>
                <Button
                  type="primary"
                  data-testid="certificate-approve"
                  onClick={() => setDeciding({ cert, decision: 'approve' })}
                >
                  {t('connectors.cert.approve')}
                </Button>
                {cert.status === 'pending' && (
                  <Button danger onClick={() => setDeciding({ cert, decision: 'reject' })}>
                    {t('connectors.cert.reject')}
                  </Button>
                )}
              </Space>
            )}
          </div>
        ))}
      </Space>
      <ReasonModal
        open={!!deciding}
        danger={deciding?.decision === 'reject'}
        title={t(
          deciding?.decision === 'reject' ? 'connectors.cert.rejectTitle' : 'connectors.cert.approveTitle',
          {
            code: connector.name,
          },
        )}
        okText={t(deciding?.decision === 'reject' ? 'connectors.cert.reject' : 'connectors.cert.approve')}
        onClose={() => setDeciding(null)}
        onConfirm={(reason) =>
          decide.mutateAsync({
            id: connector.id!,
            decision: deciding!.decision,
            fingerprint: deciding!.cert.fingerprint,
            reason,
          })
        }
      >
        <Typography.Paragraph>{t('connectors.cert.compare')}</Typography.Paragraph>
        <Typography.Paragraph code style={{ wordBreak: 'break-all' }} data-testid="certificate-decision">
          {deciding?.cert.fingerprint}
        </Typography.Paragraph>
      </ReasonModal>
    </Card>
  );
}
