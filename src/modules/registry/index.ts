/**
 * The registry's public face: the only file other modules import (issue #12). Re-exports only;
 * what a module may learn about a person goes through a service here, never the tables.
 */
export { findAttribute, findForbiddenName } from './catalogue/index.js';
export {
  activePersonCount,
  derivedEligibilityFacts,
  type EligibilityFact,
  type EligibilityFactType,
  eligibilityFacts,
  eligibilityFactsRelation,
  type FactsRelationOptions,
  householdCountFacts,
  householdCountsRelation,
  readEligibilityFacts,
} from './eligibility/eligibility-facts.js';
export { identifiesPerson } from './eligibility/identifying-attributes.js';
export {
  openSealedFacts,
  type SealedFactsRow,
  sealedEligibilityFactNames,
  sealedFactsReadEntry,
} from './eligibility/sealed-facts.js';
export {
  DISABILITY_STATUSES,
  type DisabilityStatus,
  type HouseholdShared,
  type PersonDraft,
  type PopulationRecord,
  RELATIONSHIPS,
  type Relationship,
  type Sex,
} from './import/population-record.js';
export {
  CSV_HEADER,
  POPULATION_COLUMNS,
  type PopulationColumn,
  type PopulationFormat,
  TRUTH_HEADER,
  toCsvLine,
  toNdjsonLine,
  toTruthLine,
} from './import/record-format.js';
export { type AssistedIdentities, assistedIdentities } from './persons/assisted-identity.js';
export {
  activePersonIds,
  type HolderFacts,
  holderFactsAt,
  lockHolderFacts,
  personStanding,
} from './persons/holder-facts.js';
export { type PeopleGroup, peopleByAreaAgeSex } from './persons/people-aggregate.js';
export { type PersonArea, personAreas } from './persons/person-areas.js';
export {
  type ContactPerson,
  type PersonContactService,
  personContacts,
  type TextContact,
  textContacts,
} from './persons/person-contact.js';
export { latestCorrectionSince } from './persons/person-corrections.js';
export {
  type PersonOpenItem,
  type PersonSealItem,
  personDataSealer,
} from './persons/person-data-sealer.js';
export { personRegionLookup } from './persons/person-region.js';
export { inactivePersonsRelation, type PersonStatus } from './persons/person-standings.js';
export { personsInArea, type ResidenceArea } from './persons/persons-in-area.js';
export { latestPhoneChangeWithin, type PhoneChange } from './persons/phone-history.js';
export type { PersonIdentity, PersonSelection } from './persons/repository.js';
export { residenceMunicipalityOf } from './persons/residence-municipality.js';
export { type RegistryPluginOptions, registryPlugin } from './plugin.js';
export {
  type RegistryEventHandler,
  type RegistryEventMap,
  type RegistryEventName,
  RegistryEvents,
} from './registry-events.js';
export type { DuplicateIndexStatus } from './review/duplicate-checker-warmup.js';
