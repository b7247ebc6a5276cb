/** Skeleton: the feature's owner replaces it. */
export function AnalysisPage() {
  return null;
}
