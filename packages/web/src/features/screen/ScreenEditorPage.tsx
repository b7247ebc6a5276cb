/** Skeleton: the feature's owner replaces it. */
export function ScreenEditorPage() {
  return null;
}
