import { App } from 'antd';
import type { TFunction } from 'i18next';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';

/** A user-facing sentence for an error: the translated code, then the server's message. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    const key = `error.${e.code}`;
    const known = t(key, { defaultValue: '' });
    if (!known) return e.message;
    return e.message && e.message !== known ? `${known}：${e.message}` : known;
  }
  return e instanceof Error ? e.message : String(e);
}

type Notifier = (e: unknown) => void;
let notifier: Notifier = (e) => console.error(e);

/** Called by the query client (outside React) for failed calls that nobody handled in place. */
export function notifyError(e: unknown) {
  notifier(e);
}

/** Connects `notifyError` to antd's message API, which needs the React context of <App>. */
export function ErrorNotifier() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  useEffect(() => {
    notifier = (e) => {
      void message.error({ content: errorText(t, e), duration: 6 });
    };
  }, [message, t]);
  return null;
}
