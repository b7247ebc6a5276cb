import { App } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errorText';

export { errorText };

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
