import { CameraOutlined, CloseCircleFilled, LoadingOutlined } from '@ant-design/icons';
import { Button, Space, Typography } from 'antd';
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueuedPhoto } from './outbox';
import { compressPhoto } from './photo';

/** A thumbnail of a photo kept on the phone (its bytes, not a server URL: it works offline). */
function Thumb({ photo, onRemove }: { photo: QueuedPhoto; onRemove?: () => void }) {
  const url = useMemo(() => URL.createObjectURL(photo.blob), [photo.blob]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <div style={{ position: 'relative', width: 72, height: 72 }} data-testid="photo-thumb">
      <img
        src={url}
        alt={photo.fileName}
        style={{ width: 72, height: 72, objectFit: 'cover', borderRadius: 6, border: '1px solid #ddd' }}
      />
      {onRemove && (
        <CloseCircleFilled
          onClick={onRemove}
          style={{
            position: 'absolute',
            top: -6,
            right: -6,
            color: '#ff4d4f',
            fontSize: 18,
            background: '#fff',
          }}
        />
      )}
    </div>
  );
}

/**
 * Photo capture for one checklist item: the phone's camera app through a file input (capture =
 * rear camera), compressed on the phone before it is kept for upload.
 */
export function PhotoField({
  itemKey,
  photos,
  required,
  onAdd,
  onRemove,
  disabled,
}: {
  itemKey: string;
  photos: QueuedPhoto[];
  required: boolean;
  onAdd: (file: { blob: Blob; fileName: string }) => Promise<void>;
  onRemove: (clientId: string) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const inputId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const take = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    setError(null);
    try {
      for (const file of Array.from(files)) {
        const blob = await compressPhoto(file).catch(() => null);
        if (!blob) {
          setError(t('fieldwork.photo.notAnImage', { name: file.name }));
          continue;
        }
        const base = file.name.replace(/\.[^.]*$/, '') || 'photo';
        await onAdd({ blob, fileName: `${base}.jpg` });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid={`photos-${itemKey}`}>
      <Space wrap size={8} style={{ marginBottom: 4 }}>
        {photos.map((p) => (
          <Thumb key={p.clientId} photo={p} onRemove={disabled ? undefined : () => onRemove(p.clientId)} />
        ))}
        <Button
          icon={busy ? <LoadingOutlined /> : <CameraOutlined />}
          disabled={disabled || busy}
          onClick={() => document.getElementById(inputId)?.click()}
          danger={required && photos.length === 0}
          data-testid={`photo-button-${itemKey}`}
        >
          {t('fieldwork.photo.take')}
        </Button>
      </Space>
      <input
        id={inputId}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        hidden
        data-testid={`photo-input-${itemKey}`}
        onChange={(e) => {
          const files = e.target.files;
          void take(files).finally(() => {
            e.target.value = '';
          });
        }}
      />
      {required && photos.length === 0 && (
        <Typography.Text type="danger" style={{ display: 'block' }} data-testid={`photo-required-${itemKey}`}>
          {t('fieldwork.photo.required')}
        </Typography.Text>
      )}
      {error && (
        <Typography.Text type="danger" style={{ display: 'block' }}>
          {error}
        </Typography.Text>
      )}
    </div>
  );
}
