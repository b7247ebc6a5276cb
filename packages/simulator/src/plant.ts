import type { TagSource, TagType } from '@aegis/shared';
import type { FaultName } from './faults.js';

/**
 * The simulated plant as data: every equipment of the demo plant (same codes as the server's
 * `aegis start --demo` seed), its tags, where each tag is published (MQTT JSON, Sparkplug B,
 * Modbus TCP, OPC UA) and suggested alarm limits, so the server can create tags and alarm
 * rules from it. Pure: no I/O, no randomness.
 */

export const SITE_CODE = 'SZ01';
export const SPARKPLUG_GROUP = 'SZ01';
export const MODBUS_UNIT_ID = 1;
/** Each tank owns this many holding registers, coils and discrete inputs, starting at index × size. */
export const MODBUS_BLOCK_SIZE = 10;

export const TRANSPORTS = ['mqtt', 'sparkplug', 'modbus', 'opcua'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export type EquipmentKind =
  | 'press'
  | 'crane'
  | 'hydraulic-unit'
  | 'tank'
  | 'pump'
  | 'scrubber'
  | 'gas-detector';

/** What a tag measures, so that faults know which tags to act on. */
export type SignalRole = 'vibration' | 'temperature' | 'gas' | 'oxygen';

/** Suggested limits for HH/H/L/LL alarm rules, in engineering units. */
export interface AlarmLimits {
  hh?: number;
  h?: number;
  l?: number;
  ll?: number;
}

export interface SimulatedTag {
  equipmentCode: string;
  /** Tag code within the equipment; the server addresses it as `EQUIPMENT.CODE`. */
  code: string;
  nameZh: string;
  nameEn: string;
  unit: string;
  type: TagType;
  engLow: number | null;
  engHigh: number | null;
  /** Labels of a state tag by raw value. */
  states: Record<string, string> | null;
  source: TagSource;
  storageDeadband: number;
  alarmLimits: AlarmLimits | null;
  /** Commands and setpoints: written by interlocks or operators and read back. */
  writable: boolean;
  /** Decimals the instrument reports. */
  decimals: number;
  role: SignalRole | null;
}

export interface SimulatedEquipment {
  code: string;
  nameZh: string;
  nameEn: string;
  workshop: string;
  line: string;
  kind: EquipmentKind;
  transport: Transport;
  /** The faults that make sense for this equipment. */
  faults: FaultName[];
  tags: SimulatedTag[];
  /** MQTT JSON: telemetry and command topics. */
  topic: string | null;
  commandTopic: string | null;
  /** Sparkplug B: the edge node (gateway) the device hangs off. */
  edgeNode: string | null;
  /** Modbus: first register/coil/input address of this equipment's block. */
  modbusBase: number | null;
}

/** A Sparkplug B edge node: one gas-detection gateway with its detectors as devices. */
export interface SparkplugEdgeNode {
  id: string;
  nameZh: string;
  nameEn: string;
  devices: string[];
}

export interface SimulatedPlant {
  site: string;
  sparkplugGroup: string;
  modbusUnitId: number;
  edgeNodes: SparkplugEdgeNode[];
  equipment: SimulatedEquipment[];
  /** Every tag of every equipment, in equipment order. */
  tags: SimulatedTag[];
}

export interface PlantConnectorIds {
  /** The server's connector row for the simulator's OPC UA server. */
  opcuaConnectorId: number;
  /** The server's connector row for the simulator's Modbus TCP slave. */
  modbusConnectorId: number;
}

const RUN_STATES = { '0': 'IDLE', '1': 'RUN', '2': 'FAULT' };

/** A tag before it is bound to a transport. */
interface TagSpec {
  code: string;
  nameZh: string;
  nameEn: string;
  unit?: string;
  type?: TagType;
  engLow?: number;
  engHigh?: number;
  states?: Record<string, string>;
  deadband?: number;
  decimals?: number;
  limits?: AlarmLimits;
  writable?: boolean;
  role?: SignalRole;
}

type ModbusAddress = {
  area: 'holding' | 'coil' | 'discrete';
  offset: number;
  dataType: 'int16' | 'uint16' | 'float32' | 'bool';
  scale?: number;
};

// Stamping presses: 250 t (2500 kN) mechanical presses; vibration zones after ISO 10816-3.
const PRESS_TAGS: Array<TagSpec & { key: string }> = [
  {
    key: 'state',
    code: 'STATE',
    nameZh: '运行状态',
    nameEn: 'Operating state',
    type: 'state',
    states: RUN_STATES,
  },
  {
    key: 'vibration',
    code: 'VIB',
    nameZh: '主轴振动',
    nameEn: 'Crankshaft vibration',
    unit: 'mm/s',
    engLow: 0,
    engHigh: 20,
    deadband: 0.1,
    limits: { h: 7.1, hh: 11.2 },
    role: 'vibration',
  },
  {
    key: 'temperature',
    code: 'TEMP',
    nameZh: '主轴承温度',
    nameEn: 'Main bearing temperature',
    unit: '°C',
    engLow: 0,
    engHigh: 120,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 70, hh: 80 },
    role: 'temperature',
  },
  {
    key: 'spm',
    code: 'SPM',
    nameZh: '冲次',
    nameEn: 'Stroke rate',
    unit: 'spm',
    engLow: 0,
    engHigh: 60,
    deadband: 0.5,
    decimals: 1,
  },
  {
    key: 'tonnage',
    code: 'TONNAGE',
    nameZh: '冲压吨位',
    nameEn: 'Peak tonnage of the last stroke',
    unit: 'kN',
    engLow: 0,
    engHigh: 3000,
    deadband: 10,
    decimals: 0,
    limits: { h: 2250, hh: 2500 },
  },
  { key: 'strokes', code: 'STROKES', nameZh: '累计冲次', nameEn: 'Stroke counter', decimals: 0 },
  { key: 'guardOk', code: 'GUARD_OK', nameZh: '光幕无遮挡', nameEn: 'Light curtain clear', type: 'boolean' },
  {
    key: 'runEnable',
    code: 'RUN_ENABLE',
    nameZh: '运行许可',
    nameEn: 'Run permissive',
    type: 'boolean',
    writable: true,
  },
];

