import assert from 'node:assert/strict';
import type { Kysely, Transaction } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import type { TransactionalAuditRecorder } from '../access/index.js';
import type { PersonNotifier } from '../notifications/index.js';
import { holderFactsAt, lockHolderFacts } from '../registry/index.js';
import { cardAttributeNames, cardHolderFrom } from './card-holder.js';
import { type CardHolder, type EncodedCard, encodeCard } from './card-payload.js';
import {
  type CredentialRow,
  insertCredential,
  lockActiveCredential,
  nextRevocationVersion,
  revokeCredentialRow,
} from './credential-repository.js';
import { cardValiditySecondsDefault } from './limits.js';
import { createNodeSigner } from './node-primitives.js';
import { type RevocationReason, revocationHash } from './revocation-list.js';

/** How cards are issued here: validity and the issuer name printed on cards and lists. */
export interface CredentialIssuance {
  validitySeconds: number;
  issuerName: string;
}

export const credentialIssuanceDefault: CredentialIssuance = {
  validitySeconds: cardValiditySecondsDefault,
  issuerName: 'Amparo',
};

const secondsPerYear = 365 * 24 * 3600;

/** The issuance settings from configuration (`AMPARO_CARD_VALIDITY_YEARS`, `AMPARO_CARD_ISSUER_NAME`). */
export function credentialIssuanceFrom(cards: {
  validityYears: number;
  issuerName: string;
}): CredentialIssuance {
  return { validitySeconds: cards.validityYears * secondsPerYear, issuerName: cards.issuerName };
}

/** What issuance, revocation and the published lists need. */
export interface CredentialDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  keys: KeyStore;
  issuance: CredentialIssuance;
  /** Texts the holder that the card is ready, in the issuing transaction (app.ts builds it). */
  notifier: PersonNotifier;
  /** The clock cards are dated by; the system clock when absent. */
  now?: () => Date;
}

export interface IssuedCredential {
  credentialId: string;
  expiresAt: number;
  /** The credential this one replaced (revoked as `reissued`), if any. */
  replacedCredentialId: string | null;
}

/**
 * Issues a card for a locked, active person inside the caller's transaction: signs the current
 * version with the current issuer key, stores the credential, and revokes the person's previous
 * active card (reason `reissued`) under a new revocation list version. `auditEntries` gets the
 * new credential and returns what to append in the same transaction.
 *
 * @throws AmparoError `AMP_CONFLICT` for a deceased, merged or erased person
 * @example
 * await db.transaction().execute((trx) => issueInTransaction(trx, deps,
 *   { personId, issuedBy: operatorId, batchId: null, auditEntries: () => [entry] }));
 */
