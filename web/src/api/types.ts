/**
 * Shapes of the API answers the console reads, as published in `/api/openapi.json`. Only the
 * fields the console shows are listed.
 */
import type { Purpose } from '../../../src/shared/access/actor.js';
import type { Role } from '../../../src/shared/access/roles.js';

export type { Purpose, Role };

export interface OperatorMe {
  kind: 'operator';
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
  /** An administrator set the password: only the account page works until it is changed. */
  passwordChangeRequired: boolean;
  sessionKind: string;
  expiresAt: string;
}

export interface CitizenMe {
  kind: 'citizen';
  sessionKind: string;
  expiresAt: string;
}

export type Me = OperatorMe | CitizenMe;

export type Attributes = Record<string, unknown>;
export type PersonStatus = 'active' | 'deceased' | 'merged' | 'erased';

export interface PersonSummary {
  id: string;
  uin: string;
  status: PersonStatus;
  regionCode: string;
  score: number | null;
  attributes: Attributes;
}

export interface PersonPage {
  items: PersonSummary[];
  nextCursor: string | null;
  truncated: boolean;
}

export interface PersonRecord {
  id: string;
  uin: string;
  status: PersonStatus;
  mergedInto: string | null;
  regionCode: string;
  version: number;
  updatedAt: string;
  household: { id: string; relationship: string } | null;
  attributes: Attributes;
}

export interface Household {
  id: string;
  regionCode: string;
  members: Array<{
    personId: string;
    uin: string;
    status: PersonStatus;
    relationship: string;
    attributes: Attributes;
  }>;
}

export interface CatalogueAttribute {
  name: string;
  subject: 'person' | 'household';
  type: string;
  constraints: string;
  category: string;
  sensitivity: string;
  sealed: boolean;
  required: boolean;
  purposes: Purpose[];
  description: string;
}

export interface Catalogue {
  attributes: CatalogueAttribute[];
}

export interface DuplicateCandidate {
  personId: string;
  uin?: string;
  score: number;
  decision: 'auto' | 'review';
  fieldLevels: Record<string, string>;
  attributes?: Attributes;
}

export type EnrolAnswer =
  | {
      status: 'enrolled';
      personId: string;
      uin: string;
      version: number;
      householdId: string | null;
      reviewId: string | null;
    }
  | {
      status: 'held';
      reviewId: string;
      /** The server's reference for the person to ask about the held enrolment. */
      reference: string;
      candidates: DuplicateCandidate[];
      otherCandidates: number;
    };

export interface DuplicateReview {
  id: string;
  kind: 'review' | 'held';
  reference: string;
  regionCode: string;
  personId: string | null;
  openedAt: string;
  candidates: DuplicateCandidate[];
  heldAttributes: Attributes | null;
}

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  timestampMs: number;
  signedAt: string;
  keyId: string;
  signature: string;
}

export interface AccessHistoryEntry {
  leafIndex: number;
  time: string;
  actorKind: 'operator' | 'citizen' | 'system';
  role: string | null;
  region: string | null;
  purpose: string | null;
  action: string;
  outcome: 'allowed' | 'denied';
  entryText: string;
  proof: string[];
}

export interface AccessHistory {
  treeHead: TreeHead;
  entries: AccessHistoryEntry[];
  nextCursor: number | null;
}

export interface AuditKeys {
  keys: Array<{ keyId: string; algorithm: 'Ed25519'; publicKey: string }>;
}

export interface Alert {
  id: string;
  kind: string;
  operatorId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

/** One of a person's cards (`GET /api/persons/:id/credentials`): its facts, nothing personal. */
export interface CardFacts {
  credentialId: string;
  status: 'active' | 'revoked';
  issuedAt: string;
  expiresAt: string;
  kid: string;
  revokedAt: string | null;
  revocationReason: 'lost' | 'stolen' | 'reissued' | 'deceased' | null;
}

export interface PersonCards {
  credentials: CardFacts[];
  truncated: boolean;
}

/** One audit log entry as `GET /api/audit/entries` lists it: ids and field names, no values. */
export interface AuditEntry {
  leafIndex: number;
  time: string;
  actor: {
    kind: 'operator' | 'citizen' | 'system';
    id: string;
    role: string | null;
    region: string | null;
  };
  action: string;
  resource: { type: string; id: string | null };
  purpose: string | null;
  fields: string[];
  outcome: 'allowed' | 'denied';
  reasonCode: string | null;
  requestId: string | null;
}

export interface AuditEntryPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}
