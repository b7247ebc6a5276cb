export { CONFIG_SCHEMAS, type DriverFactories, type DriverFactory, defaultDrivers } from './drivers.js';
export { BrokerPortInUseError, type EmbeddedBroker, startEmbeddedBroker } from './mqtt/broker.js';
export { createMqttDriver, type MqttDriverConfig } from './mqtt/driver.js';
export { createSparkplugHost, decodeSparkplug, encodeSparkplug } from './mqtt/sparkplug.js';
export { connectorRoutes } from './routes.js';
export {
  type ConnectorService,
  type ConnectorStatus,
  createConnectorService,
  DEFAULT_CONNECTOR_CODE,
} from './service.js';
export {
  backoffMs,
  type ConnectorDriver,
  type DriverDeps,
  initialHealth,
  type WriteResult,
  writeFailed,
} from './types.js';
export { sourceWritable } from './writable.js';
