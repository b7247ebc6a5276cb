import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Modal, Space, Statistic, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/notify';
import { ReasonField } from '../../app/ReasonField';
import { type ImportResult, useImportTags } from './api';

interface Picked {
  name: string;
  format: 'csv' | 'xlsx';
  /** base64 of the file's bytes */
  content: string;
}

/** Bytes → base64 without a data-URL prefix. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/**
 * Tag import in two steps: a dry run shows what would be created or updated and every row
 * error; only a clean dry run can be confirmed.
 */
export function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [file, setFile] = useState<Picked | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useImportTags();

  const close = () => {
    setFile(null);
    setResult(null);
    setError(null);
    form.resetFields();
    onClose();
  };

  const send = async (dryRun: boolean) => {
    if (!file) return;
    const { reason } = await form.validateFields();
    setError(null);
    try {
      const r = await run.mutateAsync({
        format: file.format,
        content: file.content,
        dryRun,
        reason: reason.trim(),
      });
      if (dryRun) setResult(r);
      else {
        void message.success(t('tags.import.done', { created: r.created, updated: r.updated }));
        close();
      }
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const clean = result !== null && result.errors.length === 0;
  return (
    <Modal
      open={open}
      title={t('tags.import.title')}
      onCancel={close}
      width={720}
      forceRender
      footer={
        <Space wrap>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button
            disabled={!file}
            loading={run.isPending && run.variables?.dryRun}
            onClick={() => void send(true)}
            data-testid="tag-import-check"
          >
            {t('tags.import.check')}
          </Button>
          <Button
            type="primary"
            disabled={!clean}
            loading={run.isPending && !run.variables?.dryRun}
            onClick={() => void send(false)}
            data-testid="tag-import-confirm"
          >
            {t('tags.import.confirm')}
          </Button>
        </Space>
      }
    >
      <Upload.Dragger
        accept=".csv,.xlsx"
        maxCount={1}
        fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
        onRemove={() => {
          setFile(null);
          setResult(null);
        }}
        beforeUpload={async (f) => {
          const format = f.name.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
          try {
            setFile({ name: f.name, format, content: await readBase64(f) });
            setResult(null);
            setError(null);
          } catch (e) {
            setError(errorText(t, e));
          }
          // Never upload on our own: the file goes inside the JSON body of the import call.
          return Upload.LIST_IGNORE;
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('tags.import.drop')}</p>
        <p className="ant-upload-hint">{t('tags.import.hint')}</p>
      </Upload.Dragger>
      <Form form={form} layout="vertical" style={{ marginTop: 12 }}>
        <ReasonField />
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {result && (
        <>
          <Space size={32} style={{ marginBottom: 12 }}>
            <Statistic title={t('tags.import.created')} value={result.created} />
            <Statistic title={t('tags.import.updated')} value={result.updated} />
            <Statistic title={t('tags.import.unchanged')} value={result.unchanged} />
            <Statistic
              title={t('tags.import.errors')}
              value={result.errors.length}
              styles={{ content: { color: result.errors.length ? '#cf1322' : undefined } }}
            />
          </Space>
          {clean ? (
            <Alert type="success" showIcon title={t('tags.import.clean')} />
          ) : (
            <>
              <Typography.Paragraph type="danger">{t('tags.import.fixFirst')}</Typography.Paragraph>
              <Table
                size="small"
                rowKey={(e) => `${e.row}-${e.field ?? ''}-${e.message}`}
                dataSource={result.errors}
                pagination={result.errors.length > 10 ? { pageSize: 10, size: 'small' } : false}
                data-testid="tag-import-errors"
                columns={[
                  { title: t('tags.import.row'), dataIndex: 'row', width: 70 },
                  {
                    title: t('tags.import.field'),
                    dataIndex: 'field',
                    render: (v?: string) => (v ? <code>{v}</code> : '—'),
                  },
                  { title: t('tags.import.message'), dataIndex: 'message' },
                ]}
              />
            </>
          )}
        </>
      )}
    </Modal>
  );
}
