import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * The one policy for every connection Aegis opens to another machine (connectors now, webhooks
 * and mail later). A URL or host is resolved and every address it resolves to is checked:
 * - metadata and link-local addresses (cloud credentials live there) are never reached;
 * - unspecified, multicast and reserved addresses are never reached;
 * - loopback and private ranges only when an administrator lists them (AEGIS_OUTBOUND_ALLOW),
 *   by address range or by host name;
 * - public addresses are reached.
 * The scheme must be one the kind of connection speaks (`file:` and unknown schemes never).
 */
export type OutboundKind = 'mqtt' | 'opcua' | 'modbus' | 'webhook' | 'mail';

/** Why a destination was refused; named in the error a user reads. */
export type OutboundRule =
  | 'scheme'
  | 'invalid-address'
  | 'unresolvable'
  | 'metadata-or-link-local'
  | 'unspecified-or-multicast'
  | 'loopback'
  | 'private';

export type OutboundVerdict =
  | { allowed: true; host: string; port: number; addresses: string[] }
  | { allowed: false; rule: OutboundRule; host: string; message: string };

export type OutboundCheck = (
  target: string | { host: string; port: number },
  kind: OutboundKind,
) => Promise<OutboundVerdict>;

/** The schemes each kind speaks, with their default ports. */
const SCHEMES: Record<OutboundKind, Record<string, number>> = {
  mqtt: { 'mqtt:': 1883, 'tcp:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443 },
  opcua: { 'opc.tcp:': 4840 },
  modbus: {},
  webhook: { 'http:': 80, 'https:': 443 },
  mail: { 'smtp:': 25, 'smtps:': 465 },
};

function blockList(ranges: string[]) {
  const list = new BlockList();
  for (const r of ranges) {
    const [net, bits] = r.split('/') as [string, string];
    list.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Instance metadata services and link-local ranges: never, whatever the allow list says. */
const METADATA = blockList([
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254/128', // AWS IMDS over IPv6
  '100.100.100.200/32', // Alibaba Cloud metadata
  '168.63.129.16/32', // Azure wire server
]);
const UNSPECIFIED_OR_MULTICAST = blockList(['0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8']);
const LOOPBACK = blockList(['127.0.0.0/8', '::1/128']);
const PRIVATE = blockList([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '198.18.0.0/15',
  'fc00::/7',
]);

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

export interface AllowList {
  ranges: BlockList;
  /** Host names listed as such (lower case); `*.plant.local` lists every name under plant.local. */
  names: string[];
}

/**
 * Parses AEGIS_OUTBOUND_ALLOW: comma-separated addresses, CIDR ranges and host names.
 * Throws with every bad entry named.
 */
export function parseAllowList(text: string): AllowList {
  const ranges = new BlockList();
  const names: string[] = [];
  const bad: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const [net, bits, extra] = entry.split('/');
    const family = isIP(net ?? '');
    if (family && extra === undefined) {
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : Number(bits);
      if (
        !Number.isInteger(prefix) ||
        prefix < 0 ||
        prefix > max ||
        (bits !== undefined && !/^\d+$/.test(bits))
      ) {
        bad.push(entry);
        continue;
      }
      ranges.addSubnet(net!, prefix, family === 6 ? 'ipv6' : 'ipv4');
    } else if (HOST_NAME.test(entry) && !entry.includes('/')) {
      names.push(entry.toLowerCase());
    } else {
      bad.push(entry);
    }
  }
  if (bad.length > 0)
    throw new Error(
      `AEGIS_OUTBOUND_ALLOW: ${bad.map((b) => `"${b}"`).join(', ')} is not an address, a CIDR range or a host name`,
    );
  return { ranges, names };
}

const nameListed = (allow: AllowList, host: string) =>
  allow.names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) : host === n));

/** An IPv4 address written as IPv6 (::ffff:10.0.0.1) is checked as IPv4. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Which rule refuses this address (null: allowed). */
export function refusingRule(address: string, allow: AllowList, hostListed: boolean): OutboundRule | null {
  const a = normalise(address);
  if (METADATA.check(a.address, a.family)) return 'metadata-or-link-local';
  if (UNSPECIFIED_OR_MULTICAST.check(a.address, a.family)) return 'unspecified-or-multicast';
  const loopback = LOOPBACK.check(a.address, a.family);
  const isPrivate = PRIVATE.check(a.address, a.family);
  if (!loopback && !isPrivate) return null;
  if (hostListed || allow.ranges.check(a.address, a.family)) return null;
  return loopback ? 'loopback' : 'private';
}

const RULE_TEXT: Record<OutboundRule, string> = {
  scheme: 'the scheme is not one this kind of connection speaks',
  'invalid-address': 'it is not a valid address',
  unresolvable: 'the host name does not resolve',
  'metadata-or-link-local': 'metadata and link-local addresses are never allowed',
  'unspecified-or-multicast': 'unspecified, multicast and reserved addresses are never allowed',
  loopback: 'loopback addresses are allowed only when an administrator lists them in AEGIS_OUTBOUND_ALLOW',
  private: 'private addresses are allowed only when an administrator lists them in AEGIS_OUTBOUND_ALLOW',
};

function refuse(rule: OutboundRule, host: string): OutboundVerdict {
  return {
    allowed: false,
    rule,
    host,
    message: `Connections to ${host || 'this address'} are not allowed (rule ${rule}: ${RULE_TEXT[rule]})`,
  };
}

export type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The policy with an allow list (AEGIS_OUTBOUND_ALLOW). `lookup` resolves host names (tests pass
 * their own). Check when a destination is saved and again right before each connection: DNS may
 * have changed in between.
 */
export function createOutboundPolicy(opts: { allow: string; lookup?: Lookup }): { check: OutboundCheck } {
  const allow = parseAllowList(opts.allow);
  const lookup = opts.lookup ?? systemLookup;
  return {
    async check(target, kind) {
      let host: string;
      let port: number;
      if (typeof target === 'string') {
        let url: URL;
        try {
          url = new URL(target);
        } catch {
          return refuse('invalid-address', '');
        }
        const defaultPort = SCHEMES[kind][url.protocol];
        if (defaultPort === undefined) return refuse('scheme', url.protocol);
        host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        port = url.port ? Number(url.port) : defaultPort;
      } else {
        ({ host, port } = target);
      }
      host = host.trim().toLowerCase();
      if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
        return refuse('invalid-address', host);
      let addresses: string[];
      if (isIP(host)) addresses = [host];
      else if (!HOST_NAME.test(host) || host.startsWith('*.')) return refuse('invalid-address', host);
      else {
        try {
          addresses = await lookup(host);
        } catch {
          addresses = [];
        }
        if (addresses.length === 0) return refuse('unresolvable', host);
      }
      const listed = nameListed(allow, host);
      // Every address must pass: a name resolving to a public and a metadata address is refused.
      for (const address of addresses) {
        const rule = refusingRule(address, allow, listed);
        if (rule) return refuse(rule, host);
      }
      return { allowed: true, host, port, addresses };
    },
  };
}

/** The uniform text shown when a connection to a refused destination is attempted. */
export const refusedAtConnect = (verdict: Extract<OutboundVerdict, { allowed: false }>) =>
  `not connecting: ${verdict.message}`;
