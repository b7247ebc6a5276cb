import type { SignatureMeaning, SignInput } from '@aegis/shared';
import { Alert, Descriptions, Input, Modal, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api';
import { useMe } from '../../app/auth';
import { currentLanguage } from '../../app/i18n';
import { errorText } from '../../app/notify';
import { imageTooLarge, meaningWord, reauthDetails } from './helpers';
import { SignaturePad } from './SignaturePad';

export interface SignatureDialogProps {
  open: boolean;
  meaning: SignatureMeaning;
  title?: ReactNode;
  /** What is being signed, shown above the password. */
  summary?: ReactNode;
  /** Offer the handwriting pad (optional for the signer). */
  allowDrawing?: boolean;
  /** Sends the action with `signature: input`; a rejection is shown in the dialog, which stays open. */
  onSign: (input: SignInput) => Promise<void>;
  onCancel: () => void;
}

const when = (iso: string) =>
  new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' });

/** A refused signature in the signer's words: wrong password and attempts left, locked, too slow. */
export function signErrorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError && e.code === 'reauthentication_failed') {
    const d = reauthDetails(e.details);
    if (d?.expired) return t('signature.error.expired');
    if (d?.lockedUntil) return t('signature.error.locked', { time: when(d.lockedUntil) });
    if (d?.attemptsLeft !== null && d?.attemptsLeft !== undefined)
      return t('signature.error.wrongPassword', { count: d.attemptsLeft });
  }
  return errorText(t, e);
}

/**
 * The signing dialog (21 CFR Part 11): who signs (the printed name), what the signature means, the
 * password typed again, optionally a drawn signature. The server sets the time and checks the password.
 */
export function SignatureDialog({
  open,
  meaning,
  title,
  summary,
  allowDrawing,
  onSign,
  onCancel,
}: SignatureDialogProps) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const [password, setPassword] = useState('');
  const [image, setImage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // one signing at a time, also when Enter and a click come in the same tick (state lags a render)
  const inFlight = useRef(false);
  const lang = currentLanguage();

  // every opening starts clean: no password or drawing kept from an earlier signature
  useEffect(() => {
    if (open) {
      setPassword('');
      setImage(null);
      setError(null);
      setBusy(false);
    }
  }, [open]);

  const submit = async () => {
    if (inFlight.current) return;
    if (!password) {
      setError(t('signature.passwordRequired'));
      return;
    }
    if (image && imageTooLarge(image)) {
      setError(t('signature.error.imageTooLarge'));
      return;
    }
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      await onSign({ password, ...(image ? { image } : {}) });
    } catch (e) {
      setError(signErrorText(t, e));
      setPassword('');
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title ?? t('signature.dialogTitle', { meaning: meaningWord(meaning, lang) })}
      okText={t('signature.sign')}
      cancelText={t('signature.cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onCancel}
      mask={{ closable: false }}
      destroyOnHidden
      width={520}
      okButtonProps={{ 'data-testid': 'signature-submit' }}
    >
      <div data-testid="signature-dialog-body">
        {summary && (
          <div style={{ marginBottom: 12 }}>
            <Typography.Text type="secondary">{t('signature.content')}</Typography.Text>
            <div style={{ marginTop: 4 }}>{summary}</div>
          </div>
        )}
        <Descriptions size="small" column={1} bordered style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('signature.signer')}>
            <span data-testid="signature-printed-name">{me?.displayName ?? ''}</span>
            {me?.username ? <Typography.Text type="secondary"> ({me.username})</Typography.Text> : null}
          </Descriptions.Item>
          <Descriptions.Item label={t('signature.meaning')}>
            <span data-testid="signature-meaning">{meaningWord(meaning, lang)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('signature.time')}>{t('signature.serverTime')}</Descriptions.Item>
        </Descriptions>
        <form
          // Enter is handled by the field itself; the form only keeps the browser from navigating
          onSubmit={(e) => e.preventDefault()}
        >
          {/* tells the browser's password manager whose password this is */}
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={me?.username ?? ''}
            readOnly
            hidden
          />
          <label htmlFor="signature-password" style={{ display: 'block', marginBottom: 4 }}>
            {t('signature.password')}
          </label>
          <Input.Password
            id="signature-password"
            data-testid="signature-password"
            autoFocus
            autoComplete="current-password"
            value={password}
            disabled={busy}
            placeholder={t('signature.passwordHint')}
            onChange={(e) => setPassword(e.target.value)}
            onPressEnter={() => void submit()}
          />
        </form>
        {allowDrawing && (
          <div style={{ marginTop: 12 }}>
            <Typography.Text>{t('signature.draw')}</Typography.Text>
            <div style={{ marginTop: 4 }}>
              <SignaturePad onChange={setImage} disabled={busy} />
            </div>
          </div>
        )}
        {error && (
          <Alert
            type="error"
            showIcon
            style={{ marginTop: 12 }}
            title={error}
            data-testid="signature-error"
          />
        )}
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12, marginBottom: 0 }}>
          {t('signature.statement')}
        </Typography.Paragraph>
      </div>
    </Modal>
  );
}
