import { CameraOutlined, PictureOutlined } from '@ant-design/icons';
import { Alert, Button, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createQrReader, readQrFromImage } from './qr';

/**
 * The checkpoint scan: the phone's rear camera in a square viewfinder, read a few times a second
 * until a QR code shows; a photo of the label is the fallback when the camera cannot be opened.
 */
export function QrScanner({ onToken, onCancel }: { onToken: (text: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const done = useRef(onToken);
  done.current = onToken;

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
    (async () => {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error(t('fieldwork.scan.noCamera'));
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } },
        audio: false,
      });
      if (stopped || !video.current) return stop();
      video.current.srcObject = stream;
      await video.current.play();
      setRunning(true);
      const read = await createQrReader();
      const tick = async () => {
        if (stopped || !video.current) return;
        // a frame the decoder chokes on is skipped: the next one is tried
        const text = video.current.readyState >= 2 ? await read(video.current).catch(() => null) : null;
        if (stopped) return;
        if (text) {
          stop();
          done.current(text);
          return;
        }
        timer = setTimeout(() => void tick(), 150);
      };
      await tick();
    })().catch((e: unknown) => {
      if (!stopped) setError(e instanceof Error ? e.message : String(e));
    });
    return stop;
  }, [t]);

  const fromPhoto = async (file: File | undefined) => {
    if (!file) return;
    const text = await readQrFromImage(file).catch(() => null);
    if (text) onToken(text);
    else setError(t('fieldwork.scan.notFoundInPhoto'));
  };

  return (
    <div data-testid="qr-scanner">
      <div
        style={{
          position: 'relative',
          width: '100%',
          aspectRatio: '1 / 1',
          background: '#000',
          borderRadius: 8,
          overflow: 'hidden',
        }}
      >
        <video
          ref={video}
          muted
          playsInline
          style={{ width: '100%', height: '100%', objectFit: 'cover' }}
          data-testid="qr-video"
        />
        <div
          style={{
            position: 'absolute',
            inset: '18%',
            border: '3px solid rgba(255,255,255,0.85)',
            borderRadius: 12,
            pointerEvents: 'none',
          }}
        />
        {!running && !error && (
          <Typography.Text
            style={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', color: '#fff' }}
          >
            <CameraOutlined style={{ fontSize: 32 }} />
          </Typography.Text>
        )}
      </div>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('fieldwork.scan.hint')}
      </Typography.Paragraph>
      {error && <Alert type="warning" showIcon title={error} style={{ marginBottom: 8 }} />}
      <Space wrap>
        <Button icon={<PictureOutlined />} onClick={() => document.getElementById('qr-photo-input')?.click()}>
          {t('fieldwork.scan.fromPhoto')}
        </Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </Space>
      <input
        id="qr-photo-input"
        type="file"
        accept="image/*"
        capture="environment"
        hidden
        onChange={(e) => void fromPhoto(e.target.files?.[0])}
      />
    </div>
  );
}