// 16 t overhead crane: H at 90 % and HH at 100 % of the rated load.
const CRANE_TAGS: Array<TagSpec & { key: string }> = [
  {
    key: 'state',
    code: 'STATE',
    nameZh: '运行状态',
    nameEn: 'Operating state',
    type: 'state',
    states: RUN_STATES,
  },
  {
    key: 'load',
    code: 'LOAD',
    nameZh: '起重量',
    nameEn: 'Hook load',
    unit: 't',
    engLow: 0,
    engHigh: 20,
    deadband: 0.05,
    limits: { h: 14.4, hh: 16 },
  },
  {
    key: 'motorTemperature',
    code: 'MOTOR_TEMP',
    nameZh: '起升电机温度',
    nameEn: 'Hoist motor temperature',
    unit: '°C',
    engLow: 0,
    engHigh: 160,
    deadband: 0.5,
    decimals: 1,
    limits: { h: 100, hh: 120 },
    role: 'temperature',
  },
  {
    key: 'overload',
    code: 'OVERLOAD',
    nameZh: '超载限制器动作',
    nameEn: 'Overload limiter tripped',
    type: 'boolean',
  },
  {
    key: 'runEnable',
    code: 'RUN_ENABLE',
    nameZh: '运行许可',
    nameEn: 'Run permissive',
    type: 'boolean',
    writable: true,
  },
];

const HYDRAULIC_TAGS: Array<TagSpec & { node: string }> = [
  {
    node: 'State',
    code: 'STATE',
    nameZh: '油泵状态',
    nameEn: 'Pump state',
    type: 'state',
    states: RUN_STATES,
  },
  {
    node: 'OilPressure',
    code: 'OIL_PRESS',
    nameZh: '系统压力',
    nameEn: 'System pressure',
    unit: 'MPa',
    engLow: 0,
    engHigh: 32,
    deadband: 0.1,
    limits: { ll: 12, l: 16, h: 25, hh: 28 },
  },
  {
    node: 'OilTemperature',
    code: 'OIL_TEMP',
    nameZh: '油温',
    nameEn: 'Oil temperature',
    unit: '°C',
    engLow: 0,
    engHigh: 100,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 60, hh: 70 },
    role: 'temperature',
  },
  {
    node: 'OilLevel',
    code: 'OIL_LEVEL',
    nameZh: '油箱液位',
    nameEn: 'Reservoir level',
    unit: '%',
    engLow: 0,
    engHigh: 100,
    deadband: 0.5,
    decimals: 1,
    limits: { ll: 30, l: 40 },
  },
  {
    node: 'FilterDiffPressure',
    code: 'FILTER_DP',
    nameZh: '滤芯压差',
    nameEn: 'Filter differential pressure',
    unit: 'bar',
    engLow: 0,
    engHigh: 6,
    deadband: 0.05,
    limits: { h: 3.5, hh: 5 },
  },
  {
    node: 'PumpEnable',
    code: 'PUMP_ENABLE',
    nameZh: '油泵允许',
    nameEn: 'Pump enable',
    type: 'boolean',
    writable: true,
  },
];

