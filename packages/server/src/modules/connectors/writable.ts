import type { TagSource } from '@aegis/shared';

/**
 * Whether a write to a tag can reach the equipment, judged from its source binding alone
 * (interlock targets are checked with it when a rule is saved). OPC UA nodes are asked for
 * their access level only when written; the driver then reports a refused write.
 */
export function sourceWritable(source: TagSource): { writable: true } | { writable: false; reason: string } {
  switch (source.kind) {
    case 'modbus':
      return source.area === 'holding' || source.area === 'coil'
        ? { writable: true }
        : {
            writable: false,
            reason: `a Modbus ${source.area === 'input' ? 'input register' : 'discrete input'} is read-only`,
          };
    case 'mqtt':
      return source.commandTopic
        ? { writable: true }
        : { writable: false, reason: 'the MQTT tag has no command topic to write to' };
    case 'sparkplug':
    case 'opcua':
      return { writable: true };
    case 'http':
      return { writable: false, reason: 'the tag is written by POST /api/ingest; no equipment to write to' };
  }
}
