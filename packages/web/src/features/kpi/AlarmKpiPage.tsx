/** Skeleton: the feature's owner replaces it. */
export function AlarmKpiPage() {
  return null;
}