const PUMP_TAGS: Array<TagSpec & { node: string }> = [
  {
    node: 'State',
    code: 'STATE',
    nameZh: '运行状态',
    nameEn: 'Operating state',
    type: 'state',
    states: RUN_STATES,
  },
  {
    node: 'Flow',
    code: 'FLOW',
    nameZh: '流量',
    nameEn: 'Flow',
    unit: 'm³/h',
    engLow: 0,
    engHigh: 60,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 50, hh: 55 },
  },
  {
    node: 'DischargePressure',
    code: 'DISCH_PRESS',
    nameZh: '出口压力',
    nameEn: 'Discharge pressure',
    unit: 'MPa',
    engLow: 0,
    engHigh: 1.6,
    deadband: 0.01,
    decimals: 3,
    limits: { h: 1.0, hh: 1.2 },
  },
  {
    node: 'MotorCurrent',
    code: 'MOTOR_CURRENT',
    nameZh: '电机电流',
    nameEn: 'Motor current',
    unit: 'A',
    engLow: 0,
    engHigh: 60,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 40, hh: 45 },
  },
  {
    node: 'Vibration',
    code: 'VIB',
    nameZh: '轴承振动',
    nameEn: 'Bearing vibration',
    unit: 'mm/s',
    engLow: 0,
    engHigh: 20,
    deadband: 0.1,
    limits: { h: 4.5, hh: 7.1 },
    role: 'vibration',
  },
  {
    node: 'BearingTemperature',
    code: 'BEARING_TEMP',
    nameZh: '轴承温度',
    nameEn: 'Bearing temperature',
    unit: '°C',
    engLow: 0,
    engHigh: 120,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 80, hh: 90 },
    role: 'temperature',
  },
  {
    node: 'RunCommand',
    code: 'RUN_CMD',
    nameZh: '启停命令',
    nameEn: 'Run command',
    type: 'boolean',
    writable: true,
  },
  {
    node: 'SpeedSetpoint',
    code: 'SPEED_SP',
    nameZh: '转速设定',
    nameEn: 'Speed setpoint',
    unit: '%',
    engLow: 0,
    engHigh: 100,
    decimals: 1,
    writable: true,
  },
];

const SCRUBBER_TAGS: Array<TagSpec & { node: string }> = [
  {
    node: 'FanState',
    code: 'FAN_STATE',
    nameZh: '风机状态',
    nameEn: 'Fan state',
    type: 'state',
    states: RUN_STATES,
  },
  {
    node: 'pH',
    code: 'PH',
    nameZh: '循环液pH',
    nameEn: 'Scrubbing liquor pH',
    unit: 'pH',
    engLow: 0,
    engHigh: 14,
    deadband: 0.05,
    limits: { ll: 8, l: 8.5 },
  },
  {
    node: 'OutletH2S',
    code: 'OUTLET_H2S',
    nameZh: '出口硫化氢',
    nameEn: 'Outlet H₂S',
    unit: 'ppm',
    engLow: 0,
    engHigh: 50,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 5, hh: 10 },
    role: 'gas',
  },
  {
    node: 'SumpLevel',
    code: 'SUMP_LEVEL',
    nameZh: '塔釜液位',
    nameEn: 'Sump level',
    unit: '%',
    engLow: 0,
    engHigh: 100,
    deadband: 0.5,
    decimals: 1,
    limits: { ll: 20, l: 30, h: 85, hh: 95 },
  },
  {
    node: 'DiffPressure',
    code: 'DIFF_PRESS',
    nameZh: '塔压差',
    nameEn: 'Column differential pressure',
    unit: 'kPa',
    engLow: 0,
    engHigh: 5,
    deadband: 0.05,
    limits: { h: 3, hh: 4 },
  },
  {
    node: 'FanRunCommand',
    code: 'FAN_CMD',
    nameZh: '风机启停命令',
    nameEn: 'Fan run command',
    type: 'boolean',
    writable: true,
  },
];

