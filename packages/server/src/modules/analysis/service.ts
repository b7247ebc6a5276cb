/** Trend and shift analysis with a statistical test. Skeleton: the owner replaces it. */
export function createAnalysisService(_deps: Record<string, unknown>) {
  return {};
}

export type AnalysisService = ReturnType<typeof createAnalysisService>;
