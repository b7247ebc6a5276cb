import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('Correct-Horse-9');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('Correct-Horse-9', hash)).toBe(true);
    expect(await verifyPassword('correct-horse-9', hash)).toBe(false);
    expect(await verifyPassword('x', null)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('Same-Pass-123')).not.toBe(await hashPassword('Same-Pass-123'));
  });

  it('explains each broken rule of the policy', () => {
    const policy = { minLength: 10, minClasses: 3 };
    expect(checkPasswordPolicy('Abcdefgh1!', policy)).toEqual([]);
    expect(checkPasswordPolicy('short', policy)).toHaveLength(2);
    expect(checkPasswordPolicy('zhangsan-Pass1', policy, 'zhangsan')).toEqual(['not contain the username']);
  });
});