// Tanks: one block of registers per tank on a single PLC (unit 1).
const TANK_TAGS: Array<TagSpec & { modbus: ModbusAddress }> = [
  {
    modbus: { area: 'holding', offset: 0, dataType: 'int16', scale: 0.1 },
    code: 'LEVEL',
    nameZh: '液位',
    nameEn: 'Level',
    unit: '%',
    engLow: 0,
    engHigh: 100,
    deadband: 0.2,
    decimals: 1,
    limits: { ll: 10, l: 15, h: 85, hh: 90 },
  },
  {
    modbus: { area: 'holding', offset: 1, dataType: 'int16', scale: 0.1 },
    code: 'TEMP',
    nameZh: '温度',
    nameEn: 'Temperature',
    unit: '°C',
    engLow: -20,
    engHigh: 80,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 40, hh: 45 },
    role: 'temperature',
  },
  {
    modbus: { area: 'holding', offset: 2, dataType: 'float32' },
    code: 'PRESS',
    nameZh: '气相压力',
    nameEn: 'Vapour space pressure',
    unit: 'kPa',
    engLow: -5,
    engHigh: 20,
    deadband: 0.05,
    limits: { h: 8, hh: 10 },
  },
  {
    modbus: { area: 'holding', offset: 4, dataType: 'uint16', scale: 0.1 },
    code: 'FILL_STOP_SP',
    nameZh: '停止进料液位',
    nameEn: 'Fill stop level',
    unit: '%',
    engLow: 0,
    engHigh: 100,
    decimals: 1,
    writable: true,
  },
  {
    modbus: { area: 'holding', offset: 5, dataType: 'uint16', scale: 0.1 },
    code: 'FILL_START_SP',
    nameZh: '开始进料液位',
    nameEn: 'Fill start level',
    unit: '%',
    engLow: 0,
    engHigh: 100,
    decimals: 1,
    writable: true,
  },
  {
    modbus: { area: 'coil', offset: 0, dataType: 'bool' },
    code: 'FEED_VALVE',
    nameZh: '进料切断阀',
    nameEn: 'Feed shut-off valve open',
    type: 'boolean',
    writable: true,
  },
  {
    modbus: { area: 'coil', offset: 1, dataType: 'bool' },
    code: 'AUTO',
    nameZh: '液位自动控制',
    nameEn: 'Automatic level control',
    type: 'boolean',
    writable: true,
  },
  {
    modbus: { area: 'discrete', offset: 0, dataType: 'bool' },
    code: 'LSHH',
    nameZh: '高高液位开关',
    nameEn: 'High-high level switch',
    type: 'boolean',
  },
];

// Alarm settings after GB/T 50493: flammable first/second level ≤25/≤50 %LEL; toxic at 1×/2× the OEL.
const GAS_DETECTOR_TAGS: Array<TagSpec & { metric: string }> = [
  {
    metric: 'H2S',
    code: 'H2S',
    nameZh: '硫化氢浓度',
    nameEn: 'H₂S concentration',
    unit: 'ppm',
    engLow: 0,
    engHigh: 100,
    deadband: 0.2,
    decimals: 1,
    limits: { h: 10, hh: 20 },
    role: 'gas',
  },
  {
    metric: 'CH4_LEL',
    code: 'CH4_LEL',
    nameZh: '甲烷浓度',
    nameEn: 'Methane',
    unit: '%LEL',
    engLow: 0,
    engHigh: 100,
    deadband: 0.5,
    decimals: 1,
    limits: { h: 25, hh: 50 },
    role: 'gas',
  },
  {
    metric: 'O2',
    code: 'O2',
    nameZh: '氧含量',
    nameEn: 'Oxygen',
    unit: '%VOL',
    engLow: 0,
    engHigh: 30,
    deadband: 0.05,
    limits: { ll: 18, l: 19.5, h: 23.5 },
    role: 'oxygen',
  },
  { metric: 'Fault', code: 'FAULT', nameZh: '探测器故障', nameEn: 'Detector fault', type: 'boolean' },
  {
    metric: 'Beacon',
    code: 'BEACON',
    nameZh: '声光报警器',
    nameEn: 'Audible/visual beacon',
    type: 'boolean',
    writable: true,
  },
];

