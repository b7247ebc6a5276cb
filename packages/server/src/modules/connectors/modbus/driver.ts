import type { ModbusConnectorConfigSchema } from '@aegis/shared';
import modbusSerial from 'modbus-serial';
import type { z } from 'zod';
import type { BoundTag, ConnectorHealth, Point, PointValue } from '../../ingest/types.js';
import { backoffMs, type ConnectorDriver, type DriverDeps, initialHealth, writeFailed } from '../types.js';
import {
  decodeRegisters,
  encodeRegisters,
  isBitArea,
  type ModbusSource,
  toRaw,
  toTagValue,
} from './codec.js';
import { planReads, type ReadGroup } from './plan.js';

export type ModbusConfig = z.output<typeof ModbusConnectorConfigSchema>;
// A CommonJS module: its client class is module.exports, re-exported as `.default` for typed ESM imports.
const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

function message(err: unknown) {
  return err instanceof Error ? err.message : String(err);
}

/** Socket-level failures mean the connection is gone; Modbus exceptions and timeouts do not. */
function isConnectionError(err: unknown, client: Client) {
  if (!client.isOpen) return true;
  const m = message(err);
  return m.includes('Port Not Open') || /ECONNRESET|EPIPE|ECONNREFUSED/.test(m);
}

function isTimeout(err: unknown) {
  return (err as { name?: string }).name === 'TransactionTimedOutError';
}

/**
 * Closes the socket; resolves at once if it never opened (modbus-serial then never calls back).
 * Its 'close' event is ignored by then: the driver has already let go of this client.
 */
