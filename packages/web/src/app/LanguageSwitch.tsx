import type { Locale } from '@aegis/shared';
import { TranslationOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { setLanguage } from './i18n';

const LABELS: Record<Locale, string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { i18n, t } = useTranslation();
  const lng: Locale = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [lng],
        items: (Object.keys(LABELS) as Locale[]).map((key) => ({ key, label: LABELS[key] })),
        onClick: ({ key }) => setLanguage(key as Locale),
      }}
    >
      <Button
        type="text"
        icon={<TranslationOutlined />}
        aria-label={t('header.language')}
        data-testid="lang-switch"
      >
        {compact ? null : LABELS[lng]}
      </Button>
    </Dropdown>
  );
}
