import type { Parish } from '../geography/index.js';
import type { HouseholdShared, PersonDraft, Relationship, Sex } from '../registry/index.js';
import {
  ADULT_AGE_YEARS,
  addressLineFor,
  birthDateFor,
  disabilityFor,
  householdNationality,
  incomeBand,
  memberNationality,
  phoneFor,
} from './attributes.js';
import type { NameData } from './name-data.js';
import type { PlacePicker } from './places.js';
import type { Prng } from './prng.js';
import { tableOf } from './weighted-table.js';

/**
 * Builds one household: a head, perhaps a spouse, and relatives whose ages and surnames are
 * consistent with their relationship to the head. Children carry their father's first
 * surname and their mother's first surname (the Spanish convention); a parent of the head
 * passes on one of the head's surnames.
 *
 * @example
 * const { shared, members } = buildHousehold(context, 12);
 * members[0]?.relationship; // 'head'
 */
export interface GeneratorContext {
  readonly prng: Prng;
  readonly names: NameData;
  readonly places: PlacePicker;
  /** Day number (days since 1970-01-01) that ages are counted to. */
  readonly referenceDays: number;
}

export interface HouseholdDraft {
  readonly shared: HouseholdShared;
  readonly members: PersonDraft[];
}

/** Mean about 3.8, close to Venezuelan survey figures. */
const HOUSEHOLD_SIZES = tableOf([
  [1, 11],
  [2, 17],
  [3, 21],
  [4, 20],
  [5, 13],
  [6, 8],
  [7, 4.5],
  [8, 2.5],
  [9, 1.3],
  [10, 0.8],
  [11, 0.5],
  [12, 0.4],
]);

/** Age bands of household heads, [first age, last age] with relative weight. */
const HEAD_AGE_BANDS = tableOf<readonly [number, number]>([
  [[18, 24], 4],
  [[25, 29], 7],
  [[30, 34], 10],
  [[35, 39], 12],
  [[40, 44], 13],
  [[45, 49], 12],
  [[50, 54], 11],
  [[55, 59], 9],
  [[60, 64], 7.5],
  [[65, 69], 5.5],
  [[70, 74], 4],
  [[75, 79], 2.5],
  [[80, 84], 1.3],
  [[85, 89], 0.6],
  [[90, 97], 0.2],
]);

const EXTRA_RELATIONSHIPS = tableOf<Relationship>([
  ['child', 0.72],
  ['grandchild', 0.09],
  ['sibling', 0.06],
  ['other_relative', 0.06],
  ['parent', 0.04],
  ['non_relative', 0.03],
]);

const FEMALE_HEAD_SHARE = 0.42;
const SPOUSE_SHARE = 0.68;
/** Youngest and oldest age of a parent at a child's birth. */
const PARENT_AGE_GAP_YEARS: readonly [number, number] = [17, 45];
/** Age of the younger parent at a child's birth: most children are born to parents of 20 to 34. */
const PARENT_AGE_AT_BIRTH_BANDS = tableOf<readonly [number, number]>([
  [[17, 19], 12],
  [[20, 24], 28],
  [[25, 29], 27],
  [[30, 34], 19],
  [[35, 39], 10],
  [[40, 45], 4],
]);
const AGE_YEARS_MAX = 105;

interface Family {
  readonly context: GeneratorContext;
  readonly shared: HouseholdShared;
  readonly nationality: string;
  readonly members: PersonDraft[];
  readonly head: PersonDraft & { ageYears: number };
  readonly spouse: (PersonDraft & { ageYears: number }) | undefined;
  /** Surname that the children of the head carry first (their father's). */
  readonly childFirstSurname: string;
  /** Surname that the children of the head carry second (their mother's). */
  readonly childSecondSurname: string;
  parentsAdded: Sex[];
}

/** One household of at most `membersMax` people (at least 1). */
export function buildHousehold(context: GeneratorContext, membersMax: number): HouseholdDraft {
  const { prng, names } = context;
  const size = Math.min(HOUSEHOLD_SIZES.sample(prng), membersMax);
  const shared = householdShared(context, context.places.pickParish(prng));
  const nationality = householdNationality(prng);
  const [firstAge, lastAge] = HEAD_AGE_BANDS.sample(prng);
  const headSex: Sex = prng.chance(FEMALE_HEAD_SHARE) ? 'F' : 'M';
  const headSurnames = [names.surname(prng), names.surname(prng)] as const;
  const draft = { context, shared, nationality };
  const head = person(draft, 'head', headSex, prng.int(firstAge, lastAge), headSurnames);
  const spouse =
    size >= 2 && prng.chance(SPOUSE_SHARE) ? spouseOf(draft, head, head.ageYears) : undefined;
  const partnerSurname = spouse?.firstSurname ?? names.surname(prng);
  // Listed property by property: an object spread followed by more properties takes a slow
  // path in V8 that cost nearly half of the generator's time.
  const family: Family = {
    context,
    shared,
    nationality,
    members: spouse === undefined ? [head] : [head, spouse],
    head,
    spouse,
    childFirstSurname: headSex === 'M' ? head.firstSurname : partnerSurname,
    childSecondSurname: headSex === 'M' ? partnerSurname : head.firstSurname,
    parentsAdded: [],
  };
  while (family.members.length < size) family.members.push(relative(family));
  return { shared, members: family.members };
}

