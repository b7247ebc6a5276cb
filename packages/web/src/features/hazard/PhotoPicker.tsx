import { CameraOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Flex, Image } from 'antd';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** Photos from the phone camera (or the gallery on a desktop), kept until the form is sent. */
export function PhotoPicker(props: { value: File[]; onChange: (files: File[]) => void; testId: string }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const urls = useMemo(() => props.value.map((f) => URL.createObjectURL(f)), [props.value]);
  useEffect(
    () => () => {
      for (const u of urls) URL.revokeObjectURL(u);
    },
    [urls],
  );
  return (
    <Flex vertical gap={8}>
      <input
        ref={input}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        style={{ display: 'none' }}
        data-testid={`${props.testId}-input`}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) props.onChange([...props.value, ...files]);
        }}
      />
      <Button
        icon={<CameraOutlined />}
        onClick={() => input.current?.click()}
        data-testid={`${props.testId}-take`}
      >
        {t('hazard.new.takePhoto')}
      </Button>
      <Flex wrap gap={8}>
        {urls.map((u, i) => (
          <Flex key={u} vertical align="center" gap={4}>
            <Image src={u} width={96} height={96} style={{ objectFit: 'cover' }} />
            <Button
              size="small"
              icon={<DeleteOutlined />}
              onClick={() => props.onChange(props.value.filter((_, j) => j !== i))}
            />
          </Flex>
        ))}
      </Flex>
    </Flex>
  );
}
