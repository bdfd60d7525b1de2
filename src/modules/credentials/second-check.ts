import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import { type OnlineCardCheck, onlineCardCheck } from './online-card-check.js';

/**
 * The second check of acting without the card (safeguard 9): what a redemption at a point
 * (distribution's `assisted/`) and a payment at a merchant's counter (payments'
 * `merchants/counter-assisted*`) share. A person named by ID number proves it is them by one of:
 * a one-time code texted to the phone on file, the photo on file compared by the person at the
 * counter (their attestation), or a valid card of a current member of the person's household.
 * Each caller keeps its own rows, counts and audit; this holds the parts that must not differ.
 *
 * @example
 *   const code = newOneTimeCode(); // '042917'
 *   const hash = oneTimeCodeHash(masterKey, 'amparo assisted redemption code v1', rowId, code);
 *   oneTimeCodeMatches(masterKey, 'amparo assisted redemption code v1', rowId, code, hash); // true
 */
export function newOneTimeCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The code kept only as an HMAC-SHA256 under a key derived from the master key with the
 * caller's own label (HKDF) and bound to the row's id: a stolen table reveals no code, and a
 * code of one check does not open another, nor one of another kind.
 */
export function oneTimeCodeHash(
  masterKey: Buffer,
  label: string,
  boundTo: string,
  code: string,
): Buffer {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), label, 32));
  return createHmac('sha256', key).update(`${boundTo}:${code}`).digest();
}

export function oneTimeCodeMatches(
  masterKey: Buffer,
  label: string,
  boundTo: string,
  code: string,
  hash: Buffer,
): boolean {
  const candidate = oneTimeCodeHash(masterKey, label, boundTo, code);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}

/**
 * The verdict on a code typed for a started check: `expired` after its time, `wrong` unless it
 * matches, else `right`. The caller counts a wrong one and fails the check at its bound.
 */
export function oneTimeCodeVerdict(
  masterKey: Buffer,
  label: string,
  row: { id: string; code_hash: Buffer | null; code_expires_at: Date | null },
  code: string | undefined,
  now: Date,
): 'right' | 'wrong' | 'expired' {
  if (row.code_hash === null || row.code_expires_at === null) return 'wrong';
  if (now.getTime() > row.code_expires_at.getTime()) return 'expired';
  if (code === undefined) return 'wrong';
  return oneTimeCodeMatches(masterKey, label, row.id, code, row.code_hash) ? 'right' : 'wrong';
}

/**
 * A household member's card as the second check: valid now (the online check: revoked,
 * expired or forged refused), not the person's own (that is the card path) and held by a
 * current member of the person's household (the registry's answer, passed in).
 */
export async function householdCardCheck(
  deps: { db: Kysely<Database>; keys: KeyStore },
  sameHousehold: (db: Kysely<Database>, personId: string, otherId: string) => Promise<boolean>,
  props: { personId: string; qrText: string; now: Date },
): Promise<
  | { credentialId: Buffer }
  | { refusal: { message: string; code: OnlineCardCheck['status'] | 'own_card' | 'not_household' } }
> {
  const check = await onlineCardCheck(deps, props.qrText, props.now);
  if (check.holder === undefined) {
    return { refusal: { message: `Card refused: ${check.message}`, code: check.status } };
  }
  if (check.holder.personId === props.personId) {
    return {
      refusal: { message: "This is the person's own card: use the card itself", code: 'own_card' },
    };
  }
  if (!(await sameHousehold(deps.db, props.personId, check.holder.personId))) {
    return {
      refusal: {
        message: "The card's holder is not of the person's household",
        code: 'not_household',
      },
    };
  }
  return { credentialId: Buffer.from(check.holder.credentialId, 'hex') };
}
