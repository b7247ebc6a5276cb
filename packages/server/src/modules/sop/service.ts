import type { InterlockWriter } from '../alarms/index.js';

/** Operating procedures (SOP) and lockout/tagout (LOTO, 上锁挂牌). Skeleton: the owner replaces it. */
export function createSopService(_deps: Record<string, unknown>) {
  return {
    /** Wraps the equipment writer: a start command to locked-out equipment is refused. */
    guardWriter(writer: InterlockWriter): InterlockWriter {
      return writer;
    },
  };
}

export type SopService = ReturnType<typeof createSopService>;
