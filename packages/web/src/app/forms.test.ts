import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { settleOk } from './forms';

describe('dialog OK handlers', () => {
  it('keeps an empty required field on the form instead of throwing an unhandled rejection', async () => {
    const reported: unknown[] = [];
    const ok = settleOk(
      async () => {
        throw { errorFields: [{ name: ['reason'], errors: ['请填写原因'] }], values: {} };
      },
      (e) => reported.push(e),
    );
    await expect(ok()).resolves.toBe(false);
    expect(reported).toEqual([]);
  });

  it('does not report a failed request twice (the mutation already did) and reports anything else', async () => {
    const reported: unknown[] = [];
    const failed = settleOk(
      async () => {
        throw new ApiError(400, 'validation_failed', 'no');
      },
      (e) => reported.push(e),
    );
    await expect(failed()).resolves.toBe(false);
    const broken = settleOk(
      async () => {
        throw new Error('bug');
      },
      (e) => reported.push(e),
    );
    await expect(broken()).resolves.toBe(false);
    expect(reported).toEqual([new Error('bug')]);
    await expect(
      settleOk(
        async () => 1,
        () => {},
      )(),
    ).resolves.toBe(true);
  });
});
