import type { Signature } from '@aegis/shared';
import { Empty, Image, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../app/i18n';
import { meaningWord, STATUS_COLOR, statusWord } from './helpers';

const when = (iso: string) =>
  new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'medium' });

/**
 * A record's signatures, oldest first: meaning, printed name, server time, whether the signature
 * still holds (valid / content changed after signing / not this record), and the drawn image.
 * Stacks on a phone.
 */
export function SignatureList({ signatures }: { signatures: Signature[] }) {
  const { t } = useTranslation();
  const lang = currentLanguage();
  if (signatures.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('signature.list.empty')} />;
  return (
    <div data-testid="signature-list">
      {signatures.map((s) => (
        <div
          key={s.id}
          data-testid={`signature-row-${s.meaning}`}
          style={{
            display: 'flex',
            flexWrap: 'wrap',
            alignItems: 'center',
            gap: '4px 12px',
            padding: '8px 0',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Tag color="blue" style={{ marginInlineEnd: 0 }}>
            {meaningWord(s.meaning, lang)}
          </Tag>
          <Typography.Text strong>{s.printedName}</Typography.Text>
          <Typography.Text type="secondary">{when(s.signedAt)}</Typography.Text>
          <Tooltip
            title={
              <>
                {s.statusText ? <div>{s.statusText}</div> : null}
                <div>
                  {t('signature.list.hash')} {s.contentHash.slice(0, 16)}…
                </div>
                <div>
                  {s.authMethod === 'password+otp' ? t('signature.list.otp') : t('signature.list.password')}
                </div>
              </>
            }
          >
            <Tag
              color={STATUS_COLOR[s.status]}
              data-testid={`signature-status-${s.status}`}
              style={{ marginInlineEnd: 0 }}
            >
              {statusWord(s.status, lang)}
            </Tag>
          </Tooltip>
          {s.hasImage && (
            <Image
              src={`/api/signatures/${s.id}/image`}
              alt={t('signature.list.image', { name: s.printedName })}
              height={40}
              style={{ objectFit: 'contain', background: '#fff', border: '1px solid #f0f0f0' }}
              data-testid="signature-image"
            />
          )}
        </div>
      ))}
    </div>
  );
}