export async function issueInTransaction(
  trx: Transaction<Database>,
  deps: CredentialDependencies,
  props: {
    personId: string;
    issuedBy: string | null;
    batchId: string | null;
    auditEntries: (issued: IssuedCredential) => AuditEntryInput[];
  },
): Promise<IssuedCredential> {
  // The registry locks the person until this transaction ends and names only card attributes.
  const person = await lockHolderFacts(
    trx,
    deps.keys.masterKey,
    props.personId,
    cardAttributeNames,
  );
  if (person === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such record' });
  refuseInactive(person.status);
  if (person.attributes === null) throw conflict('This record was erased: it has no card data');
  const holder = cardHolderFrom(person.uin, person.attributes);
  const previous = await lockActiveCredential(trx, person.id);
  const nowSeconds = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  // A reissue is dated at least one second after the card it replaces, so a person's cards
  // sort by issuance time. (They differ anyway: each card carries its own random `cti`.)
  const issuedAt =
    previous === undefined ? nowSeconds : Math.max(nowSeconds, previous.issuedAt + 1);
  const kid = deps.keys.currentIssuerKid;
  const card = await signCard(deps.keys, kid, holder, {
    issuedAt,
    expiresAt: issuedAt + deps.issuance.validitySeconds,
  });
  if (previous !== undefined) await revokeInTransaction(trx, previous, 'reissued', null);
  await insertCredential(trx, {
    id: card.credentialId,
    personId: person.id,
    personVersion: person.version,
    kid,
    issuedAt,
    expiresAt: card.expiresAt,
    issuedBy: props.issuedBy,
    batchId: props.batchId,
    cwtId: card.cwtId,
  });
  // Queued with the card: the text goes if and only if the card is issued.
  await deps.notifier.notify(trx, person.id, { event: 'card_ready' });
  const issued: IssuedCredential = {
    credentialId: Buffer.from(card.credentialId).toString('hex'),
    expiresAt: card.expiresAt,
    replacedCredentialId: previous === undefined ? null : previous.id.toString('hex'),
  };
  await deps.audit.appendInTransaction(trx, props.auditEntries(issued));
  return issued;
}

/**
 * Revokes one active credential inside the caller's transaction and adds it to the revocation
 * list under the next version. Returns that version.
 *
 * @example
 * await revokeInTransaction(trx, row, 'lost', operatorId);
 */
export async function revokeInTransaction(
  trx: Transaction<Database>,
  credential: CredentialRow,
  reason: RevocationReason,
  revokedBy: string | null,
): Promise<number> {
  assert.equal(credential.status, 'active', 'only an active credential is revoked');
  const version = await nextRevocationVersion(trx);
  await revokeCredentialRow(trx, {
    id: credential.id,
    hash: Buffer.from(revocationHash(credential.id), 'base64url'),
    reason,
    version,
    revokedBy,
    at: new Date(),
  });
  return version;
}

/**
 * The card of a stored credential, signed again from the person version it was issued from
 * with its stored `cti` (Ed25519 is deterministic, so the text is the one first issued).
 * Nothing personal is kept with the credential: once the person is erased, the photo no longer
 * opens and the card can no longer be produced.
 *
 * @throws AmparoError `AMP_CONFLICT` when the record was erased, the key is gone, or the
 *   version no longer yields the same card (for instance, a new UIN)
 */
export async function reproduceCard(
  deps: Pick<CredentialDependencies, 'db' | 'keys'>,
  credential: CredentialRow,
): Promise<{ card: EncodedCard; holder: CardHolder }> {
  const person = await holderFactsAt(
    deps.db,
    deps.keys.masterKey,
    credential.personId,
    credential.personVersion,
    cardAttributeNames,
  );
  if (person === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such record' });
  if (person.attributes === null) {
    throw conflict('This record was erased: its card can no longer be produced');
  }
  const holder = cardHolderFrom(person.uin, person.attributes);
  const card = await signCard(deps.keys, credential.kid, holder, {
    issuedAt: credential.issuedAt,
    expiresAt: credential.expiresAt,
    // The stored `cti`; a card issued before cards carried one is produced without it.
    cwtId: credential.cwtId === null ? null : new Uint8Array(credential.cwtId),
  });
  if (!Buffer.from(card.credentialId).equals(credential.id)) {
    throw conflict(
      'The record no longer yields this card (its ID number changed): issue a new card',
    );
  }
  return { card, holder };
}

/** Signs a card; `cwtId` left out draws a new random one (a new card). */
async function signCard(
  keys: KeyStore,
  kid: string,
  holder: CardHolder,
  card: { issuedAt: number; expiresAt: number; cwtId?: Uint8Array | null },
): Promise<EncodedCard> {
  const key = keys.issuerKeys.find((candidate) => candidate.kid === kid);
  if (key === undefined) throw conflict(`The issuer key ${kid} is no longer held`);
  return encodeCard({
    holder,
    signer: createNodeSigner(key.privateKey),
    issuedAt: card.issuedAt,
    profile: { validitySeconds: card.expiresAt - card.issuedAt },
    cwtId: card.cwtId,
  });
}

/** A card is issued only to an active person: refused for deceased, merged and erased ones. */
export function refuseInactive(status: 'active' | 'deceased' | 'merged' | 'erased'): void {
  if (status !== 'active') {
    throw new AmparoError('AMP_CONFLICT', {
      detail: `This person's record is ${status}: no card is issued or printed for it`,
      errors: [{ field: 'params/personId', reason: `the record is ${status}` }],
    });
  }
}

function conflict(detail: string): AmparoError {
  return new AmparoError('AMP_CONFLICT', { detail });
}
