import { daysFromIsoDate } from './calendar.js';
import { DEMO_DUPLICATE_SHARE_MAX, DEMO_PERSONS_MAX } from './limits.js';
import { populatedStateCodes } from './places.js';

/**
 * Validated options of the demo population generator.
 *
 * @example
 * const options = validatePopulationOptions({ persons: 1000, seed: 42, duplicateShare: 0.05 });
 * options.referenceDate; // '2026-01-01'
 */
export interface PopulationOptions {
  /** Total records in the file, duplicates included. */
  readonly persons: number;
  /** Any string; an integer seed is used through its decimal form, so 42 and '42' agree. */
  readonly seed: string;
  /** Share of the records that are duplicate enrolments of other records, 0 to 0.5. */
  readonly duplicateShare: number;
  /** Ages are counted to this `YYYY-MM-DD` day, so output never depends on the clock. */
  readonly referenceDate: string;
  /**
   * States (`VE-X` codes) households live in; all populated states when absent. An import
   * is refused row by row outside the importing operator's regions, so a file meant for one
   * account is generated inside that account's regions.
   */
  readonly regions?: readonly string[];
}

export interface PopulationOptionsInput {
  persons: unknown;
  seed: unknown;
  duplicateShare?: unknown;
  referenceDate?: unknown;
  /** Comma-separated state codes or a list of them. */
  regions?: unknown;
}

export const DEFAULT_REFERENCE_DATE = '2026-01-01';
export const DEFAULT_DUPLICATE_SHARE = 0.05;
const SEED_LENGTH_MAX = 200;

/** A wrong option, reported to the user as is. */
export class DemoOptionsError extends Error {
  override readonly name = 'DemoOptionsError';
}

/** Checks and normalises options; throws `DemoOptionsError` with a message saying what is wrong. */
export function validatePopulationOptions(input: PopulationOptionsInput): PopulationOptions {
  const persons = toNumber(input.persons, 'persons');
  if (!Number.isInteger(persons) || persons < 1 || persons > DEMO_PERSONS_MAX) {
    throw new DemoOptionsError(`persons must be a whole number from 1 to ${DEMO_PERSONS_MAX}`);
  }
  const duplicateShare = toNumber(input.duplicateShare ?? DEFAULT_DUPLICATE_SHARE, 'duplicates');
  if (!(duplicateShare >= 0 && duplicateShare <= DEMO_DUPLICATE_SHARE_MAX)) {
    throw new DemoOptionsError(`duplicates must be a share from 0 to ${DEMO_DUPLICATE_SHARE_MAX}`);
  }
  const referenceDate = input.referenceDate ?? DEFAULT_REFERENCE_DATE;
  if (typeof referenceDate !== 'string')
    throw new DemoOptionsError('reference date must be a string');
  try {
    daysFromIsoDate(referenceDate);
  } catch {
    throw new DemoOptionsError(
      `reference date must be a YYYY-MM-DD calendar date, got ${referenceDate}`,
    );
  }
  const regions = input.regions === undefined ? undefined : toRegions(input.regions);
  return {
    persons,
    seed: toSeed(input.seed),
    duplicateShare,
    referenceDate,
    ...(regions === undefined ? {} : { regions }),
  };
}

/** State codes with residents (the Federal Dependencies have none), as the generator needs. */
function toRegions(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list)) throw new DemoOptionsError('regions must be a list of state codes');
  const codes = [...new Set(list.map((code) => String(code).trim()).filter((code) => code !== ''))];
  const populated = new Set(populatedStateCodes());
  const unknown = codes.filter((code) => !populated.has(code));
  if (codes.length === 0 || unknown.length > 0) {
    throw new DemoOptionsError(
      `regions must be state codes with residents (such as VE-A,VE-M); not ${unknown.join(', ') || 'an empty list'}`,
    );
  }
  return codes;
}

function toNumber(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  throw new DemoOptionsError(`${name} must be a number`);
}

function toSeed(seed: unknown): string {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed))
      throw new DemoOptionsError('seed must be an integer or a string');
    return String(seed);
  }
  if (typeof seed === 'bigint') return seed.toString();
  if (typeof seed !== 'string' || seed === '' || seed.length > SEED_LENGTH_MAX) {
    throw new DemoOptionsError(
      `seed must be an integer or a string of 1 to ${SEED_LENGTH_MAX} characters`,
    );
  }
  return seed;
}
