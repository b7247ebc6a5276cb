/** Electronic signatures (21 CFR Part 11): re-authentication, meaning, binding to a content hash. Skeleton: the owner of this module replaces it. */
export function createSignatureService(_deps: Record<string, unknown>) {
  return {};
}

export type SignatureService = ReturnType<typeof createSignatureService>;