interface EquipmentEntry {
  code: string;
  nameZh: string;
  nameEn: string;
  workshop: string;
  line: string;
  kind: EquipmentKind;
}

const pad = (i: number) => String(i).padStart(2, '0');
const range = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i + 1));

/** Same equipment, names and lines as the server's demo plant. */
const EQUIPMENT: EquipmentEntry[] = [
  ...range(6, (i) => ({
    code: `PRS-${pad(i)}`,
    nameZh: `${i}号压力机`,
    nameEn: `Press ${i}`,
    workshop: 'STAMP',
    line: i <= 3 ? 'STAMP-L1' : 'STAMP-L2',
    kind: 'press' as const,
  })),
  {
    code: 'HYD-01',
    nameZh: '液压站',
    nameEn: 'Hydraulic power unit',
    workshop: 'STAMP',
    line: 'STAMP-L2',
    kind: 'hydraulic-unit',
  },
  {
    code: 'CRN-01',
    nameZh: '行车',
    nameEn: 'Overhead crane',
    workshop: 'STAMP',
    line: 'STAMP-L2',
    kind: 'crane',
  },
  ...range(3, (i) => ({
    code: `TK-10${i}`,
    nameZh: `${i}号储罐`,
    nameEn: `Tank ${100 + i}`,
    workshop: 'CHEM',
    line: 'CHEM-T1',
    kind: 'tank' as const,
  })),
  {
    code: 'PMP-101',
    nameZh: '输送泵',
    nameEn: 'Transfer pump',
    workshop: 'CHEM',
    line: 'CHEM-T1',
    kind: 'pump',
  },
  ...range(3, (i) => ({
    code: `TK-20${i}`,
    nameZh: `${i + 3}号储罐`,
    nameEn: `Tank ${200 + i}`,
    workshop: 'CHEM',
    line: 'CHEM-T2',
    kind: 'tank' as const,
  })),
  {
    code: 'SCR-201',
    nameZh: '尾气洗涤塔',
    nameEn: 'Off-gas scrubber',
    workshop: 'CHEM',
    line: 'CHEM-T2',
    kind: 'scrubber',
  },
  ...range(10, (i) => ({
    code: `GD-2${pad(i)}`,
    nameZh: `${i}号气体探测器`,
    nameEn: `Gas detector ${200 + i}`,
    workshop: 'GAS',
    line: i <= 5 ? 'GAS-N' : 'GAS-S',
    kind: 'gas-detector' as const,
  })),
];

const EDGE_NODES: SparkplugEdgeNode[] = [
  { id: 'GAS-GW01', nameZh: '北区气体检测网关', nameEn: 'North gas detection gateway', devices: [] },
  { id: 'GAS-GW02', nameZh: '南区气体检测网关', nameEn: 'South gas detection gateway', devices: [] },
];

const TRANSPORT_OF: Record<EquipmentKind, Transport> = {
  press: 'mqtt',
  crane: 'mqtt',
  'hydraulic-unit': 'opcua',
  pump: 'opcua',
  scrubber: 'opcua',
  tank: 'modbus',
  'gas-detector': 'sparkplug',
};

export const mqttTelemetryTopic = (workshop: string, equipment: string) =>
  `aegis/${SITE_CODE}/${workshop}/${equipment}/telemetry`;
export const mqttCommandTopic = (workshop: string, equipment: string) =>
  `aegis/${SITE_CODE}/${workshop}/${equipment}/cmd`;
export const opcuaNodeId = (equipment: string, name: string) => `ns=1;s=${equipment}.${name}`;

/**
 * The plant description. The OPC UA and Modbus tag sources need the ids of the connector
 * rows the server creates for the simulator's OPC UA server and Modbus slave.
 */
