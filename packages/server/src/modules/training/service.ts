/** Training matrix, records, expiry reminders, derived needs. Skeleton: the owner replaces it. */
export function createTrainingService(_deps: Record<string, unknown>) {
  return {
    /** Reminders for training records about to expire or expired (hourly; once per record and stage). */
    async remindExpiring(): Promise<void> {},
  };
}

export type TrainingService = ReturnType<typeof createTrainingService>;
