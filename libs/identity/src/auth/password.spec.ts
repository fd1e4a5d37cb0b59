import { generatePassword, hashPassword, passwordProblems, verifyPassword } from './password';

describe('password hashing', () => {
  it('verifies the right password and refuses others, never storing the password', async () => {
    const hash = await hashPassword('Correct-Horse-9');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('Correct-Horse-9');
    expect(await verifyPassword('Correct-Horse-9', hash)).toBe(true);
    expect(await verifyPassword('correct-horse-9', hash)).toBe(false);
    expect(await verifyPassword('Correct-Horse-9', 'plain:Correct-Horse-9')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('Same-Pass-123')).not.toBe(await hashPassword('Same-Pass-123'));
  });

  it('states what is wrong with a weak password, in Chinese', () => {
    expect(passwordProblems('short')).toBe('密码至少 10 位');
    expect(passwordProblems('alllowercaseletters')).toMatch(/至少三类/);
    expect(passwordProblems('Good-Pass-2026')).toBeNull();
    expect(passwordProblems(generatePassword())).toBeNull();
  });
});
