import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { type AccountInput, accountCreator } from './account-service.js';
import { type AccountKind, accountFlags, transferFlags } from './ledger-codes.js';
import type { TransferInput } from './transfer-validation.js';

/** Test helpers for the ledger: accounts made through the module's own write path. */

/** A lowercase random UUID, as clients send ids. */
export const newId = (): string => randomUUID();

/** Creates one account and returns its id; fails the test if the ledger refuses it. */
export async function openAccount(
  db: Kysely<Database>,
  kind: AccountKind,
  options: Partial<AccountInput> = {},
): Promise<string> {
  const id = options.id ?? newId();
  const defaultFlags =
    kind === 'settlement' || kind === 'suspense'
      ? accountFlags.none
      : accountFlags.debitsMustNotExceedCredits;
  const [outcome] = await accountCreator(db, [
    { id, currency: 'VES', kind, flags: defaultFlags, ...options },
  ]);
  if (outcome?.result !== 'ok') throw new Error(`account refused: ${outcome?.result}`);
  return id;
}

/** A plain transfer of `amountMinor` VES; override any field. */
export function transfer(
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  overrides: Partial<TransferInput> = {},
): TransferInput {
  return {
    id: newId(),
    debitAccountId,
    creditAccountId,
    amountMinor,
    flags: transferFlags.none,
    currency: 'VES',
    reason: 'payment',
    ...overrides,
  };
}
