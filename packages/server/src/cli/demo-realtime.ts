import { randomBytes } from 'node:crypto';
import type { AlarmPriority, AlarmRule, Interlock } from '@aegis/shared';
import { type SimulatedTag, type Simulator, simulatedPlant, startSimulator } from '@aegis/simulator';
import { systemContext } from '../context.js';
import { createFaultPlayer, type DemoControl, simulatorControl } from '../modules/demo/index.js';
import type { Services } from '../services.js';

const reason = 'demo plant seeded by aegis start --demo';
export const DEMO_MODBUS_PORT = 5020;
export const DEMO_OPCUA_PORT = 4840;

/** The interlock of a demo rule: which writable tag of the same equipment goes to which safe value. */
const INTERLOCKS: Array<{
  role: string | null;
  match: RegExp;
  target: string;
  value: boolean | number;
  when: string[];
}> = [
  { role: 'vibration', match: /^PRS-/, target: 'RUN_ENABLE', value: false, when: ['HH'] },
  { role: null, match: /^TK-.*\.LEVEL$/, target: 'FEED_VALVE', value: false, when: ['HH'] },
  // A gas leak (toxic or flammable) sounds the detector's beacon, written over Sparkplug B (DCMD).
  { role: 'gas', match: /^GD-.*\.(H2S|CH4_LEL)$/, target: 'BEACON', value: true, when: ['H', 'HH'] },
];

/**
 * Tank temperatures drift slowly: they are stored with swinging-door compression (issue 11), a
 * handful of points an hour within 0.25 °C of every raw value (the Modbus value steps by 0.1 °C),
 * at least every 10 minutes; alarms and the live view still get every value.
 */
const COMPRESSED = /^TK-.*\.TEMP$/;
const storageOf = (t: SimulatedTag) =>
  COMPRESSED.test(`${t.equipmentCode}.${t.code}`)
    ? {
        storageDeadband: 0,
        storageHeartbeatMs: 600_000,
        storageCompression: 'swinging_door' as const,
        storageDeviation: 0.25,
      }
    : { storageDeadband: t.storageDeadband, storageHeartbeatMs: 60_000 };

function limitRule(t: SimulatedTag): AlarmRule | null {
  const l = t.alarmLimits;
  if (!l) return null;
  const span = t.engLow !== null && t.engHigh !== null ? t.engHigh - t.engLow : 100;
  const levels: Partial<Record<'HH' | 'H' | 'L' | 'LL', { setpoint: number; priority: AlarmPriority }>> = {};
  if (l.hh !== undefined) levels.HH = { setpoint: l.hh, priority: 'critical' };
  if (l.h !== undefined) levels.H = { setpoint: l.h, priority: t.role === 'gas' ? 'high' : 'medium' };
  if (l.l !== undefined) levels.L = { setpoint: l.l, priority: t.role === 'gas' ? 'high' : 'medium' };
  if (l.ll !== undefined) levels.LL = { setpoint: l.ll, priority: 'critical' };
  return {
    type: 'limit',
    id: '',
    tag: '',
    levels,
    deadband: Math.round(span * 0.01 * 1000) / 1000,
    // Gas detectors confirm for two seconds so that one noisy sample raises nothing.
    onDelayMs: t.role === 'gas' ? 2000 : 0,
    offDelayMs: 0,
  } as AlarmRule;
}

/**
 * The real-time half of the demo: connectors to the simulator's Modbus slave and OPC UA server
 * (MQTT JSON and Sparkplug B come through the default connection), the simulator's tags, and
 * alarm rules with interlocks, so that the demo shows live values and real alarms.
 */
