import { findParish } from '../geography/index.js';
import type { HouseholdShared, PersonDraft, PopulationRecord } from '../registry/index.js';
import { addressLineFor } from './attributes.js';
import { daysFromIsoDate } from './calendar.js';
import { buildHousehold, type GeneratorContext } from './household.js';
import { DUPLICATE_SOURCE_WINDOW_RECORDS, HOUSEHOLD_MEMBERS_MAX } from './limits.js';
import { loadNameData } from './name-data.js';
import { addNoise, type NoiseEnvironment } from './noise.js';
import type { PopulationOptions } from './options.js';
import { createPlacePicker } from './places.js';
import { Prng } from './prng.js';

/**
 * Generates a synthetic Venezuelan population, one record at a time, in constant memory:
 * households of related people, then, at random later positions, duplicate enrolments of
 * people already in the file (never the record just before). The same options always give
 * the same records.
 *
 * @example
 * for (const record of generatePopulation({ persons: 10, seed: '1', duplicateShare: 0.1,
 *   referenceDate: '2026-01-01' })) console.log(record.recordId, record.givenNames);
 */
export function* generatePopulation(options: PopulationOptions): Generator<PopulationRecord> {
  const plan = planCounts(options);
  const state = new GenerationState(options, plan);
  while (state.originals < plan.originals) {
    const household = buildHousehold(
      state.context,
      Math.min(HOUSEHOLD_MEMBERS_MAX, plan.originals - state.originals),
    );
    yield* state.duplicatesBefore(household.members.length);
    yield* state.household(household.shared, household.members);
  }
  while (state.duplicates < plan.duplicates) {
    yield state.duplicate(state.canAvoidAdjacent());
  }
}

/** How many originals and duplicates a run writes. */
export interface PopulationPlan {
  readonly records: number;
  readonly originals: number;
  readonly duplicates: number;
}

/**
 * round(persons × share) duplicates, but at least one original: a duplicate needs something
 * to copy.
 */
export function planCounts(options: Pick<PopulationOptions, 'persons' | 'duplicateShare'>) {
  const duplicates = Math.min(
    Math.round(options.persons * options.duplicateShare),
    options.persons - 1,
  );
  return { records: options.persons, originals: options.persons - duplicates, duplicates };
}

class GenerationState {
  readonly context: GeneratorContext;
  originals = 0;
  duplicates = 0;
  private emitted = 0;
  private households = 0;
  /** Ring buffer of the most recent originals, the candidates for duplication. */
  private readonly window: PopulationRecord[] = [];
  private windowNext = 0;
  private lastWasOriginal = false;
  private readonly noise: NoiseEnvironment;
  private readonly widths: { record: number; household: number; person: number };

  constructor(
    options: PopulationOptions,
    private readonly plan: PopulationPlan,
  ) {
    const places = createPlacePicker(options.regions);
    const names = loadNameData();
    this.context = {
      prng: new Prng(options.seed),
      names,
      places,
      referenceDays: daysFromIsoDate(options.referenceDate),
    };
    this.noise = {
      move: (prng, currentCode) => {
        const current = findParish(currentCode);
        if (current === undefined) throw new Error(`unknown parish ${currentCode}`);
        const parish = places.pickOtherParish(prng, current);
        return {
          stateCode: parish.stateCode,
          municipalityCode: parish.municipalityCode,
          parishCode: parish.code,
          locality: places.municipality(parish.municipalityCode).capital,
          addressLine: addressLineFor(prng, names),
        };
      },
    };
    const digits = String(plan.records).length;
    this.widths = {
      record: Math.max(8, digits),
      household: Math.max(7, digits),
      person: Math.max(8, digits),
    };
  }

  /**
   * Duplicates to place before a household of `members` originals. Each original slot brings
   * on average (duplicates left / originals left) duplicates, so the share stays even along
   * the file and the count comes out exact at the end.
   */
  *duplicatesBefore(members: number): Generator<PopulationRecord> {
    const left = this.plan.duplicates - this.duplicates;
    if (left === 0) return;
    const perOriginal = left / (this.plan.originals - this.originals);
    let count = 0;
    for (let slot = 0; slot < members; slot += 1) {
      count += Math.floor(perOriginal) + (this.context.prng.chance(perOriginal % 1) ? 1 : 0);
    }
    for (let index = 0; index < Math.min(count, left); index += 1) {
      if (!this.canAvoidAdjacent()) return;
      yield this.duplicate(true);
    }
  }

