/** Skeleton: the feature's owner replaces it. */
export function ReportsPage() {
  return null;
}
