export {
  formatStatusLine,
  type ParsedSimulateFlags,
  parseSimulateFlags,
  runSimulateCommand,
  SimulateFlagError,
  type SimulateFlags,
  type SimulateRun,
  type StartupFault,
} from './command.js';
export {
  type ActiveFault,
  DEFAULT_RAMP_MS,
  type FaultName,
  type FaultOptions,
  faultNames,
  isFaultName,
  type TagValue,
} from './faults.js';
export { decodeRegisters, encodeRegisters } from './modbus.js';
export {
  createPlantModel,
  type FaultStatus,
  type PlantModel,
  type PlantModelOptions,
  type WriteResult,
} from './model.js';
export { DEFAULT_PKI_DIR } from './opcua.js';
export {
  type AlarmLimits,
  type EquipmentKind,
  MODBUS_BLOCK_SIZE,
  MODBUS_UNIT_ID,
  mqttCommandTopic,
  mqttTelemetryTopic,
  opcuaNodeId,
  type PlantConnectorIds,
  SITE_CODE,
  type SimulatedEquipment,
  type SimulatedPlant,
  type SimulatedTag,
  SPARKPLUG_GROUP,
  type SparkplugEdgeNode,
  simulatedPlant,
  TRANSPORTS,
  type Transport,
} from './plant.js';
export { type Simulator, type SimulatorOptions, type SimulatorStats, startSimulator } from './simulator.js';
export { decodeSparkplug, encodeSparkplug } from './sparkplug.js';
