import { Alert, App, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { errorText } from '../../app/notify';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { uploadHazardPhoto, useReportHazard } from './api';
import { PhotoPicker } from './PhotoPicker';

interface Values {
  nodeId: number | null;
  place: string;
  title: string;
  description: string;
}

/** 随手拍: anyone holding hazard.report reports what they see, with photos from the phone camera. */
export function HazardNewPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [sp] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const report = useReportHazard();

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const h = await report.mutateAsync({
        nodeId: v.nodeId!,
        title: v.title,
        description: v.description ?? '',
        place: v.place ?? '',
      });
      const failed: string[] = [];
      for (const p of photos) {
        try {
          await uploadHazardPhoto(h.id, p);
        } catch (e) {
          failed.push(errorText(t, e));
        }
      }
      if (failed.length) void message.warning(t('hazard.new.photoFailed', { error: failed.join('；') }), 8);
      void message.success(t('hazard.new.done', { code: h.code }));
      navigate(`/hazards/${h.id}`);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('hazard.new.title')} style={{ maxWidth: 640 }} data-testid="hazard-new-form">
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{
          nodeId: sp.get('nodeId') ? Number(sp.get('nodeId')) : null,
          place: '',
          description: '',
        }}
        onFinish={(v) => void submit(v)}
      >
        <Form.Item
          name="nodeId"
          label={t('hazard.new.node')}
          rules={[{ required: true, message: t('hazard.form.required') }]}
        >
          <PlantNodeSelect id="hazard-node" />
        </Form.Item>
        <Form.Item name="place" label={t('hazard.new.place')}>
          <Input placeholder={t('hazard.new.placePh')} maxLength={200} data-testid="hazard-new-place" />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('hazard.new.titleLabel')}
          rules={[{ required: true, whitespace: true, message: t('hazard.form.required') }]}
        >
          <Input placeholder={t('hazard.new.titlePh')} maxLength={200} data-testid="hazard-new-title" />
        </Form.Item>
        <Form.Item name="description" label={t('hazard.new.description')}>
          <Input.TextArea rows={4} maxLength={4000} data-testid="hazard-new-description" />
        </Form.Item>
        <Form.Item label={t('hazard.new.photos')}>
          <PhotoPicker value={photos} onChange={setPhotos} testId="hazard-new-photo" />
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="hazard-new-submit">
          {busy && photos.length ? t('hazard.new.uploading') : t('hazard.new.submit')}
        </Button>
      </Form>
    </Card>
  );
}
