import { type Actor, can, canAnywhere } from '../../access/index.js';
import type { BoundTag, TagDirectory } from '../../ingest/types.js';
import type { BrokerAccess } from './broker.js';
import { TopicIndex } from './topics.js';

/**
 * Who may do what on the embedded broker. Devices sign in with a user name and an API token of
 * that (machine) user as the password; the token must carry `data.ingest`. A device may then
 * publish only to topics that tags of the default MQTT connection read, within its scope, and
 * subscribe only to the command topics of those tags. Command topics (a tag's commandTopic,
 * Sparkplug NCMD/DCMD) are published by Aegis alone, in-process, which no client can do.
 */
export interface DeviceAccess {
  /** The user the token belongs to; the caller checks `data.ingest` per tag with `may`. */
  username: string;
  /** Who signed in and with which token: a revocation or a change of grants drops the connection. */
  userId: number | null;
  tokenId: number | null;
  may(tagId: number): boolean;
}

export type Decision = { ok: true } | { ok: false; reason: string };

const SPARKPLUG = 'spBv1.0';
/** What an edge node or device publishes; commands and the host's STATE are not theirs. */
const SPARKPLUG_DEVICE_TYPES = new Set(['NBIRTH', 'NDEATH', 'NDATA', 'DBIRTH', 'DDEATH', 'DDATA']);

interface Index {
  json: TopicIndex<BoundTag>;
  /** Every command topic of an MQTT JSON tag → its tags. */
  commands: Map<string, BoundTag[]>;
  /** `group/edgeNode` → the Sparkplug tags of that edge node. */
  edgeNodes: Map<string, BoundTag[]>;
}

function build(tags: TagDirectory): Index {
  const json = new TopicIndex<BoundTag>();
  const commands = new Map<string, BoundTag[]>();
  const edgeNodes = new Map<string, BoundTag[]>();
  for (const t of tags.bound('mqtt', null)) {
    if (t.source.kind !== 'mqtt') continue;
    json.add(t.source.topic, t);
    if (t.source.commandTopic) {
      const list = commands.get(t.source.commandTopic) ?? [];
      list.push(t);
      commands.set(t.source.commandTopic, list);
    }
  }
  for (const t of tags.bound('sparkplug', null)) {
    if (t.source.kind !== 'sparkplug') continue;
    const key = `${t.source.group}/${t.source.edgeNode}`;
    const list = edgeNodes.get(key) ?? [];
    list.push(t);
    edgeNodes.set(key, list);
  }
  return { json, commands, edgeNodes };
}

export function devicePolicy(tags: TagDirectory) {
  let index: Index | null = null;
  const unsubscribe = tags.onChange(() => {
    index = null;
  });
  const current = () => {
    index ??= build(tags);
    return index;
  };

  return {
    publish(device: DeviceAccess, topic: string): Decision {
      const idx = current();
      if (idx.commands.has(topic))
        return { ok: false, reason: `${topic} is a command topic; only Aegis publishes there` };
      const levels = topic.split('/');
      if (levels[0] === SPARKPLUG) {
        const [, group, type, edgeNode] = levels;
        if (!type || !SPARKPLUG_DEVICE_TYPES.has(type))
          return { ok: false, reason: `Sparkplug ${type ?? ''} messages are published by Aegis alone` };
        const bound = idx.edgeNodes.get(`${group}/${edgeNode}`) ?? [];
        return bound.some((t) => device.may(t.id))
          ? { ok: true }
          : {
              ok: false,
              reason: `no tag of ${device.username}'s reads Sparkplug edge node ${group}/${edgeNode}`,
            };
      }
      const readers = idx.json.match(topic);
      return readers.some((t) => device.may(t.id))
        ? { ok: true }
        : { ok: false, reason: `no tag that ${device.username} may write reads ${topic}` };
    },

    /** Devices subscribe to their own command topics (Sparkplug: their node's NCMD and DCMD). */
    subscribe(device: DeviceAccess, filter: string): Decision {
      const idx = current();
      const own = idx.commands.get(filter);
      if (own) {
        return own.some((t) => device.may(t.id))
          ? { ok: true }
          : { ok: false, reason: `${filter} commands equipment of another scope` };
      }
      const levels = filter.split('/');
      if (levels[0] === SPARKPLUG && (levels[2] === 'NCMD' || levels[2] === 'DCMD')) {
        const [, group, type, edgeNode, device_, ...rest] = levels;
        const shapeOk =
          !!group &&
          !!edgeNode &&
          !group.includes('+') &&
          !group.includes('#') &&
          !edgeNode.includes('+') &&
          !edgeNode.includes('#') &&
          rest.length === 0 &&
          (type === 'NCMD' ? device_ === undefined : device_ !== undefined && device_ !== '#');
        const bound = idx.edgeNodes.get(`${group}/${edgeNode}`) ?? [];
        return shapeOk && bound.some((t) => device.may(t.id))
          ? { ok: true }
          : { ok: false, reason: `${filter} is not a command topic of ${device.username}'s edge nodes` };
      }
      // The primary host's STATE (Sparkplug 3.0) tells edge nodes whether Aegis is online.
      if (levels[0] === SPARKPLUG && levels[1] === 'STATE') return { ok: true };
      return { ok: false, reason: `devices may subscribe only to their command topics, not ${filter}` };
    },

    close() {
      unsubscribe();
    },
  };
}

export type DevicePolicy = ReturnType<typeof devicePolicy>;

/**
 * The embedded broker's sign-in and topic rules: user name + API token (with `data.ingest`) as
 * the password, then devicePolicy per publish and subscription. Without `authenticateToken`
 * nobody can sign in.
 */
export function brokerAccess(deps: {
  tags: TagDirectory;
  authenticateToken?: (token: string) => Promise<Actor | null>;
  /** The plant path of a tag, for the device's scope; absent: any data.ingest grant will do. */
  pathOf?: (tagId: number) => string | undefined;
}): BrokerAccess & { close(): void } {
  const policy = devicePolicy(deps.tags);
  const HOW = 'sign in with the device user name and an API token as the password';
  return {
    async authenticate(username, password) {
      if (!username || !password || password.length === 0)
        return { ok: false, code: 5, reason: `anonymous connections are not allowed; ${HOW}` };
      const actor = deps.authenticateToken ? await deps.authenticateToken(password.toString('utf8')) : null;
      if (!actor || actor.username !== username)
        return { ok: false, code: 4, reason: `user ${username}: unknown, expired or revoked API token` };
      if (!canAnywhere(actor, 'data.ingest'))
        return {
          ok: false,
          code: 5,
          reason: `user ${username}: the API token has no data.ingest permission`,
        };
      return {
        ok: true,
        device: {
          username,
          userId: actor.userId,
          tokenId: actor.tokenId ?? null,
          may(tagId) {
            const path = deps.pathOf?.(tagId);
            return path === undefined ? canAnywhere(actor, 'data.ingest') : can(actor, 'data.ingest', path);
          },
        },
      };
    },
    publish: (device, topic) => policy.publish(device, topic),
    subscribe: (device, filter) => policy.subscribe(device, filter),
    close: () => policy.close(),
  };
}
