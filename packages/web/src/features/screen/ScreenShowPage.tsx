/** Skeleton: the feature's owner replaces it. */
export function ScreenShowPage() {
  return null;
}
