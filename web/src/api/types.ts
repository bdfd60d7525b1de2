/**
 * Shapes of the API answers the console reads, as published in `/api/openapi.json`. Most are
 * derived from the routes' own TypeBox response schemas in src/shared/api/ (the response schema
 * is the presenter, so these are exactly what is sent). Person and household records, whose
 * attributes the server builds from its catalogue, are still written here.
 */
import type { Static } from 'typebox';
import type { Purpose } from '../../../src/shared/access/actor.js';
import type { Role } from '../../../src/shared/access/roles.js';
import type { AlertList, MeResponse } from '../../../src/shared/api/access.js';
import type {
  AccessHistoryResponse,
  AuditEntryList,
  AuditKeysResponse,
  TreeHeadView,
} from '../../../src/shared/api/audit.js';
import type { PublishedCatalogueSchema } from '../../../src/shared/api/catalogue.js';
import type { PersonCredentialsSchema } from '../../../src/shared/api/credentials.js';

export type { Purpose, Role };

/**
 * `T` with its string-list field `K` read as the vocabulary the server draws it from: the
 * schemas say `string` so the OpenAPI document stays as published.
 */
export type Narrowed<T, K extends keyof T, V> = Omit<T, K> & { [P in K]: V };

type MeAnswer = Static<typeof MeResponse>;
export type OperatorMe = Narrowed<Extract<MeAnswer, { kind: 'operator' }>, 'roles', Role[]>;
export type CitizenMe = Extract<MeAnswer, { kind: 'citizen' }>;
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

type PublishedCatalogue = Static<typeof PublishedCatalogueSchema>;
export type CatalogueAttribute = Narrowed<
  PublishedCatalogue['attributes'][number],
  'purposes',
  Purpose[]
>;
export type Catalogue = Narrowed<PublishedCatalogue, 'attributes', CatalogueAttribute[]>;

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

export type TreeHead = Static<typeof TreeHeadView>;
export type AccessHistory = Static<typeof AccessHistoryResponse>;
export type AccessHistoryEntry = AccessHistory['entries'][number];
export type AuditKeys = Static<typeof AuditKeysResponse>;
export type Alert = Static<typeof AlertList>['alerts'][number];

/** A person's cards (`GET /api/persons/:id/credentials`): their facts, nothing personal. */
export type PersonCards = Static<typeof PersonCredentialsSchema>;
export type CardFacts = PersonCards['credentials'][number];

/** `GET /api/audit/entries`: ids and field names, no values. */
export type AuditEntryPage = Static<typeof AuditEntryList>;
export type AuditEntry = AuditEntryPage['entries'][number];