  *household(
    shared: HouseholdShared,
    members: readonly PersonDraft[],
  ): Generator<PopulationRecord> {
    const householdId = this.nextHouseholdId();
    for (const member of members) {
      this.originals += 1;
      const record = toRecord(member, shared, {
        recordId: this.nextRecordId(),
        personId: `P${String(this.originals).padStart(this.widths.person, '0')}`,
        householdId,
        duplicateOfRecordId: '',
      });
      this.remember(record);
      this.lastWasOriginal = true;
      yield record;
    }
  }

  /** A noisy copy of a recent original, in a one-person household of its own. */
  duplicate(avoidAdjacent: boolean): PopulationRecord {
    const prng = this.context.prng;
    let source = this.pickSource();
    while (avoidAdjacent && this.isAdjacent(source)) source = this.pickSource();
    this.duplicates += 1;
    this.lastWasOriginal = false;
    const noisy = addNoise(prng, source, this.noise);
    return {
      recordId: this.nextRecordId(),
      personId: source.personId,
      householdId: this.nextHouseholdId(),
      relationship: 'head',
      givenNames: noisy.givenNames,
      firstSurname: noisy.firstSurname,
      secondSurname: noisy.secondSurname,
      sex: source.sex,
      birthDate: noisy.birthDate,
      birthDateApproximate: source.birthDateApproximate,
      birthStateCode: source.birthStateCode,
      nationality: source.nationality,
      stateCode: noisy.stateCode,
      municipalityCode: noisy.municipalityCode,
      parishCode: noisy.parishCode,
      locality: noisy.locality,
      addressLine: noisy.addressLine,
      phone: noisy.phone,
      preferredLanguage: source.preferredLanguage,
      incomeBand: source.incomeBand,
      disabilityStatus: source.disabilityStatus,
      duplicateOfRecordId: source.recordId,
    };
  }

  /** False only when the single candidate is the record just written. */
  canAvoidAdjacent(): boolean {
    return this.window.length > 1 || (this.window.length === 1 && !this.lastWasOriginal);
  }

  private isAdjacent(source: PopulationRecord): boolean {
    const newest = this.window[(this.windowNext + this.window.length - 1) % this.window.length];
    return this.lastWasOriginal && source === newest;
  }

  private pickSource(): PopulationRecord {
    return this.context.prng.pick(this.window);
  }

  private remember(record: PopulationRecord): void {
    if (this.window.length < DUPLICATE_SOURCE_WINDOW_RECORDS) {
      this.window.push(record);
      this.windowNext = this.window.length % DUPLICATE_SOURCE_WINDOW_RECORDS;
      return;
    }
    this.window[this.windowNext] = record;
    this.windowNext = (this.windowNext + 1) % DUPLICATE_SOURCE_WINDOW_RECORDS;
  }

  private nextRecordId(): string {
    this.emitted += 1;
    return `R${String(this.emitted).padStart(this.widths.record, '0')}`;
  }

  private nextHouseholdId(): string {
    this.households += 1;
    return `H${String(this.households).padStart(this.widths.household, '0')}`;
  }
}

/** Copies the fields explicitly, so helper fields of the draft (its age) never leak out. */
function toRecord(
  member: PersonDraft,
  shared: HouseholdShared,
  ids: Pick<PopulationRecord, 'recordId' | 'personId' | 'householdId' | 'duplicateOfRecordId'>,
): PopulationRecord {
  return {
    recordId: ids.recordId,
    personId: ids.personId,
    householdId: ids.householdId,
    relationship: member.relationship,
    givenNames: member.givenNames,
    firstSurname: member.firstSurname,
    secondSurname: member.secondSurname,
    sex: member.sex,
    birthDate: member.birthDate,
    birthDateApproximate: member.birthDateApproximate,
    birthStateCode: member.birthStateCode,
    nationality: member.nationality,
    stateCode: shared.stateCode,
    municipalityCode: shared.municipalityCode,
    parishCode: shared.parishCode,
    locality: shared.locality,
    addressLine: shared.addressLine,
    phone: member.phone,
    preferredLanguage: shared.preferredLanguage,
    incomeBand: shared.incomeBand,
    disabilityStatus: member.disabilityStatus,
    duplicateOfRecordId: ids.duplicateOfRecordId,
  };
}
