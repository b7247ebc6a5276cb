/** Skeleton: the feature's owner replaces it. */
export function ScreensPage() {
  return null;
}
