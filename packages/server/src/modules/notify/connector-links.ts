import { connectorNotifyEvent } from './events.js';
import type { EventInput } from './repo.js';

/**
 * Turns connector link changes into notification events: a connection lost, and found again
 * after it was lost. The first connect after a start is no news.
 */
export function connectorLinkNotices(deps: {
  health(): Array<{ id: number | null; code: string; health: { lastError: string | null } }>;
  publish(event: EventInput): Promise<void>;
  now(): Date;
  onError(err: unknown): void;
}) {
  const down = new Set<string>();
  return (code: string, up: boolean) => {
    if (up ? !down.delete(code) : down.has(code)) return;
    if (!up) down.add(code);
    const status = deps.health().find((c) => c.code === code);
    if (!status) return;
    const event = connectorNotifyEvent({
      id: status.id ?? 0,
      name: code,
      up,
      error: up ? null : status.health.lastError,
      now: deps.now(),
    });
    deps.publish(event).catch(deps.onError);
  };
}