function closeClient(c: Client): Promise<void> {
  // Never throws nor rejects: it runs in event handlers and un-awaited clean-ups.
  try {
    if (!c.isOpen) {
      c.destroy(() => undefined);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      try {
        c.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  } catch {
    return Promise.resolve();
  }
}

const SILENT_POLLS_BEFORE_RECONNECT = 3;

/**
 * Polls a Modbus TCP slave: every pollIntervalMs all bound tags of this connector are read in as
 * few requests as possible and handed to the sink in one batch. Requests go out one at a time
 * (polls and interlock writes share the line), as most gateways expect.
 */
export function createModbusDriver(deps: DriverDeps<ModbusConfig>): ConnectorDriver {
  const { config, log, clock, sink } = deps;
  let health: ConnectorHealth = initialHealth(clock.now());
  let client: Client | null = null;
  let connected = false;
  let stopped = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let pollTimer: NodeJS.Timeout | null = null;
  // Set once the tags have been marked bad for an outage, so retries do not mark them again.
  let commLost = false;
  let polling: Promise<void> | null = null;
  /** The read requests of one poll; planned again when the tags change. */
  let plan: ReadGroup[] | null = null;
  let unsubscribe: (() => void) | null = null;
  // One request on the wire at a time: each request waits for the previous one.
  let line: Promise<unknown> = Promise.resolve();
  // Polls in a row in which no request got an answer: the device or the line is dead though the socket is open.
  let silentPolls = 0;

  function boundTags() {
    return deps.tags.bound('modbus', deps.connectorId);
  }

  function setState(state: ConnectorHealth['state']) {
    if (health.state !== state) health = { ...health, state, since: clock.now().toISOString() };
  }

  function recordError(err: unknown) {
    health = { ...health, errors: health.errors + 1, lastError: message(err) };
  }

  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = line.then(fn, fn);
    line = run.catch(() => undefined);
    return run;
  }

  async function submit(points: Point[]) {
    if (points.length === 0 || stopped) return;
    try {
      await sink.submit(points);
    } catch (err) {
      recordError(err);
      log.error({ err, connector: deps.code }, 'modbus: storing polled values failed');
    }
  }

  function badPoints(tags: readonly BoundTag[]): Point[] {
    const ts = clock.now().getTime();
    return tags.map((t) => ({ tagId: t.id, ts, value: null, quality: 'bad' as const }));
  }

  async function read(c: Client, group: ReadGroup): Promise<Array<number | boolean>> {
    c.setID(group.unitId);
    switch (group.area) {
      case 'holding':
        return (await c.readHoldingRegisters(group.start, group.count)).data;
      case 'input':
        return (await c.readInputRegisters(group.start, group.count)).data;
      case 'coil':
        return (await c.readCoils(group.start, group.count)).data;
      case 'discrete':
        return (await c.readDiscreteInputs(group.start, group.count)).data;
    }
  }

  function decodeGroup(group: ReadGroup, data: Array<number | boolean>, ts: number): Point[] {
    return group.items.map(({ tag, source, index, width }) => {
      const raw = isBitArea(group.area)
        ? Boolean(data[index])
        : decodeRegisters(data.slice(index, index + width) as number[], source.dataType, source.wordOrder);
      const value: PointValue = toTagValue(tag, raw);
      const ok = typeof value !== 'number' || Number.isFinite(value);
      return { tagId: tag.id, ts, value: ok ? value : null, quality: ok ? 'good' : 'bad' };
    });
  }

  async function poll(c: Client) {
    // Captured once: a tag edit during the poll sets `plan` to null, and this run must not see it.
    plan ??= planReads(boundTags());
    const groups = plan;
    const points: Point[] = [];
    let lost = false;
    let timeouts = 0;
    for (const group of groups) {
      if (stopped || lost) break;
      try {
        const data = await exclusive(() => read(c, group));
        points.push(...decodeGroup(group, data, clock.now().getTime()));
      } catch (err) {
        recordError(
          `unit ${group.unitId} ${group.area} ${group.start}+${group.count}: ${message(err)}${
            (err as { modbusCode?: number }).modbusCode !== undefined
              ? ` (exception ${(err as { modbusCode: number }).modbusCode})`
              : ''
          }`,
        );
        points.push(...badPoints(group.items.map((i) => i.tag)));
        lost = isConnectionError(err, c);
        if (isTimeout(err)) timeouts++;
      }
    }
    silentPolls = groups.length > 0 && timeouts === groups.length ? silentPolls + 1 : 0;
    if (silentPolls >= SILENT_POLLS_BEFORE_RECONNECT) lost = true;
    health = {
      ...health,
      messages: health.messages + 1,
      points: health.points + points.length,
      lastMessageAt: clock.now().toISOString(),
    };
    if (lost) {
      // connectionLost sends the bad points for every tag, including the ones read before the loss.
      connectionLost(c, silentPolls > 0 ? 'the device stopped answering' : 'connection lost during poll');
      return;
    }
    // Lost while the last request was answered: the bad points of the loss are already out.
    if (client !== c) return;
    await submit(points);
  }

  function tick(c: Client) {
    if (stopped || client !== c || !connected) return;
    if (polling) {
      recordError(`poll cycle skipped: the previous poll is still running after ${config.pollIntervalMs} ms`);
      return;
    }
    polling = poll(c)
      .catch((err: unknown) => {
        // A poll that throws is a bug; it must not end the process, and the next tick polls again.
        recordError(`poll failed: ${message(err)}`);
        log.error({ err, connector: deps.code }, 'modbus: poll failed');
      })
      .finally(() => {
        polling = null;
      });
  }

  function connectionLost(c: Client, reason: string) {
    if (client !== c || stopped) return;
    const wasConnected = connected;
    connected = false;
    client = null;
    silentPolls = 0;
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
    void closeClient(c);
    setState('disconnected');
    health = { ...health, lastError: reason };
    if (wasConnected) log.warn({ connector: deps.code, reason }, 'modbus: connection lost');
    if (!commLost) {
      commLost = true;
      void submit(badPoints(boundTags()));
    }
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    const delay = backoffMs(attempt++);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      health = { ...health, reconnects: health.reconnects + 1 };
      run();
    }, delay);
  }

  /** A connection attempt whose every failure ends in a retry, never in an unhandled rejection. */
  function run() {
    connect().catch((err: unknown) => {
      recordError(`connecting failed: ${message(err)}`);
      log.error({ err, connector: deps.code }, 'modbus: connection attempt failed');
      const c = client;
      if (c) connectionLost(c, message(err));
      else scheduleReconnect();
    });
  }

  async function connect() {
    if (stopped) return;
    // The outbound policy is asked before every attempt: DNS may have changed since the save.
    const refusal = deps.outbound ? await deps.outbound({ host: config.host, port: config.port }) : null;
    if (stopped) return;
    if (refusal) {
      setState('error');
      health = { ...health, lastError: refusal };
      if (!commLost) {
        commLost = true;
        void submit(badPoints(boundTags()));
      }
      scheduleReconnect();
      return;
    }
    const c = new ModbusRTU();
    client = c;
    setState('connecting');
    // Without a listener an 'error' event would be thrown; 'close' tells us the socket is gone.
    c.on('error', (err: unknown) => log.debug({ err, connector: deps.code }, 'modbus: socket error'));
    try {
      await c.connectTCP(config.host, { port: config.port, timeout: config.timeoutMs });
    } catch (err) {
      if (client !== c) return;
      client = null;
      void closeClient(c);
      setState('disconnected');
      health = { ...health, lastError: `connect to ${config.host}:${config.port}: ${message(err)}` };
      if (!commLost) {
        commLost = true;
        void submit(badPoints(boundTags()));
      }
      scheduleReconnect();
      return;
    }
    if (stopped || client !== c) {
      void closeClient(c);
      return;
    }
    c.setTimeout(config.timeoutMs);
    c.on('close', () => connectionLost(c, 'connection closed by the device'));
    connected = true;
    commLost = false;
    attempt = 0;
    line = Promise.resolve();
    setState('connected');
    log.info({ connector: deps.code, host: config.host, port: config.port }, 'modbus: connected');
    pollTimer = setInterval(() => tick(c), config.pollIntervalMs);
    tick(c);
  }

  async function writeAndConfirm(
    c: Client,
    source: ModbusSource,
    value: Exclude<PointValue, null>,
  ): Promise<{ confirmed: boolean; detail: string }> {
    if (source.area === 'input' || source.area === 'discrete') {
      return writeFailed(`${source.area} ${source.address} is read-only`);
    }
    const raw = toRaw(source, value);
    if (!raw.ok) return writeFailed(`refused: ${raw.detail}`);
    const where = `unit ${source.unitId} ${source.area} ${source.address}`;

    if (source.area === 'coil') {
      const state = raw.raw === true;
      const back = await exclusive(async () => {
        c.setID(source.unitId);
        await c.writeCoil(source.address, state);
        c.setID(source.unitId);
        return (await c.readCoils(source.address, 1)).data[0];
      });
      return back === state
        ? { confirmed: true, detail: `${where} set to ${state}, read back` }
        : { confirmed: false, detail: `${where} written ${state} but read back ${back}` };
    }

    const encoded = encodeRegisters(Number(raw.raw), source.dataType, source.wordOrder);
    if (!encoded.ok) return writeFailed(`refused: ${encoded.detail}`);
    const words = encoded.words;
    const back = await exclusive(async () => {
      c.setID(source.unitId);
      if (words.length === 1) await c.writeRegister(source.address, words[0]!);
      else await c.writeRegisters(source.address, words);
      c.setID(source.unitId);
      return (await c.readHoldingRegisters(source.address, words.length)).data;
    });
    return words.every((w, i) => w === back[i])
      ? { confirmed: true, detail: `${where} set to raw ${raw.raw}, read back` }
      : { confirmed: false, detail: `${where} written [${words}] but read back [${back}]` };
  }

  return {
    kind: 'modbus',

    async start() {
      stopped = false;
      plan = null;
      unsubscribe ??= deps.tags.onChange(() => {
        plan = null;
      });
      run();
    },

    async stop() {
      stopped = true;
      unsubscribe?.();
      unsubscribe = null;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (pollTimer) clearInterval(pollTimer);
      reconnectTimer = null;
      pollTimer = null;
      const c = client;
      client = null;
      connected = false;
      if (c) await closeClient(c);
      await polling?.catch(() => undefined);
      setState('stopped');
    },

    health() {
      return health;
    },

    async write(tag, value, timeoutMs) {
      if (tag.source.kind !== 'modbus') {
        return writeFailed(`tag ${tag.code} is not a Modbus tag`);
      }
      const c = client;
      if (!c || !connected) {
        return writeFailed(`not connected to ${config.host}:${config.port}`);
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ confirmed: boolean; detail: string }>((resolve) => {
        timer = setTimeout(
          () => resolve({ confirmed: false, detail: `no confirmation within ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([
          writeAndConfirm(c, tag.source, value).catch((err: unknown) =>
            writeFailed(`write failed: ${message(err)}`),
          ),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
