import { type FaultName, faultNames, isFaultName } from './faults.js';
import { TRANSPORTS, type Transport } from './plant.js';
import { type Simulator, type SimulatorOptions, type SimulatorStats, startSimulator } from './simulator.js';

/**
 * `aegis simulate` without the CLI: flags as a CLI parser hands them over (text or numbers),
 * checked here once, and status lines through a callback instead of the console.
 */
export interface SimulateFlags {
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** Publish interval in ms. */
  rate?: string | number;
  /** Comma-separated or a list: mqtt, sparkplug, modbus, opcua. */
  transports?: string | string[];
  modbusHost?: string;
  modbusPort?: string | number;
  opcuaHost?: string;
  opcuaPort?: string | number;
  pkiDir?: string;
  seed?: string | number;
  qos?: string | number;
  /** Faults to inject at start: `EQUIPMENT:fault[:rampSeconds]`, e.g. `GD-203:gas-leak:120`. */
  fault?: string | string[];
  /** Seconds between status lines; 0 for none. Default 10. */
  statusEvery?: string | number;
}

export interface StartupFault {
  target: string;
  fault: FaultName;
  rampMs?: number;
}

export interface ParsedSimulateFlags {
  options: SimulatorOptions;
  faults: StartupFault[];
  statusEveryMs: number;
}

export class SimulateFlagError extends Error {}

function integer(
  name: string,
  raw: string | number | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SimulateFlagError(`--${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  }
  return n;
}

const list = (raw: string | string[] | undefined) =>
  (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export function parseSimulateFlags(flags: SimulateFlags): ParsedSimulateFlags {
  const transports = list(flags.transports);
  for (const t of transports) {
    if (!(TRANSPORTS as readonly string[]).includes(t)) {
      throw new SimulateFlagError(`--transports: unknown transport "${t}" (use ${TRANSPORTS.join(', ')})`);
    }
  }
  if (flags.mqttUrl !== undefined && !/^(mqtts?|wss?|tcp):\/\//.test(flags.mqttUrl)) {
    throw new SimulateFlagError(
      `--mqtt-url must be an mqtt://, mqtts://, ws:// or wss:// URL (got ${flags.mqttUrl})`,
    );
  }
  const qos = integer('qos', flags.qos, 0, 2) as 0 | 1 | 2 | undefined;
  const faults = list(flags.fault).map((spec): StartupFault => {
    const [target, fault, ramp] = spec.split(':');
    if (!target || !fault || !isFaultName(fault)) {
      throw new SimulateFlagError(
        `--fault "${spec}": use EQUIPMENT:fault[:rampSeconds] with one of ${faultNames.join(', ')}`,
      );
    }
    const rampS = integer('fault ramp', ramp, 0, 86_400);
    return { target, fault, ...(rampS === undefined ? {} : { rampMs: rampS * 1000 }) };
  });
  return {
    options: {
      mqttUrl: flags.mqttUrl || undefined,
      mqttUsername: flags.mqttUsername,
      mqttPassword: flags.mqttPassword,
      qos,
      rateMs: integer('rate', flags.rate, 10, 3_600_000),
      transports: transports.length > 0 ? (transports as Transport[]) : undefined,
      modbus: { host: flags.modbusHost, port: integer('modbus-port', flags.modbusPort, 0, 65535) },
      opcua: {
        host: flags.opcuaHost,
        port: integer('opcua-port', flags.opcuaPort, 0, 65535),
        pkiDir: flags.pkiDir,
      },
      seed: integer('seed', flags.seed, 0, 2 ** 32 - 1),
    },
    faults,
    statusEveryMs: (integer('status-every', flags.statusEvery, 0, 86_400) ?? 10) * 1000,
  };
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
};

/** One line: what each transport is doing and which faults run. */
export function formatStatusLine(s: SimulatorStats): string {
  const parts = [`[sim ${clock(s.uptimeMs)}]`];
  if (s.mqtt)
    parts.push(`mqtt ${s.mqtt.connected ? 'up' : 'DOWN'} ${s.mqtt.published} msgs ${s.mqtt.commands} cmds`);
  if (s.sparkplug.length > 0) {
    const nodes = s.sparkplug.map(
      (n) => `${n.edgeNode} ${n.connected ? `up bdSeq ${n.bdSeq} ${n.devicesOnline} dev` : 'DOWN'}`,
    );
    parts.push(`sparkplug ${nodes.join(', ')}`);
  }
  if (s.modbus) parts.push(`modbus :${s.modbus.port} ${s.modbus.requests} req ${s.modbus.writes} writes`);
  if (s.opcua) parts.push(`opcua :${s.opcua.port} ${s.opcua.sessions} sessions ${s.opcua.writes} writes`);
  const faults = s.faults.map(
    (f) =>
      `${f.target} ${f.fault}${f.tag ? `(${f.tag})` : ''}${f.progress < 1 ? ` ${Math.round(f.progress * 100)}%` : ''}`,
  );
  parts.push(faults.length > 0 ? `faults: ${faults.join(', ')}` : 'no faults');
  return parts.join(' | ');
}

export interface SimulateRun {
  simulator: Simulator;
  /** Stops the status lines and the simulator. */
  stop(): Promise<void>;
}

/**
 * Starts the simulator from CLI flags, reports where each transport listens, injects the
 * requested faults and then reports status every `statusEvery` seconds through `onLine`.
 */
export async function runSimulateCommand(
  flags: SimulateFlags,
  onLine: (line: string) => void,
): Promise<SimulateRun> {
  const { options, faults, statusEveryMs } = parseSimulateFlags(flags);
  const simulator = await startSimulator(options);
  try {
    for (const f of faults) simulator.injectFault(f.target, f.fault, { rampMs: f.rampMs });
  } catch (err) {
    await simulator.stop();
    throw new SimulateFlagError(`--fault: ${(err as Error).message}`);
  }
  const s = simulator.stats();
  const eq = simulator.plant.equipment;
  const count = (t: Transport) => eq.filter((e) => e.transport === t).length;
  if (s.mqtt)
    onLine(
      `MQTT JSON: ${count('mqtt')} equipment on ${options.mqttUrl} (aegis/SZ01/<workshop>/<equipment>/telemetry)`,
    );
  if (s.sparkplug.length > 0) {
    onLine(
      `Sparkplug B: group ${simulator.plant.sparkplugGroup}, edge nodes ${s.sparkplug.map((n) => n.edgeNode).join(', ')}`,
    );
  }
  if (s.modbus)
    onLine(
      `Modbus TCP: ${count('modbus')} tanks on ${s.modbus.host}:${s.modbus.port} unit ${simulator.plant.modbusUnitId}`,
    );
  if (s.opcua)
    onLine(`OPC UA: ${count('opcua')} equipment on ${s.opcua.endpointUrl} (ns=1;s=<equipment>.<variable>)`);
  if (!s.mqtt && s.sparkplug.length === 0 && !options.mqttUrl)
    onLine('MQTT JSON and Sparkplug B off: no --mqtt-url');
  const timer =
    statusEveryMs > 0 ? setInterval(() => onLine(formatStatusLine(simulator.stats())), statusEveryMs) : null;
  return {
    simulator,
    stop() {
      if (timer) clearInterval(timer);
      return simulator.stop();
    },
  };
}
