import websocket from '@fastify/websocket';
import type { App } from '../../http/app.js';
import type { LiveHub } from './hub.js';

/**
 * GET /api/live upgrades to a WebSocket (session cookie or bearer token, checked by the usual
 * auth hook on the upgrade request). Messages: subscribe/unsubscribe {tagIds}, ping.
 */
export async function liveRoutes(app: App, { live }: { live: LiveHub }) {
  await app.register(websocket, { options: { maxPayload: 256 * 1024 } });
  app.get(
    '/api/live',
    {
      websocket: true,
      config: { authenticated: true },
      schema: { tags: ['live'], summary: 'WebSocket stream of alarms and subscribed tag values' },
    },
    (socket, req) => {
      const session = live.connect(socket, req.ctx.actor!);
      socket.on('message', (data) => {
        void session.message(String(data)).catch((e) => req.log.warn({ err: e }, 'live message failed'));
      });
      socket.on('close', () => session.close());
      socket.on('error', () => session.close());
    },
  );
}
