/** Big screens and kiosk tokens. Skeleton: the owner replaces it. */
export function createScreenService(_deps: Record<string, unknown>) {
  return {};
}

export type ScreenService = ReturnType<typeof createScreenService>;
