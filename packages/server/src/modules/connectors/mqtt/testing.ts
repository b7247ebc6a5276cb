import type { Permission } from '@aegis/shared';
import { systemContext } from '../../../context.js';
import type { Services } from '../../../services.js';
import type { BoundTag, IngestSink, Point, SubmitResult } from '../../ingest/types.js';

/**
 * An in-memory ingest sink for MQTT driver tests whose behaviour can be switched: store at once,
 * store after a delay, never answer (a crash before storage), or fail.
 */
export interface ControlledSink extends IngestSink {
  points: Point[];
  submits: number;
  mode: 'store' | 'hang' | 'fail';
  delayMs: number;
  of(tagId: number): Point[];
}

export function controlledSink(mode: ControlledSink['mode'] = 'store'): ControlledSink {
  const sink: ControlledSink = {
    points: [],
    submits: 0,
    mode,
    delayMs: 0,
    async submit(points): Promise<SubmitResult> {
      sink.submits++;
      if (sink.mode === 'hang') {
        // Recorded as received, never acknowledged as stored.
        sink.points.push(...points);
        return new Promise<SubmitResult>(() => {});
      }
      if (sink.mode === 'fail') throw new Error('database unavailable');
      if (sink.delayMs > 0) await new Promise((r) => setTimeout(r, sink.delayMs));
      sink.points.push(...points);
      return { accepted: points.length, rejected: [], duplicates: 0 };
    },
    of(tagId) {
      return sink.points.filter((p) => p.tagId === tagId);
    },
  };
  return sink;
}

let nextId = 1;
/** A tag bound to an MQTT JSON source. */
export function jsonTag(
  source: {
    topic: string;
    path?: string;
    timestampPath?: string;
    commandTopic?: string;
    connectorId?: number | null;
  },
  type: BoundTag['type'] = 'number',
): BoundTag {
  const id = nextId++;
  return {
    id,
    code: `T${id}`,
    equipmentCode: 'EQ',
    type,
    source: { kind: 'mqtt', connectorId: null, path: '$', ...source },
  };
}

/** A tag bound to a Sparkplug B metric. */
export function sparkplugTag(
  source: { group: string; edgeNode: string; device?: string | null; metric: string },
  type: BoundTag['type'] = 'number',
): BoundTag {
  const id = nextId++;
  return {
    id,
    code: `S${id}`,
    equipmentCode: 'EQ',
    type,
    source: { kind: 'sparkplug', connectorId: null, device: null, ...source },
  };
}

/**
 * A device identity for the embedded broker: a machine user with the given role (default
 * integration, which holds data.ingest) and an API token with `permissions`. Returns the
 * user name and the token, which are the MQTT user name and password.
 */
export async function deviceCredentials(
  s: Services,
  opts: { username?: string; role?: string; permissions?: Permission[] } = {},
): Promise<{ username: string; password: string }> {
  const ctx = systemContext('test');
  const username = opts.username ?? `gateway-${Math.random().toString(36).slice(2, 8)}`;
  const user = await s.users.create(
    ctx,
    {
      username,
      displayName: username,
      password: 'Unused-Pass-2026',
      employeeNo: null,
      phone: null,
      email: null,
      postId: null,
      teamId: null,
      departmentId: null,
      homeNodeId: null,
      kind: 'machine',
      locale: 'en-US',
    },
    { mustChange: false },
  );
  await s.db.transaction((tx) => s.access.grantDirect(tx, user.id, opts.role ?? 'integration', null));
  const { secret } = await s.auth.createToken(ctx, {
    userId: user.id,
    name: 'mqtt device',
    expiresInDays: 30,
    permissions: opts.permissions ?? ['data.ingest'],
    fullAccess: false,
  });
  return { username, password: secret };
}
