/** Skeleton: the feature's owner replaces it. */
export function KioskPage() {
  return null;
}
