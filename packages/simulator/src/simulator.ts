import type { FaultName, FaultOptions } from './faults.js';
import { type ModbusSlave, type ModbusSlaveStats, startModbusSlave } from './modbus.js';
import { createPlantModel, type FaultStatus, type PlantModel } from './model.js';
import { type MqttJsonPublisher, type MqttJsonStats, startMqttJsonPublisher } from './mqtt-json.js';
import type { OpcuaServerStats, OpcuaSimServer } from './opcua.js';
import { type SimulatedPlant, simulatedPlant, TRANSPORTS, type Transport } from './plant.js';
import { type SparkplugEdgeNodeHandle, type SparkplugStats, startSparkplugEdgeNode } from './sparkplug.js';

export interface SimulatorOptions {
  /** Broker for MQTT JSON and Sparkplug B; without it neither runs. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** QoS of the MQTT JSON telemetry (Sparkplug uses QoS 0 as its spec requires). Default 1. */
  qos?: 0 | 1 | 2;
  /** Publish interval, ms. Default 1000. */
  rateMs?: number;
  /** Which transports to run. Default all; mqtt and sparkplug only when mqttUrl is given. */
  transports?: readonly Transport[];
  /** Modbus TCP slave. Default 127.0.0.1:5020; port 0 picks a free port. */
  modbus?: { host?: string; port?: number; unitId?: number };
  /** OPC UA server. Default 127.0.0.1:4840; port 0 picks a free port. */
  opcua?: { host?: string; port?: number; pkiDir?: string };
  /** Sparkplug data messages by alias (default) or by name. */
  sparkplugAliases?: boolean;
  /** Same seed → same signals for the same timing. Default 1. */
  seed?: number;
  /** Epoch ms. Default Date.now. */
  clock?: () => number;
}

export interface SimulatorStats {
  startedAt: string;
  uptimeMs: number;
  ticks: number;
  rateMs: number;
  faults: FaultStatus[];
  mqtt: MqttJsonStats | null;
  sparkplug: SparkplugStats[];
  modbus: ModbusSlaveStats | null;
  opcua: OpcuaServerStats | null;
}

export interface Simulator {
  plant: SimulatedPlant;
  model: PlantModel;
  ports: { modbus: number | null; opcua: number | null };
  opcuaEndpointUrl: string | null;
  /** Starts a fault on an equipment (or link-loss on a Sparkplug edge node such as GAS-GW01); throws when it does not apply. */
  injectFault(equipmentCode: string, fault: FaultName, opts?: FaultOptions): void;
  /** Clears every fault of the equipment (or edge node). */
  clearFault(equipmentCode: string): void;
  stats(): SimulatorStats;
  /** Closes every connection and server; nothing keeps the process alive afterwards. */
  stop(): Promise<void>;
}

/** Runs the simulated plant on the chosen transports until stop(). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const rateMs = options.rateMs ?? 1000;
  if (!(rateMs >= 10)) throw new Error(`rateMs must be at least 10 (got ${rateMs})`);
  const requested = options.transports ?? TRANSPORTS;
  if (!options.mqttUrl && options.transports?.some((t) => t === 'mqtt' || t === 'sparkplug')) {
    throw new Error('MQTT JSON and Sparkplug B need mqttUrl');
  }
  const wants = (t: Transport) =>
    requested.includes(t) && (t === 'modbus' || t === 'opcua' || !!options.mqttUrl);

  const plant = simulatedPlant({ opcuaConnectorId: 1, modbusConnectorId: 1 });
  const startedAt = clock();
  const model = createPlantModel({ plant, seed: options.seed, startMs: startedAt });
  const equipmentOn = (t: Transport) => plant.equipment.filter((e) => e.transport === t);

  let mqtt: MqttJsonPublisher | null = null;
  const sparkplug: SparkplugEdgeNodeHandle[] = [];
  let modbus: ModbusSlave | null = null;
  let opcua: OpcuaSimServer | null = null;
  const stopAll = async () => {
    await Promise.allSettled([
      mqtt?.stop(),
      ...sparkplug.map((n) => n.stop()),
      modbus?.stop(),
      opcua?.stop(),
    ]);
  };

  try {
    if (wants('modbus')) {
      modbus = await startModbusSlave({ model, equipment: equipmentOn('modbus'), ...options.modbus });
    }
    if (wants('opcua')) {
      const { startOpcuaServer } = await import('./opcua.js');
      opcua = await startOpcuaServer({ model, equipment: equipmentOn('opcua'), rateMs, ...options.opcua });
    }
    const mqttUrl = options.mqttUrl;
    if (mqttUrl && wants('mqtt')) {
      mqtt = startMqttJsonPublisher({
        url: mqttUrl,
        model,
        equipment: equipmentOn('mqtt'),
        qos: options.qos,
        username: options.mqttUsername,
        password: options.mqttPassword,
        clock,
      });
    }
    if (mqttUrl && wants('sparkplug')) {
      for (const node of plant.edgeNodes) {
        sparkplug.push(
          startSparkplugEdgeNode({
            url: mqttUrl,
            model,
            group: plant.sparkplugGroup,
            node,
            devices: plant.equipment.filter((e) => e.edgeNode === node.id),
            username: options.mqttUsername,
            password: options.mqttPassword,
            useAliases: options.sparkplugAliases,
            clock,
          }),
        );
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  let ticks = 0;
  const tick = () => {
    model.advance(clock());
    ticks++;
    mqtt?.publishAll();
    for (const node of sparkplug) node.tick();
    opcua?.update();
  };
  const timer = setInterval(tick, rateMs);
  let stopped: Promise<void> | null = null;

  return {
    plant,
    model,
    ports: { modbus: modbus?.port ?? null, opcua: opcua?.port ?? null },
    opcuaEndpointUrl: opcua?.endpointUrl ?? null,
    injectFault(equipmentCode, fault, opts) {
      model.advance(clock());
      model.injectFault(equipmentCode, fault, opts);
    },
    clearFault(equipmentCode) {
      model.advance(clock());
      model.clearFault(equipmentCode);
    },
    stats: () => ({
      startedAt: new Date(startedAt).toISOString(),
      uptimeMs: clock() - startedAt,
      ticks,
      rateMs,
      faults: model.faults(),
      mqtt: mqtt?.stats() ?? null,
      sparkplug: sparkplug.map((n) => n.stats()),
      modbus: modbus?.stats() ?? null,
      opcua: opcua?.stats() ?? null,
    }),
    stop() {
      clearInterval(timer);
      stopped ??= stopAll();
      return stopped;
    },
  };
}
