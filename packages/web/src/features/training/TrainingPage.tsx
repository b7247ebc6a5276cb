/** Skeleton: the feature's owner replaces it. */
export function TrainingPage() {
  return null;
}
