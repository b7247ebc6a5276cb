import type { BoundTag } from '../../ingest/types.js';
import { isBitArea, type ModbusArea, type ModbusSource, valueWidth } from './codec.js';

/** Modbus limits per request: 125 registers (FC3/FC4), 2000 bits (FC1/FC2). */
export const MAX_REGISTERS = 125;
export const MAX_BITS = 2000;

export interface ReadGroup {
  unitId: number;
  area: ModbusArea;
  start: number;
  count: number;
  /** Each tag with where its value starts inside the group's response. */
  items: Array<{ tag: BoundTag; source: ModbusSource; index: number; width: number }>;
}

export interface PlanOptions {
  /** Unused registers that may be read between two tags to save a request (devices may refuse unmapped ones). */
  maxRegisterGap?: number;
  maxBitGap?: number;
}

/**
 * Plans one poll: the tags grouped per (unit, area) into as few contiguous read requests as
 * the protocol allows, bridging small gaps.
 */
export function planReads(tags: readonly BoundTag[], options: PlanOptions = {}): ReadGroup[] {
  const maxRegisterGap = options.maxRegisterGap ?? 4;
  const maxBitGap = options.maxBitGap ?? 32;
  const entries = tags
    .filter((t) => t.source.kind === 'modbus')
    .map((tag) => {
      const source = tag.source as ModbusSource;
      return { tag, source, width: valueWidth(source.area, source.dataType) };
    })
    .sort(
      (a, b) =>
        a.source.unitId - b.source.unitId ||
        a.source.area.localeCompare(b.source.area) ||
        a.source.address - b.source.address,
    );

  const groups: ReadGroup[] = [];
  let current: ReadGroup | null = null;
  for (const e of entries) {
    const { unitId, area, address } = e.source;
    const bits = isBitArea(area);
    const max = bits ? MAX_BITS : MAX_REGISTERS;
    const gap = bits ? maxBitGap : maxRegisterGap;
    // A 32-bit value at 65535 would run past the address space; clip it so the read fails alone.
    const end = Math.min(address + e.width, 65536);
    if (
      current &&
      current.unitId === unitId &&
      current.area === area &&
      address <= current.start + current.count + gap &&
      Math.max(end, current.start + current.count) - current.start <= max
    ) {
      current.count = Math.max(current.count, end - current.start);
    } else {
      current = { unitId, area, start: address, count: end - address, items: [] };
      groups.push(current);
    }
    current.items.push({ tag: e.tag, source: e.source, index: address - current.start, width: e.width });
  }
  return groups;
}
