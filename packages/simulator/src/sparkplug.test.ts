import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Simulator, startSimulator } from './simulator.js';
import { decodeSparkplug, encodeSparkplug } from './sparkplug.js';
import { type Received, startBroker, subscribe } from './test/peers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const decode = (m: Received) => decodeSparkplug(m.payload);
const topicIs = (type: string, node: string, device?: string) => (m: Received) =>
  m.topic === `spBv1.0/SZ01/${type}/${node}${device ? `/${device}` : ''}`;

async function setup() {
  const broker = await startBroker();
  cleanups.push(() => broker.close());
  const sub = await subscribe(broker.url, ['spBv1.0/#']);
  cleanups.push(() => sub.close());
  const sim: Simulator = await startSimulator({
    mqttUrl: broker.url,
    transports: ['sparkplug'],
    rateMs: 100,
    seed: 5,
  });
  cleanups.push(() => sim.stop());
  return { sub, sim };
}

/** The device's metric names by alias, from its DBIRTH. */
function aliasesOf(birth: Received) {
  const names = new Map<number, string>();
  for (const m of decode(birth).metrics ?? []) names.set(Number(m.alias), m.name!);
  return names;
}

describe('Sparkplug B edge nodes', () => {
  it('births each gateway with bdSeq and seq 0, then every detector with aliased metrics', async () => {
    const { sub } = await setup();
    const nbirth = decode(await sub.waitFor(topicIs('NBIRTH', 'GAS-GW01')));
    expect(Number(nbirth.seq)).toBe(0);
    const bdSeq = nbirth.metrics?.find((m) => m.name === 'bdSeq');
    expect(Number(bdSeq?.value)).toBe(0);
    expect(nbirth.metrics?.find((m) => m.name === 'Node Control/Rebirth')?.value).toBe(false);

    const dbirth = await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-203'));
    const metrics = decode(dbirth).metrics ?? [];
    expect(metrics.map((m) => m.name).sort()).toEqual(['Beacon', 'CH4_LEL', 'Fault', 'H2S', 'O2']);
    for (const m of metrics) expect(m.alias).toBeDefined();
    expect(metrics.find((m) => m.name === 'O2')?.value as number).toBeGreaterThan(20);
    // North detectors on GW01, south ones on GW02.
    await sub.waitFor(topicIs('DBIRTH', 'GAS-GW02', 'GD-208'));
    // Barrier: a node sends data only after all its births, so data from both gateways closes the births.
    await sub.waitFor((m) => m.topic.startsWith('spBv1.0/SZ01/DDATA/GAS-GW01/'));
    await sub.waitFor((m) => m.topic.startsWith('spBv1.0/SZ01/DDATA/GAS-GW02/'));
    const births = sub.messages.filter((m) => m.topic.includes('/DBIRTH/'));
    expect(births.map((m) => m.topic.split('/')[4]).sort()).toEqual(
      [
        'GD-201',
        'GD-202',
        'GD-203',
        'GD-204',
        'GD-205',
        'GD-206',
        'GD-207',
        'GD-208',
        'GD-209',
        'GD-210',
      ].sort(),
    );
  });

  it('sends DDATA by alias with a sequence that counts up by one per message of the node', async () => {
    const { sub } = await setup();
    await sub.waitFor(topicIs('NBIRTH', 'GAS-GW01'));
    const birth = await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-201'));
    const names = aliasesOf(birth);
    const data = decode(await sub.waitFor(topicIs('DDATA', 'GAS-GW01', 'GD-201')));
    for (const m of data.metrics ?? []) {
      expect(m.name).toBeUndefined();
      expect(names.has(Number(m.alias))).toBe(true);
    }
    const ofGw01 = (m: Received) =>
      m.topic.split('/')[3] === 'GAS-GW01' && m.topic.split('/')[2] !== 'NDEATH';
    await vi.waitFor(() => expect(sub.messages.filter(ofGw01).length).toBeGreaterThan(8), { timeout: 3000 });
    const seqs = sub.messages.filter(ofGw01).map((m) => Number(decode(m).seq));
    expect(seqs[0]).toBe(0);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1]! + 1) % 256);
    expect(seqs.length).toBeGreaterThan(8);
  });

  it('publishes DDEATH for a detector whose link is lost, and DBIRTH when it is back', async () => {
    const { sub, sim } = await setup();
    await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-204'));
    sim.injectFault('GD-204', 'link-loss');
    const death = await sub.waitFor(topicIs('DDEATH', 'GAS-GW01', 'GD-204'), 2000);
    expect(decode(death).seq).toBeDefined();
    const from = sub.messages.length;
    // Barrier: a dozen later messages of the same gateway (its four other detectors) span cycles.
    const laterOfGw01 = () => sub.messages.slice(from).filter((m) => m.topic.includes('/GAS-GW01/'));
    await vi.waitFor(() => expect(laterOfGw01().length).toBeGreaterThanOrEqual(12), { timeout: 5000 });
    expect(sub.messages.slice(from).some((m) => m.topic.endsWith('/GD-204'))).toBe(false);
    sim.clearFault('GD-204');
    await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-204'), 2000, from);
  });

  it('lets the broker send the NDEATH will when a gateway drops, then rebirths with the next bdSeq', async () => {
    const { sub, sim } = await setup();
    const nbirth = decode(await sub.waitFor(topicIs('NBIRTH', 'GAS-GW02')));
    const bdSeq = Number(nbirth.metrics?.find((m) => m.name === 'bdSeq')?.value);
    sim.injectFault('GAS-GW02', 'link-loss');
    const ndeath = decode(await sub.waitFor(topicIs('NDEATH', 'GAS-GW02'), 3000));
    expect(Number(ndeath.metrics?.find((m) => m.name === 'bdSeq')?.value)).toBe(bdSeq);
    // The other gateway carries on.
    await sub.waitFor(topicIs('DDATA', 'GAS-GW01', 'GD-201'), 2000, sub.messages.length);
    sim.clearFault('GAS-GW02');
    const from = sub.messages.length;
    const reborn = decode(await sub.waitFor(topicIs('NBIRTH', 'GAS-GW02'), 4000, from));
    expect(Number(reborn.metrics?.find((m) => m.name === 'bdSeq')?.value)).toBe(bdSeq + 1);
    await sub.waitFor(topicIs('DBIRTH', 'GAS-GW02', 'GD-210'), 2000, from);
  });

  it('answers an NCMD rebirth request with NBIRTH and DBIRTHs', async () => {
    const { sub } = await setup();
    await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-205'));
    const from = sub.messages.length;
    await sub.publish(
      'spBv1.0/SZ01/NCMD/GAS-GW01',
      encodeSparkplug({
        timestamp: Date.now(),
        metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
      }),
    );
    const nbirth = decode(await sub.waitFor(topicIs('NBIRTH', 'GAS-GW01'), 2000, from));
    expect(Number(nbirth.seq)).toBe(0);
    await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-205'), 2000, from);
  });

  it('sets a metric on DCMD and reports the new value in DDATA', async () => {
    const { sub, sim } = await setup();
    const birth = await sub.waitFor(topicIs('DBIRTH', 'GAS-GW02', 'GD-207'));
    const beaconAlias = [...aliasesOf(birth)].find(([, name]) => name === 'Beacon')![0];
    const from = sub.messages.length;
    await sub.publish(
      'spBv1.0/SZ01/DCMD/GAS-GW02/GD-207',
      encodeSparkplug({
        timestamp: Date.now(),
        metrics: [{ alias: beaconAlias, type: 'Boolean', value: true }],
      }),
    );
    const data = await sub.waitFor(
      (m) =>
        topicIs('DDATA', 'GAS-GW02', 'GD-207')(m) &&
        (decode(m).metrics ?? []).some((x) => Number(x.alias) === beaconAlias && x.value === true),
      2000,
      from,
    );
    expect(data).toBeDefined();
    expect(sim.model.values('GD-207').BEACON).toBe(true);
  });

  it('shows an injected gas leak crossing the suggested HH limit within the ramp time', async () => {
    const { sub, sim } = await setup();
    const hh = sim.plant.tags.find((t) => t.equipmentCode === 'GD-202' && t.code === 'H2S')!.alarmLimits!.hh!;
    const birth = await sub.waitFor(topicIs('DBIRTH', 'GAS-GW01', 'GD-202'));
    const h2sAlias = [...aliasesOf(birth)].find(([, name]) => name === 'H2S')![0];
    const rampMs = 1500;
    const injectedAt = Date.now();
    sim.injectFault('GD-202', 'gas-leak', { rampMs });
    const crossing = await sub.waitFor(
      (m) =>
        topicIs('DDATA', 'GAS-GW01', 'GD-202')(m) &&
        (decode(m).metrics ?? []).some((x) => Number(x.alias) === h2sAlias && (x.value as number) >= hh),
      rampMs + 1000,
      sub.messages.length,
    );
    // One publish interval of slack for the message that carries it.
    expect(crossing.at - injectedAt).toBeLessThanOrEqual(rampMs + 250);
  });
});