export async function seedDemoRealtime(s: Services, opts: { onProgress?: (msg: string) => void } = {}) {
  const ctx = systemContext('demo-seed');
  const progress = opts.onProgress ?? (() => {});
  progress('demo: connectors');
  const opcua = await s.connectors.create(ctx, {
    code: 'sim-opcua',
    name: '模拟器 OPC UA / Simulator OPC UA',
    kind: 'opcua',
    enabled: true,
    config: {
      endpointUrl: `opc.tcp://127.0.0.1:${DEMO_OPCUA_PORT}`,
      securityMode: 'None',
      securityPolicy: 'None',
      publishingIntervalMs: 500,
    },
    reason,
  });
  const modbus = await s.connectors.create(ctx, {
    code: 'sim-modbus',
    name: '模拟器 Modbus TCP / Simulator Modbus TCP',
    kind: 'modbus',
    enabled: true,
    config: { host: '127.0.0.1', port: DEMO_MODBUS_PORT, pollIntervalMs: 1000, timeoutMs: 2000 },
    reason,
  });
  const plant = simulatedPlant({ opcuaConnectorId: opcua.id!, modbusConnectorId: modbus.id! });

  progress(`demo: ${plant.tags.length} tags`);
  const equipment = new Map<string, number>();
  for (const n of await s.plant.list(ctx)) if (n.level === 'equipment') equipment.set(n.code, n.id);
  const ids = new Map<string, number>();
  for (const t of plant.tags) {
    const equipmentId = equipment.get(t.equipmentCode);
    if (equipmentId === undefined) continue;
    const created = await s.tags.create(ctx, {
      equipmentId,
      code: t.code,
      nameZh: t.nameZh,
      nameEn: t.nameEn,
      unit: t.unit,
      type: t.type,
      engLow: t.engLow,
      engHigh: t.engHigh,
      states: t.states,
      source: t.source,
      ...storageOf(t),
      reason,
    });
    ids.set(`${t.equipmentCode}.${t.code}`, created.id);
  }

  progress('demo: alarm rules');
  let rules = 0;
  for (const t of plant.tags) {
    const tagId = ids.get(`${t.equipmentCode}.${t.code}`);
    const rule = limitRule(t);
    if (tagId === undefined || !rule) continue;
    const ref = `${t.equipmentCode}.${t.code}`;
    const il = INTERLOCKS.find((i) => i.match.test(ref) && (i.role === null || i.role === t.role));
    const targetId = il ? ids.get(`${t.equipmentCode}.${il.target}`) : undefined;
    const interlock: Interlock | null =
      il && targetId !== undefined
        ? { tagId: targetId, value: il.value, conditions: il.when, confirmTimeoutMs: 5000 }
        : null;
    await s.alarms.createRule(ctx, { tagId, enabled: true, rule, interlock, reason });
    rules++;
    if (t.role === 'gas') {
      await s.alarms.createRule(ctx, {
        tagId,
        enabled: true,
        rule: {
          type: 'bad_quality',
          id: '',
          tag: '',
          includeUncertain: false,
          priority: 'high',
          onDelayMs: 0,
          offDelayMs: 0,
        },
        interlock: null,
        reason,
      });
      rules++;
    }
  }
  return { tags: ids.size, rules, connectors: 2 };
}

const SIMULATOR_USER = 'demo-simulator';
const SIMULATOR_TOKEN = 'demo simulator (renewed at every start)';

/**
 * The simulator's device identity on the embedded broker: a machine user with the integration
 * role and a fresh API token limited to data.ingest (secrets are shown once, so each start
 * issues a new one and revokes the previous).
 */
export async function simulatorCredentials(s: Services): Promise<{ username: string; password: string }> {
  const ctx = systemContext('demo');
  let userId = (await s.users.byUsername(SIMULATOR_USER))?.id;
  if (userId === undefined) {
    const user = await s.users.create(
      ctx,
      {
        username: SIMULATOR_USER,
        displayName: '演示模拟器 Demo simulator',
        // Machine accounts sign in with API tokens only; this password is never used.
        password: `${randomBytes(18).toString('base64url')}-Aa1`,
        employeeNo: null,
        phone: null,
        email: null,
        postId: null,
        teamId: null,
        departmentId: null,
        homeNodeId: null,
        kind: 'machine',
        locale: 'zh-CN',
      },
      { mustChange: false },
    );
    userId = user.id;
    await s.db.transaction(async (tx) => {
      await s.access.grantDirect(tx, user.id, 'integration', null);
      await s.audit.append(tx, ctx, {
        action: 'role.grant',
        targetType: 'user',
        targetId: user.id,
        reason: 'the demo simulator publishes to the embedded MQTT broker',
        after: { role: 'integration', nodeId: null },
      });
    });
  }
  for (const t of await s.auth.listTokens())
    if (t.userId === userId && t.name === SIMULATOR_TOKEN && !t.revokedAt)
      await s.auth.revokeToken(ctx, t.id);
  const issued = await s.auth.createToken(ctx, {
    userId,
    name: SIMULATOR_TOKEN,
    expiresInDays: 30,
    permissions: ['data.ingest'],
    fullAccess: false,
  });
  return { username: SIMULATOR_USER, password: issued.secret };
}

