import { AmparoError } from '../../platform/errors.js';
import type { Action } from '../../shared/access/policy.js';
import { guardPersonAccess } from '../access/index.js';
import { personStanding } from '../registry/index.js';
import { cardAttributeNames } from './card-holder.js';
import type { CardHolder, EncodedCard } from './card-payload.js';
import { type CredentialDependencies, refuseInactive, reproduceCard } from './credential-issuer.js';
import {
  type CredentialRow,
  findActiveCredential,
  listPersonCredentials,
} from './credential-repository.js';
import type { CredentialContext } from './credential-service.js';
import { personCredentialsListedMax } from './limits.js';
import type { RevocationReason } from './revocation-list.js';

/** One card as listed: its facts only, never the holder's data. */
export interface CardFacts {
  credentialId: string;
  status: 'active' | 'revoked';
  issuedAt: string;
  expiresAt: string;
  kid: string;
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
}

/** The audit entry's field list for a listing: the card facts, not any person attribute. */
const cardFactFields = ['credentials'] as const;

/**
 * A person's cards, newest first (at most `personCredentialsListedMax`): guarded as
 * `person.read` (operators in the record's region for their purposes; the holder, purpose
 * `self`), audited, and counted against the read quota like any person read: no attribute
 * is returned, but each answer confirms that a person id exists in the caller's regions and
 * when they were given cards, so walking ids through it is scraping too (issue #11).
 *
 * @example
 * const { credentials } = await personCardsReader(deps, { actor, purpose: 'enrolment', requestId, personId });
 */
export async function personCardsReader(
  deps: CredentialDependencies,
  props: CredentialContext & { personId: string },
): Promise<{ credentials: CardFacts[]; truncated: boolean }> {
  const { grant } = await guardFor(deps, props, 'person.read', true);
  const rows = await listPersonCredentials(deps.db, props.personId, personCredentialsListedMax + 1);
  await grant.record(cardFactFields);
  return {
    credentials: rows.slice(0, personCredentialsListedMax).map((row) => ({
      credentialId: row.id.toString('hex'),
      status: row.status,
      issuedAt: row.issuedAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      kid: row.kid,
      revokedAt: row.revokedAt?.toISOString() ?? null,
      revocationReason: row.revocationReason,
    })),
    truncated: rows.length > personCredentialsListedMax,
  };
}

/**
 * The holder's own active card, for them to keep or print (action `credential.read`: a citizen,
 * purpose `self`, their own record). Produced again from the stored credential (no QR text is
 * stored); audited with the card's attributes. 404 when the person holds no active card; 409
 * when the record is no longer active.
 *
 * @example
 * const { card, holder } = await holderCardReader(deps, { actor, purpose: 'self', requestId, personId });
 */
export async function holderCardReader(
  deps: CredentialDependencies,
  props: CredentialContext & { personId: string },
): Promise<{ card: EncodedCard; holder: CardHolder; credential: CredentialRow }> {
  const { grant, status } = await guardFor(deps, props, 'credential.read', true);
  if (status !== 'active') {
    await grant.record([]);
    refuseInactive(status);
  }
  const credential = await findActiveCredential(deps.db, props.personId);
  if (credential === undefined) {
    await grant.record([]);
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No active card: an office issues one' });
  }
  const reproduced = await reproduceCard(deps, credential);
  await grant.record(cardAttributeNames);
  return { ...reproduced, credential };
}

async function guardFor(
  deps: CredentialDependencies,
  props: CredentialContext & { personId: string },
  action: Action,
  countsAsPersonRead: boolean,
) {
  const person = await personStanding(deps.db, props.personId);
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action,
    resource: { type: 'person', id: person?.id ?? props.personId },
    regionCode: person?.regionCode ?? null,
    personId: person?.id ?? null,
    exists: person !== undefined,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead,
  });
  // Safe: the guard refused (404) when the person does not exist.
  return { grant, status: (person as NonNullable<typeof person>).status };
}
