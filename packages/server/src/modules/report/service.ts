/** Compliance reports. Skeleton: the owner replaces it. */
export function createReportService(_deps: Record<string, unknown>) {
  return {
    /** Runs the report schedules that are due (every minute; once per schedule and occurrence). */
    async runSchedules(): Promise<void> {},
  };
}

export type ReportService = ReturnType<typeof createReportService>;
