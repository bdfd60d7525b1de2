import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { personDataSealer } from '../../registry/index.js';

/** What a bank needs to know about a creditor, and nothing Amparo keeps in clear. */
export interface Creditor {
  name: string;
  nationalId?: string | undefined;
  /** The 20-digit account or the +58 Pago Móvil number (the row says which kind). */
  accountNumber: string;
}

/** Where a sealed creditor is kept: its table and column, part of the box's associated data. */
export interface SealPlace {
  table: 'payout_instruction' | 'payee_account';
  column: 'creditor_sealed' | 'payee_sealed';
}

const instructionPlace: SealPlace = { table: 'payout_instruction', column: 'creditor_sealed' };

/** A payee account's box (`payee_account.payee_sealed`, migration 0116). */
export const payeeAccountPlace: SealPlace = { table: 'payee_account', column: 'payee_sealed' };

const context = (place: SealPlace, recordId: string) => ({ ...place, recordId });

/**
 * Seals each instruction's creditor (or each stored payee account, `place`) under its person's data key (the registry's
 * `personDataSealer`, safeguard 6): the name, account and cédula are never stored in clear, and
 * the person's erasure crypto-shreds them. Null for a person with no live key (unknown or
 * erased): no payment may be prepared for them.
 */
export async function sealCreditors(
  db: Kysely<Database>,
  masterKey: Buffer,
  items: ReadonlyArray<{ recordId: string; personId: string; creditor: Creditor }>,
  place: SealPlace = instructionPlace,
): Promise<Array<Buffer | null>> {
  return personDataSealer(masterKey).seal(
    db,
    items.map((item) => ({
      personId: item.personId,
      plaintext: Buffer.from(
        JSON.stringify({
          name: item.creditor.name,
          nationalId: item.creditor.nationalId ?? null,
          accountNumber: item.creditor.accountNumber,
        }),
      ),
      context: context(place, item.recordId),
    })),
  );
}

/** Opens the creditors; null where the person was erased since (the key is destroyed). */
export async function openCreditors(
  db: Kysely<Database>,
  masterKey: Buffer,
  rows: ReadonlyArray<{ id: string; person_id: string; creditor_sealed: Buffer | Uint8Array }>,
  place: SealPlace = instructionPlace,
): Promise<Array<Creditor | null>> {
  const opened = await personDataSealer(masterKey).open(
    db,
    rows.map((row) => ({
      personId: row.person_id,
      sealed: Buffer.from(row.creditor_sealed),
      context: context(place, row.id),
    })),
  );
  return opened.map((plain) => {
    if (plain === null) return null;
    // Safe: only sealCreditors writes this box, always this JSON shape.
    const value = JSON.parse(plain.toString('utf8')) as {
      name: string;
      nationalId: string | null;
      accountNumber: string;
    };
    return {
      name: value.name,
      nationalId: value.nationalId ?? undefined,
      accountNumber: value.accountNumber,
    };
  });
}
