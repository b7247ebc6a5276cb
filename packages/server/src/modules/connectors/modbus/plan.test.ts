import { describe, expect, it } from 'vitest';
import type { BoundTag } from '../../ingest/types.js';
import type { ModbusSource } from './codec.js';
import { planReads } from './plan.js';

let nextId = 1;
function tag(over: Partial<ModbusSource>): BoundTag {
  return {
    id: nextId++,
    code: `T${nextId}`,
    equipmentCode: 'E',
    type: 'number',
    source: {
      kind: 'modbus',
      connectorId: 1,
      unitId: 1,
      area: 'holding',
      address: 0,
      dataType: 'int16',
      scale: 1,
      offset: 0,
      wordOrder: 'big',
      ...over,
    },
  };
}

describe('planReads', () => {
  it('reads contiguous registers of one unit and area in one request', () => {
    const groups = planReads([
      tag({ address: 2, dataType: 'float32' }),
      tag({ address: 0 }),
      tag({ address: 1 }),
      tag({ address: 4, dataType: 'uint32' }),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ unitId: 1, area: 'holding', start: 0, count: 6 });
    expect(groups[0]!.items.map((i) => [i.source.address, i.index, i.width])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [2, 2, 2],
      [4, 4, 2],
    ]);
  });

  it('bridges a small gap but splits at a large one', () => {
    const groups = planReads([tag({ address: 0 }), tag({ address: 4 }), tag({ address: 100 })], {
      maxRegisterGap: 4,
    });
    expect(groups.map((g) => [g.start, g.count])).toEqual([
      [0, 5],
      [100, 1],
    ]);
  });

  it('splits per unit and per area', () => {
    const groups = planReads([
      tag({ address: 0 }),
      tag({ address: 1, unitId: 2 }),
      tag({ address: 1, area: 'input' }),
      tag({ address: 0, area: 'coil' }),
      tag({ address: 5, area: 'coil' }),
    ]);
    expect(groups.map((g) => [g.unitId, g.area, g.start, g.count])).toEqual([
      [1, 'coil', 0, 6],
      [1, 'holding', 0, 1],
      [1, 'input', 1, 1],
      [2, 'holding', 1, 1],
    ]);
  });

  it('never asks for more than 125 registers or 2000 coils at once', () => {
    const regs = Array.from({ length: 300 }, (_, i) => tag({ address: i }));
    const coils = Array.from({ length: 4500 }, (_, i) => tag({ address: i, area: 'coil' }));
    const groups = planReads([...regs, ...coils]);
    const holding = groups.filter((g) => g.area === 'holding');
    expect(holding.map((g) => g.count)).toEqual([125, 125, 50]);
    expect(groups.filter((g) => g.area === 'coil').map((g) => g.count)).toEqual([2000, 2000, 500]);
    for (const g of groups) expect(g.items.every((i) => i.index + i.width <= g.count)).toBe(true);
  });

  it('keeps a 32-bit value whole at a request boundary', () => {
    const tags = [
      ...Array.from({ length: 124 }, (_, i) => tag({ address: i })),
      tag({ address: 124, dataType: 'int32' }),
    ];
    const groups = planReads(tags);
    expect(groups.map((g) => [g.start, g.count])).toEqual([
      [0, 124],
      [124, 2],
    ]);
  });

  it('reads two tags on the same register from one request', () => {
    const groups = planReads([tag({ address: 3 }), tag({ address: 3, dataType: 'uint16' })]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.count).toBe(1);
    expect(groups[0]!.items).toHaveLength(2);
  });

  it('ignores tags of other source kinds', () => {
    const http: BoundTag = {
      id: 99,
      code: 'H',
      equipmentCode: 'E',
      type: 'number',
      source: { kind: 'http' },
    };
    expect(planReads([http])).toEqual([]);
  });
});
