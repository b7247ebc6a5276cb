import { z } from 'zod';
import { CodeSchema, NameSchema, ReasonSchema } from './common.js';

/**
 * Connectors bring values in from equipment. One row per connection; the default MQTT
 * connection (embedded broker, or MQTT_URL) exists without a row and is addressed as
 * connectorId null by MQTT and Sparkplug B tag sources.
 */
export const CONNECTOR_KINDS = ['mqtt', 'opcua', 'modbus'] as const;
export const ConnectorKindSchema = z.enum(CONNECTOR_KINDS);
export type ConnectorKind = z.infer<typeof ConnectorKindSchema>;

export const MqttConnectorConfigSchema = z.object({
  url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL'),
  clientId: z.string().trim().max(200).optional(),
  username: z.string().max(200).optional(),
  password: z.string().max(500).optional(),
  /** Subscribe to Sparkplug B (spBv1.0/#) on this connection too. */
  sparkplug: z.boolean().default(true),
});

export const OpcuaConnectorConfigSchema = z.object({
  endpointUrl: z.string().regex(/^opc\.tcp:\/\//, 'must be an opc.tcp:// URL'),
  securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
  securityPolicy: z
    .enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'])
    .default('None'),
  username: z.string().max(200).optional(),
  password: z.string().max(500).optional(),
  /** Default publishing interval of the subscription. */
  publishingIntervalMs: z.number().int().min(50).max(60_000).default(500),
});

export const ModbusConnectorConfigSchema = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(502),
  pollIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
  timeoutMs: z.number().int().min(100).max(60_000).default(2000),
});

export const ConnectorConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mqtt'), config: MqttConnectorConfigSchema }),
  z.object({ kind: z.literal('opcua'), config: OpcuaConnectorConfigSchema }),
  z.object({ kind: z.literal('modbus'), config: ModbusConnectorConfigSchema }),
]);
export type ConnectorConfig = z.infer<typeof ConnectorConfigSchema>;

export const ConnectorHealthSchema = z.object({
  state: z.enum(['connecting', 'connected', 'disconnected', 'error', 'stopped']),
  since: z.string(),
  lastMessageAt: z.string().nullable(),
  messages: z.number().int(),
  points: z.number().int(),
  errors: z.number().int(),
  lastError: z.string().nullable(),
  reconnects: z.number().int(),
});

/** An OPC UA server certificate a connector has seen, with the administrator's decision. */
export const ServerCertificateSchema = z.object({
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by colons. */
  fingerprint: z.string(),
  subject: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  /** pending: seen, refused until approved; approved: trusted; rejected: refused. */
  status: z.enum(['pending', 'approved', 'rejected']),
  firstSeenAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type ServerCertificate = z.infer<typeof ServerCertificateSchema>;

export const CertificateDecisionSchema = z.object({
  fingerprint: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint (AB:CD:…)'),
  reason: ReasonSchema,
});

export const ConnectorSchema = z.object({
  /** null: the built-in default MQTT connection. */
  id: z.number().int().nullable(),
  code: z.string(),
  name: z.string(),
  kind: ConnectorKindSchema,
  enabled: z.boolean(),
  /** Secrets (passwords) are never returned; `hasPassword` says whether one is set. */
  config: z.record(z.string(), z.unknown()),
  hasPassword: z.boolean(),
  health: ConnectorHealthSchema,
  /** OPC UA connectors, for those who manage connectors: the server certificates seen, newest first. */
  certificates: z.array(ServerCertificateSchema).optional(),
});
export type Connector = z.infer<typeof ConnectorSchema>;

const ConnectorBase = z.object({
  code: CodeSchema,
  name: NameSchema,
  enabled: z.boolean().default(true),
  reason: z.string().trim().min(3).max(500),
});
export const CreateConnectorSchema = z.intersection(ConnectorBase, ConnectorConfigSchema);
export const UpdateConnectorSchema = z.object({
  name: NameSchema.optional(),
  enabled: z.boolean().optional(),
  /**
   * The whole config of the connector's kind; a password left out keeps the stored one, null or ""
   * clears it. Credentials written in the URL (mqtt://user:pw@host) are split out on save.
   */
  config: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().trim().min(3).max(500),
});
