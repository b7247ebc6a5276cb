import path from 'node:path';
import {
  type ConnectorKind,
  ModbusConnectorConfigSchema,
  MqttConnectorConfigSchema,
  OpcuaConnectorConfigSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { ConnectorHealth } from '../ingest/types.js';
import { createMqttDriver } from './mqtt/driver.js';
import { type ConnectorDriver, type DriverDeps, initialHealth, writeFailed } from './types.js';

/** The settings schema of each connector kind. */
export const CONFIG_SCHEMAS = {
  mqtt: MqttConnectorConfigSchema,
  opcua: OpcuaConnectorConfigSchema,
  modbus: ModbusConnectorConfigSchema,
} as const;

export type ConfigOf<K extends ConnectorKind> = z.output<(typeof CONFIG_SCHEMAS)[K]>;
export type DriverFactory<K extends ConnectorKind> = (deps: DriverDeps<ConfigOf<K>>) => ConnectorDriver;
export type DriverFactories = { [K in ConnectorKind]?: DriverFactory<K> };

/**
 * A driver whose code is loaded on start: node-opcua and modbus-serial are large, and most
 * plants need one of them or neither.
 */
function loadedOnStart(
  kind: ConnectorKind,
  clock: Clock,
  load: () => Promise<ConnectorDriver>,
): ConnectorDriver {
  let loading: Promise<ConnectorDriver> | null = null;
  let driver: ConnectorDriver | null = null;
  let health: ConnectorHealth = initialHealth(clock.now());
  return {
    kind,
    async start() {
      loading ??= load();
      try {
        driver = await loading;
      } catch (e) {
        health = {
          ...health,
          state: 'error',
          lastError: `The ${kind} driver cannot be loaded: ${(e as Error).message}`,
        };
        throw e;
      }
      await driver.start();
    },
    async stop() {
      const d = await loading?.catch(() => null);
      await d?.stop();
      if (!d) health = { ...health, state: 'stopped', since: clock.now().toISOString() };
    },
    health: () => driver?.health() ?? health,
    async write(tag, value, timeoutMs) {
      return driver ? driver.write(tag, value, timeoutMs) : writeFailed(`the ${kind} driver is not running`);
    },
  };
}

/** The drivers of this build; a kind without one shows as an error in the connector's health. */
export function defaultDrivers(opts: { dataDir: string }): DriverFactories {
  return {
    mqtt: createMqttDriver,
    opcua: (deps) =>
      loadedOnStart('opcua', deps.clock, async () =>
        // Trusted and rejected server certificates are kept with the data, so they survive restarts.
        (await import('./opcua/driver.js')).createOpcuaDriver(deps, {
          pkiDir: path.join(opts.dataDir, 'opcua-pki'),
        }),
      ),
    modbus: (deps) =>
      loadedOnStart('modbus', deps.clock, async () =>
        (await import('./modbus/driver.js')).createModbusDriver(deps),
      ),
  };
}
