import type { TFunction } from 'i18next';
import { ApiError } from './api';

/**
 * A user-facing sentence for an error, in the UI language: the server's stable error code
 * translated (`error.<code>`), followed by the server's own message as the detail; the bare
 * server message only when the code is unknown to this UI version.
 */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    const status = /^http_(\d{3})$/.exec(e.code)?.[1];
    const known = status
      ? t('error.http', { status, defaultValue: '' })
      : t(`error.${e.code}`, { defaultValue: '' });
    if (!known) return e.message;
    return e.message && e.message !== known ? `${known}：${e.message}` : known;
  }
  return e instanceof Error ? e.message : String(e);
}