export function simulatedPlant(ids: PlantConnectorIds): SimulatedPlant {
  const edgeNodes = EDGE_NODES.map((n) => ({ ...n, devices: [] as string[] }));
  let tankIndex = 0;
  const equipment = EQUIPMENT.map((e): SimulatedEquipment => {
    const transport = TRANSPORT_OF[e.kind];
    const base = { ...e, transport, topic: null, commandTopic: null, edgeNode: null, modbusBase: null };
    let built: Omit<SimulatedEquipment, 'faults'>;
    switch (e.kind) {
      case 'press':
      case 'crane': {
        const topic = mqttTelemetryTopic(e.workshop, e.code);
        const commandTopic = mqttCommandTopic(e.workshop, e.code);
        const specs = e.kind === 'press' ? PRESS_TAGS : CRANE_TAGS;
        const tags = specs.map((s) =>
          bind(e.code, s, {
            kind: 'mqtt',
            connectorId: null,
            topic,
            path: `values.${s.key}`,
            timestampPath: 'ts',
            // The single writable tag per MQTT equipment receives a bare {"value": v} on the command topic.
            ...(s.writable ? { commandTopic } : {}),
          }),
        );
        built = { ...base, topic, commandTopic, tags };
        break;
      }
      case 'hydraulic-unit':
      case 'pump':
      case 'scrubber': {
        const specs = e.kind === 'pump' ? PUMP_TAGS : e.kind === 'scrubber' ? SCRUBBER_TAGS : HYDRAULIC_TAGS;
        const tags = specs.map((s) =>
          bind(e.code, s, {
            kind: 'opcua',
            connectorId: ids.opcuaConnectorId,
            nodeId: opcuaNodeId(e.code, s.node),
            samplingIntervalMs: 1000,
          }),
        );
        built = { ...base, tags };
        break;
      }
      case 'tank': {
        const modbusBase = tankIndex++ * MODBUS_BLOCK_SIZE;
        const tags = TANK_TAGS.map((s) =>
          bind(e.code, s, {
            kind: 'modbus',
            connectorId: ids.modbusConnectorId,
            unitId: MODBUS_UNIT_ID,
            area: s.modbus.area,
            address: modbusBase + s.modbus.offset,
            dataType: s.modbus.dataType,
            scale: s.modbus.scale ?? 1,
            offset: 0,
            wordOrder: 'big',
          }),
        );
        built = { ...base, modbusBase, tags };
        break;
      }
      case 'gas-detector': {
        const node = edgeNodes[e.line === 'GAS-N' ? 0 : 1]!;
        node.devices.push(e.code);
        const tags = GAS_DETECTOR_TAGS.map((s) =>
          bind(e.code, s, {
            kind: 'sparkplug',
            connectorId: null,
            group: SPARKPLUG_GROUP,
            edgeNode: node.id,
            device: e.code,
            metric: s.metric,
          }),
        );
        built = { ...base, edgeNode: node.id, tags };
        break;
      }
    }
    return { ...built, faults: applicableFaults(built.tags) };
  });
  return {
    site: SITE_CODE,
    sparkplugGroup: SPARKPLUG_GROUP,
    modbusUnitId: MODBUS_UNIT_ID,
    edgeNodes,
    equipment,
    tags: equipment.flatMap((e) => e.tags),
  };
}

function bind(equipmentCode: string, s: TagSpec, source: TagSource): SimulatedTag {
  const type = s.type ?? 'number';
  return {
    equipmentCode,
    code: s.code,
    nameZh: s.nameZh,
    nameEn: s.nameEn,
    unit: s.unit ?? '',
    type,
    engLow: s.engLow ?? null,
    engHigh: s.engHigh ?? null,
    states: s.states ?? null,
    source,
    storageDeadband: s.deadband ?? 0,
    alarmLimits: s.limits ?? null,
    writable: s.writable ?? false,
    decimals: s.decimals ?? (type === 'number' ? 2 : 0),
    role: s.role ?? null,
  };
}

function applicableFaults(tags: SimulatedTag[]): FaultName[] {
  const has = (role: SignalRole) => tags.some((t) => t.role === role);
  return [
    ...(has('vibration') ? (['vibration-rise'] as const) : []),
    ...(has('gas') ? (['gas-leak'] as const) : []),
    ...(has('temperature') ? (['over-temperature'] as const) : []),
    'sensor-stuck',
    'link-loss',
  ];
}

/** The MQTT JSON key of a tag bound to `values.<key>`. */
export function jsonKeyOf(tag: SimulatedTag): string | null {
  if (tag.source.kind !== 'mqtt') return null;
  return tag.source.path.startsWith('values.') ? tag.source.path.slice('values.'.length) : null;
}
