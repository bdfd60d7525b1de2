import { describe, expect, it } from 'vitest';
import { demoAccounts } from './demo-operators.js';

describe('demo staff accounts', () => {
  it('carry distinct Spanish-looking display names, not English role descriptions', () => {
    const names = demoAccounts.map((account) => account.displayName);
    for (const name of names) {
      expect(name).toMatch(/^[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+ [A-ZÁÉÍÓÚÑ][a-záéíóúñ]+$/);
      expect(name.toLowerCase()).not.toMatch(/demo|administrator|clerk|supervisor|auditor/);
    }
    expect(new Set(names).size).toBe(names.length);
  });
});
