import { ClearOutlined } from '@ant-design/icons';
import { Button, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addPoint, cropRect, fitWithin, type InkBounds } from './helpers';

const HEIGHT = 160;
const INK = '#1f1f1f';

/**
 * A drawing pad for a handwritten signature: pointer events, so a finger on a phone, a pen or a
 * mouse all work; the page does not scroll while drawing. After each stroke the ink (cropped, scaled
 * down to at most 600×200) goes to onChange as a PNG data URL; "clear" sends null.
 */
export function SignaturePad({
  onChange,
  disabled,
}: {
  onChange: (dataUrl: string | null) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ id: number; x: number; y: number } | null>(null);
  const bounds = useRef<InkBounds | null>(null);
  const [empty, setEmpty] = useState(true);
  // the latest callback, so a parent's new function never re-runs the sizing (which clears the ink)
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const clear = useCallback(() => {
    const c = canvasRef.current;
    c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    bounds.current = null;
    last.current = null;
    setEmpty(true);
    onChangeRef.current(null);
  }, []);

  // The canvas takes the width of its box at the device's pixel ratio; a new width (a phone turned)
  // starts a fresh drawing rather than a stretched one.
  useEffect(() => {
    const c = canvasRef.current;
    if (!c) return;
    let width = 0;
    const fit = () => {
      const w = c.clientWidth;
      if (w === width || w === 0) return;
      width = w;
      const dpr = window.devicePixelRatio || 1;
      c.width = Math.round(w * dpr);
      c.height = Math.round(HEIGHT * dpr);
      const ctx = c.getContext('2d');
      if (ctx) {
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.lineWidth = 2.5;
        ctx.lineCap = 'round';
        ctx.lineJoin = 'round';
        ctx.strokeStyle = INK;
        ctx.fillStyle = INK;
      }
      if (bounds.current) {
        bounds.current = null;
        setEmpty(true);
        onChangeRef.current(null);
      }
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(c);
    return () => observer.disconnect();
  }, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const exportInk = () => {
    const c = canvasRef.current;
    const b = bounds.current;
    if (!c || !b) return;
    const dpr = window.devicePixelRatio || 1;
    const src = cropRect(b, 8, c.width, c.height, dpr);
    const size = fitWithin(src.width, src.height);
    const out = document.createElement('canvas');
    out.width = size.width;
    out.height = size.height;
    out.getContext('2d')?.drawImage(c, src.x, src.y, src.width, src.height, 0, 0, size.width, size.height);
    onChangeRef.current(out.toDataURL('image/png'));
  };

  const endStroke = (pointerId: number) => {
    if (last.current?.id !== pointerId) return;
    last.current = null;
    setEmpty(false);
    exportInk();
  };

  return (
    <div>
      <canvas
        ref={canvasRef}
        data-testid="signature-pad"
        aria-label={t('signature.drawHint')}
        style={{
          width: '100%',
          height: HEIGHT,
          display: 'block',
          border: '1px dashed #bfbfbf',
          borderRadius: 6,
          background: '#fff',
          touchAction: 'none',
          cursor: disabled ? 'not-allowed' : 'crosshair',
        }}
        onPointerDown={(e) => {
          if (disabled || (e.pointerType === 'mouse' && e.button !== 0)) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const p = point(e);
          last.current = { id: e.pointerId, ...p };
          const ctx = e.currentTarget.getContext('2d');
          ctx?.beginPath();
          ctx?.arc(p.x, p.y, 1.25, 0, Math.PI * 2);
          ctx?.fill();
          bounds.current = addPoint(bounds.current, p.x, p.y);
        }}
        onPointerMove={(e) => {
          const from = last.current;
          if (!from || from.id !== e.pointerId) return;
          const p = point(e);
          const ctx = e.currentTarget.getContext('2d');
          ctx?.beginPath();
          ctx?.moveTo(from.x, from.y);
          ctx?.lineTo(p.x, p.y);
          ctx?.stroke();
          last.current = { id: e.pointerId, ...p };
          bounds.current = addPoint(bounds.current, p.x, p.y);
        }}
        onPointerUp={(e) => endStroke(e.pointerId)}
        onPointerCancel={(e) => endStroke(e.pointerId)}
      />
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: 4 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('signature.drawHint')}
        </Typography.Text>
        <Button
          size="small"
          icon={<ClearOutlined />}
          onClick={clear}
          disabled={disabled || empty}
          data-testid="signature-pad-clear"
        >
          {t('signature.clear')}
        </Button>
      </div>
    </div>
  );
}
