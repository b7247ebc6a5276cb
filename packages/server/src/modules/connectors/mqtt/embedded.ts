import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import {
  type BrokerAccess,
  BrokerPortInUseError,
  type EmbeddedBroker,
  startEmbeddedBroker,
} from './broker.js';

/** Where the ports the embedded broker chose on its own are kept, so devices find it again. */
export const BROKER_PORTS_FILE = 'mqtt-broker.json';

interface Remembered {
  port?: number;
  wsPort?: number;
}

function readRemembered(file: string): Remembered {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Remembered;
    const ok = (p: unknown) => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536;
    return {
      ...(ok(parsed.port) ? { port: parsed.port } : {}),
      ...(ok(parsed.wsPort) ? { wsPort: parsed.wsPort } : {}),
    };
  } catch {
    return {};
  }
}

/** A remembered port is taken: devices are configured for it, so moving on silently would lose them. */
export class RememberedPortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly envVar: 'AEGIS_MQTT_PORT' | 'AEGIS_MQTT_WS_PORT',
    file: string,
    cause: unknown,
  ) {
    super(
      `The embedded MQTT broker listened on port ${port} last time (remembered in ${file}, so that devices ` +
        `find it again), but the port is now in use by another program. Free it, choose a port with ${envVar}, ` +
        `or delete ${file} to let the broker pick a new one (devices then need the new port).`,
      { cause },
    );
    this.name = 'RememberedPortInUseError';
  }
}

/**
 * Starts the embedded broker. Ports come from the configuration; without one, from the last
 * start (data directory), else the defaults (1883, 8083), else any free port when those are
 * taken; a port chosen that way is remembered for the next start. A configured or remembered
 * port that is taken fails the start with a message naming what to do.
 */
export async function openEmbeddedBroker(opts: {
  host: string;
  /** Configured ports (AEGIS_MQTT_PORT, AEGIS_MQTT_WS_PORT); 0 means any free port, not remembered. */
  port: number | undefined;
  wsPort: number | undefined;
  defaults: { tcp: number; ws: number };
  dataDir: string;
  log: FastifyBaseLogger;
  access?: BrokerAccess;
}): Promise<EmbeddedBroker> {
  const file = path.join(opts.dataDir, BROKER_PORTS_FILE);
  const remembered = readRemembered(file);
  const start = (port: number, wsPort: number) =>
    startEmbeddedBroker({ host: opts.host, port, wsPort, log: opts.log, access: opts.access });
  const wantTcp = opts.port ?? remembered.port;
  const wantWs = opts.wsPort ?? remembered.wsPort;

  let broker: EmbeddedBroker;
  try {
    broker = await start(wantTcp ?? opts.defaults.tcp, wantWs ?? opts.defaults.ws);
  } catch (e) {
    if (!(e instanceof BrokerPortInUseError)) throw e;
    const tcp = e.envVar === 'AEGIS_MQTT_PORT';
    if (tcp ? opts.port !== undefined : opts.wsPort !== undefined) throw e;
    if (tcp ? remembered.port !== undefined : remembered.wsPort !== undefined)
      throw new RememberedPortInUseError(e.port, e.envVar, file, e);
    // A default port taken (by a broker already running on this machine?): any free one serves.
    broker = await start(
      wantTcp ?? (tcp ? 0 : opts.defaults.tcp),
      wantWs ?? (tcp ? opts.defaults.ws : 0),
    ).catch(async (again: unknown) => {
      // Both defaults taken.
      if (!(again instanceof BrokerPortInUseError) || again.envVar === e.envVar) throw again;
      const other = again.envVar === 'AEGIS_MQTT_PORT';
      if (other ? wantTcp !== undefined : wantWs !== undefined) throw again;
      return start(wantTcp ?? 0, wantWs ?? 0);
    });
    opts.log.warn(
      `${e.message} Using a free port instead: MQTT on ${broker.port}, MQTT over WebSocket on ${broker.wsPort}; ` +
        `it is kept for the next starts (${file}).`,
    );
  }
  const keep: Remembered = {
    ...(opts.port === undefined ? { port: broker.port } : {}),
    ...(opts.wsPort === undefined && broker.wsPort !== null ? { wsPort: broker.wsPort } : {}),
  };
  if (Object.keys(keep).length > 0 && (keep.port !== remembered.port || keep.wsPort !== remembered.wsPort)) {
    try {
      mkdirSync(opts.dataDir, { recursive: true });
      writeFileSync(file, `${JSON.stringify({ ...remembered, ...keep })}\n`);
    } catch (err) {
      opts.log.warn({ err }, `the embedded MQTT broker's ports could not be kept in ${file}`);
    }
  }
  return broker;
}
