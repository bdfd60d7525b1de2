/**
 * Shapes of the API answers the console reads, as published in `/api/openapi.json`. Most are
 * derived from the routes' own TypeBox response schemas in src/shared/api/ (the response schema
 * is the presenter, so these are exactly what is sent). Person, household, enrolment and review
 * answers come from src/shared/api/registry.ts with attributes read as a plain record (the
 * server builds their schema from its catalogue).
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
import type { PersonStatusSchema, RegistryAnswers } from '../../../src/shared/api/registry.js';

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
export type PersonStatus = Static<typeof PersonStatusSchema>;

export type PersonSummary = Static<RegistryAnswers['SearchAnswerSchema']>['items'][number];
export type PersonPage = Static<RegistryAnswers['SearchAnswerSchema']>;
export type PersonRecord = Static<RegistryAnswers['PersonViewSchema']>;
export type Household = Static<RegistryAnswers['HouseholdViewSchema']>;

type PublishedCatalogue = Static<typeof PublishedCatalogueSchema>;
export type CatalogueAttribute = Narrowed<
  PublishedCatalogue['attributes'][number],
  'purposes',
  Purpose[]
>;
export type Catalogue = Narrowed<PublishedCatalogue, 'attributes', CatalogueAttribute[]>;

type Held = Static<RegistryAnswers['HeldSchema']>;
/**
 * A candidate as the comparison shows it: as an enrolment held answers it, or as the review
 * queue stores it (no ID number or attributes until the console reads the record).
 */
export type DuplicateCandidate = Omit<Held['candidates'][number], 'uin'> & { uin?: string };
export type EnrolAnswer = Static<RegistryAnswers['EnrolledSchema']> | Held;
export type DuplicateReview = Static<RegistryAnswers['ReviewListSchema']>['items'][number];

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
