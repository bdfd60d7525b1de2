import { runIdempotent } from '../../platform/db/idempotency.js';
import { AmparoError } from '../../platform/errors.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { Action } from '../../shared/access/policy.js';
import { type AllowedWrite, writeAuditEntry } from '../../shared/audit/write-audit-entry.js';
import { guardPersonAccess } from '../access/index.js';
import { personStanding } from '../registry/index.js';
import { cardAttributeNames } from './card-holder.js';
import type { CardHolder, EncodedCard } from './card-payload.js';
import {
  type CredentialDependencies,
  type IssuedCredential,
  issueInTransaction,
  refuseInactive,
  reproduceCard,
  revokeInTransaction,
} from './credential-issuer.js';
import {
  type CredentialRow,
  findCredential,
  lockActiveCredential,
} from './credential-repository.js';
import type { RevocationReason } from './revocation-list.js';

/** Who acts, why, and for which request. */
export interface CredentialContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

export interface IssueAnswer {
  credentialId: string;
  expiresAt: string;
  replacedCredentialId: string | null;
  qrText: string;
}

/**
 * Issues (or reissues) a person's card: guarded as `credential.issue`, idempotent on the
 * client id, one transaction with the credential row, the revocation of the previous card and
 * the audit entry. The idempotency record keeps identifiers only; the QR text of the answer is
 * produced again from the stored credential, so a retry gets the same text.
 *
 * @example
 * await credentialIssuer(deps, { actor, purpose: 'enrolment', requestId, personId, clientId });
 */
export async function credentialIssuer(
  deps: CredentialDependencies,
  props: CredentialContext & { personId: string; clientId: string },
): Promise<{ status: number; body: IssueAnswer }> {
  const write = await authorize(deps, props, 'credential.issue', props.personId);
  const fields = cardAttributeNames;
  const result = await runIdempotent<IssuedCredential>(
    deps.db,
    {
      scope: 'credentials.issue',
      clientId: props.clientId,
      request: { personId: props.personId, purpose: props.purpose },
    },
    async (trx) => {
      const issued = await issueInTransaction(trx, deps, {
        personId: props.personId,
        issuedBy: write.actor.kind === 'operator' ? write.actor.operatorId : null,
        batchId: null,
        auditEntries: () => [
          writeAuditEntry(write, { type: 'person', id: props.personId }, fields, props.requestId),
        ],
      });
      return { status: 201, body: issued };
    },
  );
  const row = await findCredential(deps.db, Buffer.from(result.body.credentialId, 'hex'));
  if (row === undefined) throw new Error('an issued credential is missing');
  const { card } = await reproduceCard(deps, row);
  return {
    status: result.status,
    body: {
      credentialId: result.body.credentialId,
      expiresAt: new Date(result.body.expiresAt * 1000).toISOString(),
      replacedCredentialId: result.body.replacedCredentialId,
      qrText: card.text,
    },
  };
}

/**
 * Revokes a credential (lost, stolen, reissued, deceased): guarded as `credential.revoke` on
 * the holder's record, audited in the same transaction. Revoking a revoked card is a 409.
 *
 * @example
 * await credentialRevoker(deps, { actor, purpose: 'enrolment', requestId, credentialId, reason: 'lost' });
 */
export async function credentialRevoker(
  deps: CredentialDependencies,
  props: CredentialContext & { credentialId: string; reason: RevocationReason },
): Promise<{ credentialId: string; reason: RevocationReason; revocationListVersion: number }> {
  const row = await findCredentialById(deps, props.credentialId);
  const write = await authorize(deps, props, 'credential.revoke', row?.personId ?? null);
  // Safe: the guard refuses (404) when the credential or its holder does not exist.
  const credential = row as CredentialRow;
  const version = await deps.db.transaction().execute(async (trx) => {
    const active = await lockActiveCredential(trx, credential.personId);
    if (active === undefined || !active.id.equals(credential.id)) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'This credential is already revoked',
        errors: [{ field: 'params/credentialId', reason: 'already revoked' }],
      });
    }
    const revokedBy = write.actor.kind === 'operator' ? write.actor.operatorId : null;
    const listVersion = await revokeInTransaction(trx, active, props.reason, revokedBy);
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(write, { type: 'person', id: credential.personId }, [], props.requestId),
    ]);
    return listVersion;
  });
  return { credentialId: props.credentialId, reason: props.reason, revocationListVersion: version };
}

/**
 * The card of a credential, for printing: guarded as `credential.download`, a read of the
 * person (not an issuance: the card exists already, and the holder's access history must not
 * show one issue and two downloads as three issues), counted against the read quota and
 * audited with the card's attributes. A revoked card, or a card of a person no longer active, is not printed (409).
 *
 * @example
 * const { card, holder } = await cardReader(deps, { actor, purpose: 'enrolment', requestId, credentialId });
 */
export async function cardReader(
  deps: CredentialDependencies,
  props: CredentialContext & { credentialId: string },
): Promise<{ card: EncodedCard; holder: CardHolder }> {
  const row = await findCredentialById(deps, props.credentialId);
  const person = row ? await personStanding(deps.db, row.personId) : undefined;
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action: 'credential.download',
    resource: { type: 'person', id: person?.id ?? null },
    regionCode: person?.regionCode ?? null,
    personId: person?.id ?? null,
    exists: person !== undefined,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: true,
  });
  // Safe: the guard refuses (404) when the credential or its holder does not exist.
  const credential = row as CredentialRow;
  refuseInactive((person as NonNullable<typeof person>).status);
  if (credential.status !== 'active') {
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'This credential was revoked: it is not printed again',
    });
  }
  const reproduced = await reproduceCard(deps, credential);
  await grant.record(cardAttributeNames);
  return reproduced;
}

async function findCredentialById(
  deps: CredentialDependencies,
  credentialId: string,
): Promise<CredentialRow | undefined> {
  if (!/^[0-9a-f]{32}$/.test(credentialId)) return undefined;
  return findCredential(deps.db, Buffer.from(credentialId, 'hex'));
}

async function authorize(
  deps: CredentialDependencies,
  context: CredentialContext,
  action: Action,
  personId: string | null,
): Promise<AllowedWrite> {
  const person = personId === null ? undefined : await personStanding(deps.db, personId);
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource: { type: 'person', id: person?.id ?? personId },
    regionCode: person?.regionCode ?? null,
    personId: person?.id ?? null,
    exists: person !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard throws AMP_UNAUTHENTICATED when there is no actor.
  const actor = context.actor as Actor;
  return { grant, actor, action, regionCode: person?.regionCode ?? null };
}
