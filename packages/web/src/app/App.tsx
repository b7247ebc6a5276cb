import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RouterProvider } from 'react-router';
import { ErrorNotifier } from './notify';
import { createQueryClient } from './queryClient';
import { router } from './router';

export function App() {
  const { i18n } = useTranslation();
  const [queryClient] = useState(createQueryClient);
  return (
    <ConfigProvider locale={i18n.language === 'en-US' ? enUS : zhCN} theme={{ token: { borderRadius: 6 } }}>
      <AntApp>
        <ErrorNotifier />
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