/**
 * Starts the simulator for `aegis start --demo`, publishing to the broker Aegis uses and
 * serving Modbus and OPC UA on the ports the demo connectors expect (other free ports, with the
 * connectors moved along, when those are taken).
 */
export async function startDemoSimulator(
  s: Services,
  say: (line: string) => void,
): Promise<Simulator | null> {
  const mqttUrl = s.config.mqttUrl ?? s.connectors.broker()?.url;
  const ctx = systemContext('demo');
  const list = await s.connectors.list(ctx);
  const modbus = list.find((c) => c.code === 'sim-modbus');
  const opcua = list.find((c) => c.code === 'sim-opcua');
  if (!modbus || !opcua) return null;
  // On the embedded broker the simulator signs in like any device (MQTT_URL's broker has its own rules).
  const credentials = s.config.mqttUrl ? null : await simulatorCredentials(s);
  const start = (modbusPort: number, opcuaPort: number) =>
    startSimulator({
      mqttUrl,
      ...(credentials ? { mqttUsername: credentials.username, mqttPassword: credentials.password } : {}),
      rateMs: 1000,
      modbus: { host: '127.0.0.1', port: modbusPort },
      opcua: { host: '127.0.0.1', port: opcuaPort },
    });
  let sim: Simulator;
  try {
    sim = await start(DEMO_MODBUS_PORT, DEMO_OPCUA_PORT);
  } catch {
    sim = await start(0, 0);
    say(
      `Simulator: ports ${DEMO_MODBUS_PORT}/${DEMO_OPCUA_PORT} are taken; Modbus on ${sim.ports.modbus}, OPC UA on ${sim.ports.opcua}`,
    );
  }
  s.demo.attach(simulatorControl(sim));
  playFaults(sim, s.demo, say);
  // Point the connectors at wherever the simulator listens this time.
  if (modbus.id !== null && modbus.config.port !== sim.ports.modbus) {
    await s.connectors.update(ctx, modbus.id, {
      config: { ...modbus.config, port: sim.ports.modbus },
      reason: 'demo simulator listens on another port',
    });
  }
  const endpointUrl = `opc.tcp://127.0.0.1:${sim.ports.opcua}`;
  if (opcua.id !== null && opcua.config.endpointUrl !== endpointUrl) {
    await s.connectors.update(ctx, opcua.id, {
      config: { ...opcua.config, endpointUrl },
      reason: 'demo simulator listens on another port',
    });
  }
  return sim;
}

/**
 * Keeps the demo alive: every few minutes one equipment item develops a fault that fits it
 * (a gas leak, rising vibration, a stuck sensor, a lost link…), which raises real alarms and,
 * for some, interlocks; three minutes later it is repaired. Faults injected by hand win.
 */
function playFaults(
  sim: Simulator,
  demo: DemoControl,
  say: (line: string) => void,
  everyMs = 4 * 60_000,
  lastsMs = 3 * 60_000,
) {
  const player = createFaultPlayer({ sim: demo.get(), demo, say });
  const repairs = new Set<NodeJS.Timeout>();
  const timer = setInterval(() => {
    try {
      const outcome = player.play();
      if (!('played' in outcome)) return;
      const repair = setTimeout(() => {
        repairs.delete(repair);
        try {
          player.repair(outcome.played);
        } catch (e) {
          say(`Demo: repairing ${outcome.played.code} failed: ${(e as Error).message}`);
        }
      }, lastsMs);
      repair.unref();
      repairs.add(repair);
    } catch (e) {
      say(`Demo: the automatic fault failed: ${(e as Error).message}`);
    }
  }, everyMs);
  timer.unref();
  const stop = sim.stop.bind(sim);
  sim.stop = async () => {
    clearInterval(timer);
    for (const r of repairs) clearTimeout(r);
    await stop();
  };
}