function householdShared(context: GeneratorContext, parish: Parish): HouseholdShared {
  const { prng, names, places } = context;
  return {
    stateCode: parish.stateCode,
    municipalityCode: parish.municipalityCode,
    parishCode: parish.code,
    locality: places.municipality(parish.municipalityCode).capital,
    addressLine: addressLineFor(prng, names),
    preferredLanguage: places.pickLanguage(prng, parish.stateCode),
    incomeBand: incomeBand(prng),
  };
}

type DraftBase = Pick<Family, 'context' | 'shared' | 'nationality'>;

function person(
  draft: DraftBase,
  relationship: Relationship,
  sex: Sex,
  ageYears: number,
  surnames: readonly [string, string],
): PersonDraft & { ageYears: number } {
  const { prng, names, places, referenceDays } = draft.context;
  const nationality = memberNationality(prng, draft.nationality, ageYears);
  const bornInResidenceState = prng.chance(ageYears < 10 ? 0.9 : 0.7);
  const givenNames = names.givenNames(prng, sex);
  const { birthDate, birthDateApproximate } = birthDateFor(prng, referenceDays, ageYears);
  const birthStateCode =
    nationality !== 'VE'
      ? ''
      : bornInResidenceState
        ? draft.shared.stateCode
        : places.pickState(prng);
  // No object spread here: this runs for every person and spreads are slow in V8.
  return {
    relationship,
    givenNames,
    firstSurname: surnames[0],
    secondSurname: surnames[1],
    sex,
    birthDate,
    birthDateApproximate,
    birthStateCode,
    nationality,
    phone: phoneFor(prng, ageYears),
    disabilityStatus: disabilityFor(prng, ageYears),
    ageYears,
  };
}

function spouseOf(draft: DraftBase, head: PersonDraft, headAgeYears: number) {
  const { prng, names } = draft.context;
  // Husbands are on average a few years older than their wives.
  const offset = head.sex === 'M' ? -3 : 3;
  const ageYears = clamp(
    Math.round(prng.normal(headAgeYears + offset, 5)),
    ADULT_AGE_YEARS,
    AGE_YEARS_MAX,
  );
  const sex: Sex = head.sex === 'M' ? 'F' : 'M';
  return person(draft, 'spouse', sex, ageYears, [names.surname(prng), names.surname(prng)]);
}

/** One more member; falls back to another relative when the ages make a relationship impossible. */
function relative(family: Family): PersonDraft {
  const { prng, names } = family.context;
  const relationship = EXTRA_RELATIONSHIPS.sample(prng);
  const headAge = family.head.ageYears;
  const sex: Sex = prng.chance(0.5) ? 'F' : 'M';
  if (relationship === 'child') {
    const youngestParentAge = Math.min(headAge, family.spouse?.ageYears ?? headAge);
    const ageYears = youngestParentAge - parentAgeAtBirth(prng, youngestParentAge);
    const surnames = [family.childFirstSurname, family.childSecondSurname] as const;
    return person(family, 'child', sex, Math.max(0, ageYears), surnames);
  }
  if (relationship === 'grandchild' && headAge >= 36) {
    const ageYears = prng.int(0, Math.min(25, headAge - 36));
    const other = names.surname(prng);
    const viaSon = prng.chance(0.5);
    const surnames = [
      viaSon ? family.childFirstSurname : other,
      viaSon ? other : family.childFirstSurname,
    ] as const;
    return person(family, 'grandchild', sex, ageYears, surnames);
  }
  if (relationship === 'parent' && headAge <= 80 && family.parentsAdded.length < 2) {
    return parentOfHead(family);
  }
  if (relationship === 'sibling') {
    const ageYears = clamp(headAge + prng.int(-12, 12), 0, AGE_YEARS_MAX);
    return person(family, 'sibling', sex, ageYears, [
      family.head.firstSurname,
      family.head.secondSurname,
    ]);
  }
  if (relationship === 'non_relative') {
    const surnames = [names.surname(prng), names.surname(prng)] as const;
    return person(family, 'non_relative', sex, prng.int(ADULT_AGE_YEARS, 75), surnames);
  }
  // Nephews, nieces and cousins share one surname with the head.
  const shared = prng.chance(0.5) ? family.head.firstSurname : family.head.secondSurname;
  const surnames = prng.chance(0.5)
    ? ([shared, names.surname(prng)] as const)
    : ([names.surname(prng), shared] as const);
  return person(family, 'other_relative', sex, prng.int(0, 80), surnames);
}

function parentOfHead(family: Family): PersonDraft {
  const { prng, names } = family.context;
  const sex: Sex = family.parentsAdded.includes('M')
    ? 'F'
    : family.parentsAdded.includes('F')
      ? 'M'
      : prng.chance(0.65)
        ? 'F'
        : 'M';
  family.parentsAdded.push(sex);
  const ageYears = Math.min(
    AGE_YEARS_MAX,
    family.head.ageYears + prng.int(PARENT_AGE_GAP_YEARS[0] + 1, 40),
  );
  // The head's first surname comes from the father, the second from the mother.
  const own = sex === 'M' ? family.head.firstSurname : family.head.secondSurname;
  return person(family, 'parent', sex, ageYears, [own, names.surname(prng)]);
}

/** A plausible age of the parent at the birth, no more than the parent's age today. */
function parentAgeAtBirth(prng: Prng, parentAgeYears: number): number {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const [first, last] = PARENT_AGE_AT_BIRTH_BANDS.sample(prng);
    const gap = prng.int(first, last);
    if (gap <= parentAgeYears) return gap;
  }
  // Young parents: any age between the youngest parenthood and today's age.
  return prng.int(PARENT_AGE_GAP_YEARS[0], Math.min(PARENT_AGE_GAP_YEARS[1], parentAgeYears));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
