import { ApiError } from './api';

/** What antd's `form.validateFields()` rejects with when a field is invalid. */
export function isValidationError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && Array.isArray((e as { errorFields?: unknown }).errorFields);
}

/**
 * A dialog's OK handler that never ends in an unhandled rejection: invalid fields stay marked
 * on the form, a failed request was already reported by the mutation, anything else goes to
 * `report`. Resolves to whether the action went through.
 */
export function settleOk(action: () => Promise<unknown>, report: (e: unknown) => void) {
  return async (): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (e) {
      if (!isValidationError(e) && !(e instanceof ApiError)) report(e);
      return false;
    }
  };
}
