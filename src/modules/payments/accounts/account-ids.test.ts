import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedId, settlementAccountId, walletAccountId } from './account-ids.js';

/** The first implementation (a hasher object per id): every stored id was derived by it. */
function derivedIdAsFirstWritten(namespace: string, ...parts: readonly string[]): string {
  const bytes = createHash('sha256')
    .update(['amparo', namespace, ...parts].join('|'))
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('derived ledger ids', () => {
  it('are the ids already stored: the same inputs give the same id as when first written', () => {
    expect(settlementAccountId('VES')).toBe('f718bf6b-0777-89ef-9159-0e48ae5a00ad');
    expect(walletAccountId('00000000-0000-4000-8000-000000000001', 'USD')).toBe(
      'fcf4bd6c-ebd6-852c-89a4-a8cd2d358f70',
    );
    expect(derivedId('x')).toBe('1bf7ca0e-8b5b-8d0c-994a-361030366ad8');
    for (let index = 0; index < 2_000; index += 1) {
      const parts = [randomUUID(), index % 2 === 0 ? 'VES' : 'USD'];
      expect(derivedId('wallet', ...parts)).toBe(derivedIdAsFirstWritten('wallet', ...parts));
    }
  });
});
