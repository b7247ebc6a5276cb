/** Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet. Skeleton: the owner replaces it. */
export function createKpiService(_deps: Record<string, unknown>) {
  return {};
}

export type KpiService = ReturnType<typeof createKpiService>;
