import { hostname as machineName, tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  DataType as DataTypeEnum,
  OPCUAServer,
  StatusCode,
  UAVariable,
  Variant as VariantClass,
} from 'node-opcua';
import { freePort, isAddressInUse } from './connections.js';
import type { TagValue } from './faults.js';
import type { PlantModel } from './model.js';
import type { SimulatedEquipment, SimulatedTag } from './plant.js';

/**
 * The OPC UA server of the utilities' control system: Objects/SZ01/<WORKSHOP>/<EQUIPMENT>/<Variable>,
 * node ids `ns=1;s=<EQUIPMENT>.<Variable>`. Measurements are pushed once per interval with a
 * source timestamp (BadNoCommunication while the equipment's link is lost); commands and
 * setpoints are writable and go straight into the simulated equipment.
 */
export interface OpcuaServerOptions {
  model: PlantModel;
  /** The equipment served over OPC UA. */
  equipment: SimulatedEquipment[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4840; 0 picks a free port. */
  port?: number;
  /** Where the server keeps its certificate, so later runs skip creating it. Default <tmp>/aegis-sim-pki. */
  pkiDir?: string;
  /** The fastest the server samples writable variables; default 1000 ms. */
  rateMs?: number;
}

export interface OpcuaServerStats {
  endpointUrl: string;
  port: number;
  sessions: number;
  writes: number;
  rejectedWrites: number;
  lastError: string | null;
}

export interface OpcuaSimServer {
  port: number;
  endpointUrl: string;
  /** Pushes the model's current values into the address space. Called once per interval. */
  update(): void;
  stop(): Promise<void>;
  stats(): OpcuaServerStats;
}

export const DEFAULT_PKI_DIR = join(tmpdir(), 'aegis-sim-pki');

/** The variable name (last part of the node id) of an OPC UA-bound tag. */
const variableName = (tag: SimulatedTag) =>
  tag.source.kind === 'opcua' ? tag.source.nodeId.slice(tag.source.nodeId.indexOf('.') + 1) : tag.code;

export async function startOpcuaServer(opts: OpcuaServerOptions): Promise<OpcuaSimServer> {
  // node-opcua takes a second or two to load; only pay for it when OPC UA is wanted.
  const ua = await import('node-opcua');
  const host = opts.host ?? '127.0.0.1';
  const pkiDir = opts.pkiDir ?? DEFAULT_PKI_DIR;
  const rateMs = opts.rateMs ?? 1000;
  const { model } = opts;
  const stats: OpcuaServerStats = {
    endpointUrl: '',
    port: 0,
    sessions: 0,
    writes: 0,
    rejectedWrites: 0,
    lastError: null,
  };

  const dataTypeOf = (tag: SimulatedTag): DataTypeEnum =>
    tag.type === 'boolean'
      ? ua.DataType.Boolean
      : tag.type === 'state'
        ? ua.DataType.Int32
        : tag.type === 'string'
          ? ua.DataType.String
          : ua.DataType.Double;
  const variantOf = (tag: SimulatedTag, value: TagValue): VariantClass =>
    new ua.Variant({ dataType: dataTypeOf(tag), value });

  let server: OPCUAServer | null = null;
  let port = opts.port ?? 4840;
  for (let attempt = 0; ; attempt++) {
    if (opts.port === 0) port = await freePort(host);
    const candidate = createServer(ua, host, port, pkiDir);
    try {
      await candidate.start();
      server = candidate;
      break;
    } catch (err) {
      await candidate.shutdown(0).catch(() => {});
      if (opts.port !== 0 || !isAddressInUse(err) || attempt >= 2) throw err;
    }
  }
  const s = server;

  const addressSpace = s.engine.addressSpace!;
  const ns = addressSpace.getOwnNamespace();
  const site = ns.addFolder(addressSpace.rootFolder.objects, { nodeId: 's=SZ01', browseName: 'SZ01' });
  const workshops = new Map<string, ReturnType<typeof ns.addFolder>>();
  const measured: Array<{ equipment: string; tag: SimulatedTag; variable: UAVariable }> = [];

  for (const e of opts.equipment) {
    let workshop = workshops.get(e.workshop);
    if (!workshop) {
      workshop = ns.addFolder(site, { nodeId: `s=SZ01.${e.workshop}`, browseName: e.workshop });
      workshops.set(e.workshop, workshop);
    }
    const folder = ns.addFolder(workshop, {
      nodeId: `s=${e.code}`,
      browseName: e.code,
      displayName: `${e.code} ${e.nameEn}`,
    });
    for (const tag of e.tags) {
      if (tag.source.kind !== 'opcua') continue;
      const common = {
        componentOf: folder,
        nodeId: tag.source.nodeId.replace(/^ns=1;/, ''),
        browseName: variableName(tag),
        displayName: `${tag.nameEn} / ${tag.nameZh}`,
        description: tag.unit ? `${tag.nameEn} [${tag.unit}]` : tag.nameEn,
        dataType: ua.DataType[dataTypeOf(tag)],
        minimumSamplingInterval: rateMs,
      };
      if (tag.writable) {
        ns.addVariable({
          ...common,
          accessLevel: 'CurrentRead | CurrentWrite',
          userAccessLevel: 'CurrentRead | CurrentWrite',
          value: {
            get: (): VariantClass | StatusCode => {
              if (!model.online(e.code)) return ua.StatusCodes.BadNoCommunication;
              return variantOf(tag, model.values(e.code)[tag.code] ?? 0);
            },
            set: (variant: VariantClass): StatusCode => {
              const result = model.write(e.code, tag.code, variant.value);
              if (result.ok) {
                stats.writes++;
                return ua.StatusCodes.Good;
              }
              stats.rejectedWrites++;
              stats.lastError = result.message;
              return result.code === 'link-loss'
                ? ua.StatusCodes.BadNoCommunication
                : result.code === 'out-of-range'
                  ? ua.StatusCodes.BadOutOfRange
                  : ua.StatusCodes.BadTypeMismatch;
            },
          },
        });
      } else if (tag.type === 'number') {
        const variable = ns.addAnalogDataItem({
          ...common,
          engineeringUnitsRange: { low: tag.engLow ?? 0, high: tag.engHigh ?? 0 },
          accessLevel: 'CurrentRead',
          userAccessLevel: 'CurrentRead',
        });
        measured.push({ equipment: e.code, tag, variable });
      } else {
        const variable = ns.addVariable({
          ...common,
          accessLevel: 'CurrentRead',
          userAccessLevel: 'CurrentRead',
        });
        measured.push({ equipment: e.code, tag, variable });
      }
    }
  }

  const endpointUrl = `opc.tcp://${host === '0.0.0.0' ? machineName() : host}:${port}`;
  stats.endpointUrl = endpointUrl;
  stats.port = port;

  function update() {
    const when = new Date(model.now());
    for (const m of measured) {
      const value = model.values(m.equipment)[m.tag.code];
      if (value === undefined) continue;
      // While the link is lost the last value stays, marked bad, as a gateway would report it.
      const status = model.online(m.equipment) ? ua.StatusCodes.Good : ua.StatusCodes.BadNoCommunication;
      m.variable.setValueFromSource(variantOf(m.tag, value), status, when);
    }
  }
  update();

  return {
    port,
    endpointUrl,
    update,
    stop: () => s.shutdown(0),
    stats: () => ({ ...stats, sessions: s.currentSessionCount }),
  };
}

function createServer(
  ua: typeof import('node-opcua'),
  host: string,
  port: number,
  pkiDir: string,
): OPCUAServer {
  const certificates = (folder: string) =>
    new ua.OPCUACertificateManager({
      rootFolder: join(pkiDir, folder),
      automaticallyAcceptUnknownCertificate: true,
      // File watchers would keep the process alive and are pointless for a simulator.
      disableFileWatchers: true,
    });
  return new ua.OPCUAServer({
    host,
    port,
    hostname: host === '0.0.0.0' ? undefined : host,
    allowAnonymous: true,
    securityModes: [
      ua.MessageSecurityMode.None,
      ua.MessageSecurityMode.Sign,
      ua.MessageSecurityMode.SignAndEncrypt,
    ],
    securityPolicies: [ua.SecurityPolicy.None, ua.SecurityPolicy.Basic256Sha256],
    serverCertificateManager: certificates('server'),
    userCertificateManager: certificates('user'),
    disableDiscovery: true,
    isAuditing: false,
    serverInfo: {
      applicationUri: `urn:${machineName()}:aegis:plant-simulator`,
      productUri: 'urn:aegis:plant-simulator',
      applicationName: { text: 'Aegis plant simulator' },
    },
    buildInfo: { productName: 'Aegis plant simulator', manufacturerName: 'Aegis' },
  });
}
